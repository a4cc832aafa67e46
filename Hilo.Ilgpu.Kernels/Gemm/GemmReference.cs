namespace Hilo.Ilgpu.Kernels.Gemm;

/// <summary>Plain C# GEMM with float64 accumulation: the reference for the GEMM kernels' tests.</summary>
public static class GemmReference
{
    /// <summary>
    /// <c>C = A · B</c> (row-major, M×K · K×N) accumulated in float64, and for each element the sum of
    /// |a·b| over k, which bounds the float32 rounding error of any summation order (≈ K · 2^-24 · that sum).
    /// </summary>
    public static (double[] C, double[] AbsSum) Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int m, int n, int k)
    {
        var c = new double[m * n];
        var abs = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                double av = a[i * k + p];
                for (int j = 0; j < n; j++)
                {
                    double prod = av * b[p * n + j];
                    c[i * n + j] += prod;
                    abs[i * n + j] += Math.Abs(prod);
                }
            }
        }
        return (c, abs);
    }

    /// <summary>B (K×N, row-major) packed as <see cref="PanelGemmCpu.Pack"/> does: zero-padded panels of <see cref="PanelGemmCpu.PanelWidth"/> columns.</summary>
    public static float[] PackB(ReadOnlySpan<float> b, int k, int n)
    {
        int w = PanelGemmCpu.PanelWidth;
        var packed = new float[PanelGemmCpu.PackedLength(k, n)];
        for (int col = 0; col < n; col++)
        {
            for (int p = 0; p < k; p++)
            {
                packed[col / w * k * w + p * w + col % w] = b[p * n + col];
            }
        }
        return packed;
    }
}
