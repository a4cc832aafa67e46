using Hilo.Ilgpu.Kernels.Gemm;
using Hilo.Ilgpu.Kernels.Layers.Basic;

namespace Hilo.Ilgpu.Tests.Kernels;

/// <summary>
/// <see cref="BlockGemmKernels"/> (both block tiles) against the float64 <see cref="GemmReference"/> on every ILGPU
/// device: partial tiles in M, N and K (130×97×19 leaves a second row tile of 2 rows, 97 of 128 or 96 + 1 columns,
/// and a K slice of 3), M = 1, K = 1, K = 0, N = 96 exactly and N over 128; the fused epilogues with strided A and C
/// (C a column slice whose neighbours must stay untouched); and the argument checks.
/// </summary>
public abstract class BlockGemmTests(DeviceFixture fixture)
{
    private KernelDevice Dev => fixture.Kernels;

    private static readonly BlockTile[] Tiles = [BlockTile.Tile128x128, BlockTile.Tile64x96];

    /// <summary>Each shape with each tile.</summary>
    public static TheoryData<BlockTile, int, int, int> Shapes()
    {
        var data = new TheoryData<BlockTile, int, int, int>();
        int[][] shapes = [[130, 97, 19], [1, 130, 9], [129, 20, 1], [64, 96, 16], [3, 200, 17], [5, 7, 0]];
        foreach (var tile in Tiles)
        {
            foreach (int[] s in shapes)
            {
                data.Add(tile, s[0], s[1], s[2]);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BlockGemmMatchesTheFloat64Reference(BlockTile tile, int m, int n, int k)
    {
        var rng = new Random(m * 10007 + n * 101 + k);
        float[] a = RandomFloats(rng, m * k), b = RandomFloats(rng, k * n);
        using var da = Dev.Upload(a);
        using var db = Dev.Upload(b);
        using var dc = Dev.Upload(Enumerable.Repeat(float.NaN, m * n).ToArray());
        BlockGemmKernels.Multiply(Dev, da.View, db.View, dc.View, m, n, k, tile);
        var got = new float[m * n];
        Dev.CopyToHost(dc.View, got);
        var (c, abs) = GemmReference.Multiply(a, b, m, n, k);
        for (int i = 0; i < c.Length; i++)
        {
            // Any summation order, with or without FMA: |error| ≤ (k + 2) · 2^-24 · Σ|a·b|; K = 0 must give exact zeros.
            double tolerance = (k + 2) * Math.ScaleB(1.0, -24) * abs[i];
            Assert.True(Math.Abs(got[i] - c[i]) <= tolerance, $"{tile} {m}x{k}·{k}x{n}: C[{i / n}, {i % n}] = {got[i]}, expected {c[i]} (± {tolerance})");
        }
    }

    /// <summary>Epilogue cases: each with each tile.</summary>
    public static TheoryData<BlockTile, int, int, int, bool, bool, bool> Epilogues()
    {
        var data = new TheoryData<BlockTile, int, int, int, bool, bool, bool>();
        foreach (var tile in Tiles)
        {
            data.Add(tile, 130, 97, 19, true, false, false); // bias, partial tiles everywhere
            data.Add(tile, 9, 33, 20, true, false, true);    // bias + GELU
            data.Add(tile, 70, 100, 7, true, true, false);   // bias, added to C (fused residual)
            data.Add(tile, 1, 1, 1, false, false, true);     // no bias, GELU, one element
            data.Add(tile, 66, 130, 9, false, true, false);  // no bias, added to C, N over 128
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Epilogues))]
    public void BlockGemmEpiloguesMatchTheFloat64Reference(BlockTile tile, int m, int n, int k, bool hasBias, bool accumulate, bool gelu)
    {
        var rng = new Random(m * 31 + n * 7 + k);
        int lda = k + 3, ldc = n + 5, offset = 2;
        float[] a = RandomFloats(rng, m * lda), b = RandomFloats(rng, k * n), bias = RandomFloats(rng, n);
        float[] c0 = RandomFloats(rng, m * ldc + offset);
        // Expected: every element of C as it was, except the M×N slice at offset (stride ldc).
        var expected = c0.Select(v => (double)v).ToArray();
        for (int r = 0; r < m; r++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = hasBias ? bias[j] : 0;
                for (int p = 0; p < k; p++)
                {
                    sum += (double)a[r * lda + p] * b[p * n + j];
                }
                if (gelu)
                {
                    sum = 0.5 * sum * (1 + KernelMath.Erf(sum / Math.Sqrt(2)));
                }
                int at = offset + r * ldc + j;
                expected[at] = accumulate ? expected[at] + sum : sum;
            }
        }
        using var da = Dev.Upload(a);
        using var db = Dev.Upload(b);
        using var dbias = Dev.Upload(bias);
        using var dc = Dev.Upload(c0);
        BlockGemmKernels.MultiplyBias(Dev, da.View, lda, db.View, hasBias ? dbias.View : default, dc.View.SubView(offset, c0.Length - offset),
            ldc, m, n, k, accumulate, gelu, tile);
        var got = new float[c0.Length];
        Dev.CopyToHost(dc.View, got);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-5 * (k + 2) * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(got[i] - expected[i]) <= tolerance, $"{tile} {m}x{n}x{k}: element {i}: {got[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void BlockGemmRefusesBadArgumentsByName()
    {
        using var a = Dev.Upload(new float[8]);
        using var b = Dev.Upload(new float[3]);
        using var c = Dev.Upload(new float[8]);
        var e = Assert.Throws<ArgumentException>(() => BlockGemmKernels.MultiplyBias(Dev, a.View, 2, b.View, default, c.View, 2, 2, 2, 2, accumulate: true, gelu: true));
        Assert.Contains("GELU and accumulate", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => BlockGemmKernels.MultiplyBias(Dev, a.View, 2, b.View, default, c.View, 2, 2, 2, 2, accumulate: false));
        Assert.Contains("Block GEMM 2x2 · 2x2: B needs 4 elements (got 3)", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => BlockGemmKernels.MultiplyBias(Dev, a.View, 1, b.View, default, c.View, 2, 2, 2, 2, accumulate: false));
        Assert.Contains("strides", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => BlockGemmKernels.Multiply(Dev, a.View, a.View, c.View, 2, 2, 2, (BlockTile)7));
        Assert.Contains("Block GEMM: unknown tile 7", e.Message, StringComparison.Ordinal);
    }

    private static float[] RandomFloats(Random rng, int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
}

public sealed class IlgpuCpuBlockGemmTests(IlgpuCpuFixture fixture) : BlockGemmTests(fixture), IClassFixture<IlgpuCpuFixture>;

public sealed class OpenCLBlockGemmTests(OpenCLFixture fixture) : BlockGemmTests(fixture), IClassFixture<OpenCLFixture>;

public sealed class CudaBlockGemmTests(CudaFixture fixture) : BlockGemmTests(fixture), IClassFixture<CudaFixture>;
