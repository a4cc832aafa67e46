using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Compute.Conformance;

/// <summary>
/// Float4/8/16: loads and stores at element (not vector) aligned offsets, arithmetic, FMA, Max/Min, Sum.
/// Work-item i reads lanes starting at <c>1 + i * width</c> and writes <see cref="VectorResults"/> vectors.
/// </summary>
public static partial class VectorTypeKernels
{
    public const int VectorResults = 10;

    [Kernel]
    public static void Float4Ops(ArrayView<float> a, ArrayView<float> b, ArrayView<float> r, ArrayView<float> sums)
    {
        int i = Grid.GlobalIndex.X;
        Float4 x = Float4.Load(a, 1 + i * 4);
        Float4 y = Float4.Load(b, 1 + i * 4);
        int o = i * 4 * VectorResults;
        Float4 sum = x + y;
        sum.Store(r, o);
        Float4 difference = x - y;
        difference.Store(r, o + 4);
        Float4 product = x * y;
        product.Store(r, o + 8);
        Float4 quotient = x / y;
        quotient.Store(r, o + 12);
        Float4 fused = Float4.Fma(x, y, sum);
        fused.Store(r, o + 16);
        Float4 max = Float4.Max(x, y);
        max.Store(r, o + 20);
        Float4 min = Float4.Min(x, y);
        min.Store(r, o + 24);
        Float4 scaled = x * 2.5f + 1f;
        scaled.Store(r, o + 28);
        Float4 negated = -x;
        negated.Store(r, o + 32);
        Float4 mixed = 0.5f * y - new Float4(3f) + Float4.Zero;
        mixed.Store(r, o + 36);
        sums[i] = x.Sum();
    }

    [Kernel]
    public static void Float8Ops(ArrayView<float> a, ArrayView<float> b, ArrayView<float> r, ArrayView<float> sums)
    {
        int i = Grid.GlobalIndex.X;
        Float8 x = Float8.Load(a, 1 + i * 8);
        Float8 y = Float8.Load(b, 1 + i * 8);
        int o = i * 8 * VectorResults;
        Float8 sum = x + y;
        sum.Store(r, o);
        Float8 difference = x - y;
        difference.Store(r, o + 8);
        Float8 product = x * y;
        product.Store(r, o + 16);
        Float8 quotient = x / y;
        quotient.Store(r, o + 24);
        Float8 fused = Float8.Fma(x, y, sum);
        fused.Store(r, o + 32);
        Float8 max = Float8.Max(x, y);
        max.Store(r, o + 40);
        Float8 min = Float8.Min(x, y);
        min.Store(r, o + 48);
        Float8 scaled = x * 2.5f + 1f;
        scaled.Store(r, o + 56);
        Float8 negated = -x;
        negated.Store(r, o + 64);
        Float8 mixed = 0.5f * y - new Float8(3f) + Float8.Zero;
        mixed.Store(r, o + 72);
        sums[i] = x.Sum();
    }

    [Kernel]
    public static void Float16Ops(ArrayView<float> a, ArrayView<float> b, ArrayView<float> r, ArrayView<float> sums)
    {
        int i = Grid.GlobalIndex.X;
        Float16 x = Float16.Load(a, 1 + i * 16);
        Float16 y = Float16.Load(b, 1 + i * 16);
        int o = i * 16 * VectorResults;
        Float16 sum = x + y;
        sum.Store(r, o);
        Float16 difference = x - y;
        difference.Store(r, o + 16);
        Float16 product = x * y;
        product.Store(r, o + 32);
        Float16 quotient = x / y;
        quotient.Store(r, o + 48);
        Float16 fused = Float16.Fma(x, y, sum);
        fused.Store(r, o + 64);
        Float16 max = Float16.Max(x, y);
        max.Store(r, o + 80);
        Float16 min = Float16.Min(x, y);
        min.Store(r, o + 96);
        Float16 scaled = x * 2.5f + 1f;
        scaled.Store(r, o + 112);
        Float16 negated = -x;
        negated.Store(r, o + 128);
        Float16 mixed = 0.5f * y - new Float16(3f) + Float16.Zero;
        mixed.Store(r, o + 144);
        sums[i] = x.Sum();
    }

    /// <summary>An accumulate loop over Float16 registers with Fma, then lane reads; the CPU-style GEMM pattern.</summary>
    [Kernel]
    public static void Float16Accumulate(ArrayView<float> a, ArrayView<float> b, ArrayView<float> r, int steps)
    {
        int i = Grid.GlobalIndex.X;
        Float16 acc0 = Float16.Zero;
        Float16 acc1 = new Float16(1f);
        for (int s = 0; s < steps; s++)
        {
            Float16 x = Float16.Load(b, s * 32);
            Float16 y = Float16.Load(b, s * 32 + 16);
            float scalar = a[i * steps + s];
            acc0 = Float16.Fma(new Float16(scalar), x, acc0);
            acc1 = Float16.Fma(new Float16(scalar), y, acc1);
        }
        for (int lane = 0; lane < 16; lane++)
        {
            r[i * 32 + lane] = acc0[lane];
            r[i * 32 + 16 + lane] = acc1[lane];
        }
    }
}
