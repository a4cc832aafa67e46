using Hilo.Ilgpu.Kernels.Gemm;

namespace Hilo.Ilgpu.Tests.Kernels;

/// <summary>Kernels only the CPU family has (they run on the CPU accelerator alone), against their references.</summary>
public sealed class CpuFamilyKernelTests(CpuFamilyFixture fixture) : IClassFixture<CpuFamilyFixture>
{
    private ComputeDevice Device => fixture.Get();

    private static float[] RandomFloats(Random rng, int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];

    [Fact]
    public void PackTransposedKernelMatchesHostPacking()
    {
        const int K = 37, N = 45, Ld = 40;
        var rng = new Random(11);
        float[] bt = RandomFloats(rng, N * Ld);
        float[] dense = new float[N * K];
        for (int c = 0; c < N; c++)
        {
            Array.Copy(bt, c * Ld, dense, c * K, K);
        }
        using var source = Device.Upload(bt, bt.Length);
        using var packed = Device.Upload(Enumerable.Repeat(float.NaN, PanelGemmCpu.PackedLength(K, N)).ToArray(), PanelGemmCpu.PackedLength(K, N));
        PanelGemmCpu.PackTransposed(Device.Kernels, source.View, Ld, packed.View, K, N);
        Assert.Equal(PanelGemmCpu.PackTransposedOnHost(dense, K, N), packed.ToArray());
    }

    /// <summary>Shapes × both micro-kernels (8×32 for AVX-512, 6×16 halves without) × whole K or K in chunks.</summary>
    public static TheoryData<int, int, int, bool, bool, bool, bool> PanelGemmCases()
    {
        var data = new TheoryData<int, int, int, bool, bool, bool, bool>();
        (int M, int N, int K, bool Accumulate, bool Gelu)[] shapes =
        [
            (70, 45, 600, false, false), (9, 100, 513, true, false), (33, 64, 257, false, true), (130, 31, 256, false, true),
            // One row; a panel whose second half is padding (N = 16) or holds one column (N = 17); K = 1.
            (1, 16, 7, true, false), (13, 17, 1, false, true), (6, 48, 3, false, false),
        ];
        foreach (var s in shapes)
        {
            foreach (bool wide in new[] { true, false })
            {
                foreach (bool chunks in new[] { true, false })
                {
                    data.Add(s.M, s.N, s.K, s.Accumulate, s.Gelu, wide, chunks);
                }
            }
        }
        return data;
    }

    /// <summary>
    /// The panel GEMM against float64 with each micro-kernel, whole K or K in chunks (several, and a short last one):
    /// partial row blocks and panels, strided rows, and each epilogue (bias; GELU after the last chunk only; residual
    /// added once).
    /// </summary>
    [Theory]
    [MemberData(nameof(PanelGemmCases))]
    public void PanelGemmMatchesReference(int m, int n, int k, bool accumulate, bool gelu, bool wide, bool kChunks)
    {
        var rng = new Random(m + n + k);
        int lda = k + 5, ldc = n + 3;
        float[] a = RandomFloats(rng, m * lda);
        float[] w = RandomFloats(rng, n * k);
        float[] bias = RandomFloats(rng, n);
        float[] c0 = RandomFloats(rng, m * ldc);
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
                    sum = 0.5 * sum * (1 + Hilo.Ilgpu.Kernels.Layers.Basic.KernelMath.Erf(sum / Math.Sqrt(2)));
                }
                expected[r * ldc + j] = accumulate ? expected[r * ldc + j] + sum : sum;
            }
        }
        var paddedBias = new float[PanelGemmCpu.PaddedBiasLength(n)];
        bias.CopyTo(paddedBias, 0);
        using var da = Device.Upload(a, a.Length);
        using var db = Device.Upload(paddedBias, paddedBias.Length);
        var packed = PanelGemmCpu.PackTransposedOnHost(w, k, n);
        using var dw = Device.Upload(packed, packed.Length);
        using var dc = Device.Upload(c0, c0.Length);
        PanelGemmCpu.MultiplyBiasWith(wide, Device.Kernels, da.View, lda, dw.View, db.View, dc.View, ldc, m, n, k, accumulate, gelu, kChunks);
        float[] got = dc.ToArray();
        for (int i = 0; i < got.Length; i++)
        {
            double tolerance = 1e-5 * (k + 2) * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(got[i] - expected[i]) <= tolerance, $"element {i} (row {i / ldc}, column {i % ldc}): {got[i]} vs {expected[i]}");
        }
    }
}
