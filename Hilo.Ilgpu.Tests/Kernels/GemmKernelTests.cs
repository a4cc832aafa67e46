using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Kernels.Gemm;

namespace Hilo.Ilgpu.Tests.Kernels;

public abstract partial class KernelSuite
{
    /// <summary>Shapes around the tile sizes (16 for the tiled kernel, 8×32 for the panel kernel), plus random ones.</summary>
    public static TheoryData<int, int, int> GemmShapes()
    {
        var data = new TheoryData<int, int, int> { { 1, 1, 1 }, { 16, 16, 16 }, { 8, 32, 64 }, { 33, 47, 29 }, { 100, 70, 3 }, { 5, 200, 17 }, { 9, 33, 0 } };
        var rng = new Random(300);
        for (int i = 0; i < 4; i++)
        {
            data.Add(rng.Next(1, 90), rng.Next(1, 90), rng.Next(1, 90));
        }
        return data;
    }

    /// <summary>The family's GEMM: the ILGPU tiled GEMM, or the CPU family's panel GEMM (B packed on the device first, checked too).</summary>
    [Theory]
    [MemberData(nameof(GemmShapes))]
    public void GemmMatchesReference(int m, int n, int k)
    {
        var (a, b) = GemmInputs(m, n, k);
        using var da = Upload(a);
        using var db = Upload(b);
        using var dc = Filled(m * n, float.NaN);
        if (Family == KernelFamily.Ilgpu)
        {
            // Both launch shapes: 16×16 threads (64×64 tiles) and 8×8 (32×32 tiles); and the row-block GEMM.
            TiledGemmKernels.Multiply(Dev, da.View, db.View, dc.View, m, n, k, TiledGemmKernels.SmallThreads);
            AssertGemm(a, b, Download(dc), m, n, k);
            Elementwise.Fill(Dev, Family, dc.View, float.NaN);
            TiledGemmKernels.MultiplyBiasRowBlocks(Dev, da.View, k, db.View, default, dc.View, n, m, n, k, accumulate: false);
            AssertGemm(a, b, Download(dc), m, n, k);
            Elementwise.Fill(Dev, Family, dc.View, float.NaN);
            TiledGemmKernels.Multiply(Dev, da.View, db.View, dc.View, m, n, k);
        }
        else
        {
            using var packed = Filled(PanelGemmCpu.PackedLength(k, n), float.NaN);
            PanelGemmCpu.Pack(Dev, db.View, packed.View, k, n);
            Assert.Equal(GemmReference.PackB(b, k, n), Download(packed));
            PanelGemmCpu.Multiply(Dev, da.View, packed.View, dc.View, m, n, k);
        }
        AssertGemm(a, b, Download(dc), m, n, k);
    }

    private static (float[] A, float[] B) GemmInputs(int m, int n, int k)
    {
        var rng = new Random(m * 10007 + n * 101 + k);
        return (RandomFloats(rng, m * k), RandomFloats(rng, k * n));
    }

    private static void AssertGemm(float[] a, float[] b, float[] got, int m, int n, int k)
    {
        var (c, abs) = GemmReference.Multiply(a, b, m, n, k);
        for (int i = 0; i < c.Length; i++)
        {
            // Any summation order, with or without FMA: |error| ≤ k · 2^-24 · Σ|a·b| (plus slack).
            double tolerance = (k + 2) * Math.ScaleB(1.0, -24) * abs[i];
            Assert.True(Math.Abs(got[i] - c[i]) <= tolerance,
                Invariant($"C[{i / n}, {i % n}] of {m}x{k}·{k}x{n}: {got[i]} vs {c[i]} (tolerance {tolerance})"));
        }
    }
}
