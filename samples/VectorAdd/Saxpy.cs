using Hilo.Ilgpu.Compute;

namespace Hilo.Samples.VectorAdd;

/// <summary>A kernel written in C#: the generator turns it into OpenCL C and CUDA C at build time.</summary>
public static partial class SampleKernels
{
    /// <summary><c>y[i] = a * x[i] + y[i]</c>.</summary>
    [Kernel]
    public static void Saxpy(ArrayView<float> x, ArrayView<float> y, float a)
    {
        int i = Grid.GlobalIndex.X;
        if (i < y.Length)
        {
            y[i] = a * x[i] + y[i];
        }
    }
}

/// <summary>Runs <see cref="SampleKernels.Saxpy"/> on a device (the README's example).</summary>
public static class SaxpyDemo
{
    /// <summary>Computes <c>a * x + y</c> on <paramref name="device"/> (e.g. "cpu", "opencl:0", "cuda:0").</summary>
    public static float[] Run(string device, float a, float[] x, float[] y)
    {
        using var accelerator = Devices.Open(device);
        using var xBuffer = accelerator.Allocate<float>(x);
        using var yBuffer = accelerator.Allocate<float>(y);
        accelerator.Launch(SampleKernels.SaxpyKernel, new LaunchDims(y.Length), xBuffer.View, yBuffer.View, a);
        float[] result = yBuffer.ToArray(); // waits for the kernel
        return result;
    }
}
