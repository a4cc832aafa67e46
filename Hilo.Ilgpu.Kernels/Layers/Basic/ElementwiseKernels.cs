using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>
/// Elementwise kernels. Each work-item handles <c>perItem</c> consecutive elements: 1 on GPUs (neighbouring
/// work-items touch neighbouring elements), a few dozen on CPU devices (the per-work-item cost of a launch is
/// then amortised). Launch over ceil(length / perItem).
/// </summary>
public static partial class ElementwiseKernels
{
    /// <summary>1/√2 in float32.</summary>
    public const float InvSqrt2 = 0.70710677f;

    /// <summary>
    /// GELU, exact erf form: <c>y = x/2 · (1 + erf(x/√2))</c>. <paramref name="y"/> may be <paramref name="x"/>.
    /// Whole blocks of 16 elements go through <see cref="VectorGelu"/> (CPU devices, where perItem is large); the
    /// rest, and every element on GPUs (perItem 1), through the scalar erf.
    /// </summary>
    [Kernel]
    public static void Gelu(ArrayView<float> x, ArrayView<float> y, int length, int perItem)
    {
        int start = Grid.GlobalIndex.X * perItem;
        int end = Math.Min(start + perItem, length);
        int i = start;
        for (; i + Float16.Count <= end; i += Float16.Count)
        {
            VectorGelu.Gelu(Float16.Load(x, i)).Store(y, i);
        }
        for (; i < end; i++)
        {
            float v = x[i];
            y[i] = GeluScalar(v);
        }
    }

    /// <summary>GELU of one value, exact erf form: the scalar counterpart of <see cref="VectorGelu.Gelu"/>.</summary>
    public static float GeluScalar(float v) => 0.5f * v * (1f + KernelMath.Erf(v * InvSqrt2));

    /// <summary><c>y = a + b</c>. <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/> (in place).</summary>
    [Kernel]
    public static void Add(ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int length, int perItem)
    {
        int start = Grid.GlobalIndex.X * perItem;
        int end = Math.Min(start + perItem, length);
        int i = start;
        for (; i + Float16.Count <= end; i += Float16.Count)
        {
            (Float16.Load(a, i) + Float16.Load(b, i)).Store(y, i);
        }
        for (; i < end; i++)
        {
            y[i] = a[i] + b[i];
        }
    }

    /// <summary>
    /// Mean over tokens: <c>y[b, c] = Σₙ x[b, n, c] / tokens</c> for x of shape B×N×C. One work-item per output
    /// element; launch over (C, B).
    /// </summary>
    [Kernel]
    public static void MeanTokens(ArrayView<float> x, ArrayView<float> y, int tokens, int channels)
    {
        int c = Grid.GlobalIndex.X;
        int b = Grid.GlobalIndex.Y;
        int at = b * tokens * channels + c;
        float sum = 0f;
        for (int n = 0; n < tokens; n++)
        {
            sum += x[at + n * channels];
        }
        y[b * channels + c] = sum / tokens;
    }
}
