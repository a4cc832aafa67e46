using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>Elementwise ILGPU kernels: one thread per element (neighbouring threads touch neighbouring elements).</summary>
public static class ElementwiseKernels
{
    /// <summary>GELU, exact erf form: <c>y = x/2 · (1 + erf(x/√2))</c>. <paramref name="y"/> may be <paramref name="x"/>.</summary>
    [IlgpuKernel("gelu")]
    public static void Gelu(ArrayView<float> x, ArrayView<float> y, int length)
    {
        int i = Grid.GlobalIndex.X;
        if (i < length)
        {
            y[i] = KernelMath.Gelu(x[i]);
        }
    }

    /// <summary><c>y = a + b</c>. <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/> (in place).</summary>
    [IlgpuKernel("add")]
    public static void Add(ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int length)
    {
        int i = Grid.GlobalIndex.X;
        if (i < length)
        {
            y[i] = a[i] + b[i];
        }
    }

    /// <summary><c>flags[tag] = 1</c> if any of the first <paramref name="length"/> elements of <paramref name="x"/> is NaN or ±∞ (every such thread writes the same 1: no atomics needed).</summary>
    [IlgpuKernel("finite-check")]
    public static void FlagNonFinite(ArrayView<float> x, ArrayView<float> flags, int tag, int length)
    {
        int i = Grid.GlobalIndex.X;
        if (i < length)
        {
            float v = x[i];
            if (float.IsNaN(v) || float.IsInfinity(v))
            {
                flags[tag] = 1f;
            }
        }
    }

    /// <summary><c>y[i] = value</c>.</summary>
    [IlgpuKernel("fill")]
    public static void Fill(ArrayView<float> y, float value, int length)
    {
        int i = Grid.GlobalIndex.X;
        if (i < length)
        {
            y[i] = value;
        }
    }

    /// <summary>
    /// Mean over tokens: <c>y[b, c] = Σₙ x[b, n, c] / tokens</c> for x of shape B×N×C. One thread per output element
    /// (x = channel, neighbouring threads read neighbouring channels); grid over (C, B).
    /// </summary>
    [IlgpuKernel("mean-tokens")]
    public static void MeanTokens(ArrayView<float> x, ArrayView<float> y, int tokens, int channels)
    {
        Configs.Unfold((channels + Group.DimX - 1) / Group.DimX, 1, out int groupX, out int _, out int b);
        int c = groupX * Group.DimX + Group.IdxX;
        if (c >= channels)
        {
            return;
        }
        int at = b * tokens * channels + c;
        float sum = 0f;
        for (int n = 0; n < tokens; n++)
        {
            sum += x[at + n * channels];
        }
        y[b * channels + c] = sum / tokens;
    }
}
