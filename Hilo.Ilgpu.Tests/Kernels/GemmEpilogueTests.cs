using Hilo.Ilgpu.Kernels.Gemm;
using Hilo.Ilgpu.Kernels.Layers.Basic;

namespace Hilo.Ilgpu.Tests.Kernels;

public abstract partial class KernelSuite
{
    /// <summary>
    /// The fused epilogues of the family's GEMM against float64: <c>C = [C +] [GELU](A·B + bias)</c> with strided A and C
    /// rows (C a column slice of a wider matrix whose other columns must stay untouched).
    /// </summary>
    [Theory]
    [InlineData(1, 1, 1, false, true)]
    [InlineData(9, 33, 20, false, true)]
    [InlineData(17, 64, 48, false, true)]
    [InlineData(40, 96, 7, true, false)]
    [InlineData(3, 40, 65, false, false)]
    public void GemmEpiloguesMatchReference(int m, int n, int k, bool accumulate, bool gelu)
    {
        var rng = new Random(m * 31 + n * 7 + k);
        int lda = k + 3, ldc = n + 5, offset = 2;
        var a = RandomFloats(rng, m * lda);
        var w = RandomFloats(rng, n * k); // [out, in], as a Linear weight
        var bias = RandomFloats(rng, n);
        var c0 = RandomFloats(rng, m * ldc + offset);
        var expected = c0.Select(v => (double)v).ToArray();
        for (int r = 0; r < m; r++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = bias[j];
                for (int p = 0; p < k; p++)
                {
                    sum += (double)a[r * lda + p] * w[j * k + p];
                }
                if (gelu)
                {
                    sum = 0.5 * sum * (1 + KernelMath.Erf(sum / Math.Sqrt(2)));
                }
                int at = offset + r * ldc + j;
                expected[at] = accumulate ? expected[at] + sum : sum;
            }
        }
        using var da = Upload(a);
        var paddedBias = new float[PanelGemmCpu.PaddedBiasLength(n)];
        bias.CopyTo(paddedBias, 0);
        using var dbias = Upload(paddedBias);
        using var dc = Upload(c0);
        var target = dc.View.SubView(offset, c0.Length - offset);
        if (Family == KernelFamily.Cpu)
        {
            using var packed = Upload(PanelGemmCpu.PackTransposedOnHost(w, k, n));
            PanelGemmCpu.MultiplyBias(Dev, da.View, lda, packed.View, dbias.View, target, ldc, m, n, k, accumulate, gelu);
            AssertClose(expected, Download(dc), k, "panel");
            return;
        }
        var transposed = new float[k * n];
        for (int j = 0; j < n; j++)
        {
            for (int p = 0; p < k; p++)
            {
                transposed[p * n + j] = w[j * k + p];
            }
        }
        using var wt = Upload(transposed);
        TiledGemmKernels.MultiplyBias(Dev, da.View, lda, wt.View, dbias.View, target, ldc, m, n, k, accumulate, gelu);
        AssertClose(expected, Download(dc), k, "tiled");
        using var dc2 = Upload(c0);
        TiledGemmKernels.MultiplyBiasRowBlocks(Dev, da.View, lda, wt.View, dbias.View, dc2.View.SubView(offset, c0.Length - offset), ldc, m, n, k, accumulate, gelu);
        AssertClose(expected, Download(dc2), k, "row blocks");
    }

    [Fact]
    public void GeluWithAccumulateIsRefused()
    {
        using var a = Upload(new float[4]);
        using var w = Upload(new float[PanelGemmCpu.PackedLength(2, 2)]);
        using var bias = Upload(new float[PanelGemmCpu.PaddedBiasLength(2)]);
        using var c = Upload(new float[4]);
        var e = Family == KernelFamily.Cpu
            ? Assert.Throws<ArgumentException>(() => PanelGemmCpu.MultiplyBias(Dev, a.View, 2, w.View, bias.View, c.View, 2, 2, 2, 2, accumulate: true, gelu: true))
            : Assert.Throws<ArgumentException>(() => TiledGemmKernels.MultiplyBias(Dev, a.View, 2, w.View, bias.View, c.View, 2, 2, 2, 2, accumulate: true, gelu: true));
        Assert.Contains("GELU and accumulate", e.Message, StringComparison.Ordinal);
    }

    private static void AssertClose(double[] expected, float[] got, int k, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-5 * (k + 2) * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(got[i] - expected[i]) <= tolerance, $"{what}: element {i}: {got[i]} vs {expected[i]}");
        }
    }
}
