using Hilo.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace Hilo.Samples.VectorAdd;

/// <summary>A kernel written in C# with ILGPU: ILGPU compiles it to PTX, OpenCL C or CPU threads for the device.</summary>
public static class SampleKernels
{
    /// <summary><c>y[i] = a * x[i] + y[i]</c>.</summary>
    public static void Saxpy(Index1D i, ArrayView<float> x, ArrayView<float> y, float a)
    {
        y[i] = a * x[i] + y[i];
    }
}

/// <summary>Runs <see cref="SampleKernels.Saxpy"/> on tensors of a device (the README's example).</summary>
public static class SaxpyDemo
{
    /// <summary>Computes <c>a * x + y</c> on <paramref name="device"/> (e.g. "cpu", "opencl:0", "cuda:0").</summary>
    public static float[] Run(string device, float a, float[] x, float[] y)
    {
        using var dev = ComputeDevice.Open(device);
        using var xs = dev.Upload(x, x.Length);                 // tensors live in ILGPU buffers
        using var ys = dev.Upload(y, y.Length);
        var saxpy = dev.Accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(SampleKernels.Saxpy);
        saxpy(dev.Stream, ys.Length, xs.View, ys.View, a);      // queued on the device's stream, in order with the layers
        return ys.ToArray();                                    // waits for the kernel
    }
}
