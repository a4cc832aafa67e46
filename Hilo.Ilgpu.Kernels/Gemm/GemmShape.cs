using ILGPU;

namespace Hilo.Ilgpu.Kernels.Gemm;

/// <summary>Argument checks shared by the GEMM launchers of both families.</summary>
internal static class GemmShape
{
    /// <summary>Checks dense A (M×K), B (K×N) and C (M×N).</summary>
    public static void Check(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0 || a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
        {
            throw new ArgumentException(
                $"GEMM {m}x{k} · {k}x{n} needs views of at least {(long)m * k}, {(long)k * n} and {(long)m * n} elements; got {a.Length}, {b.Length}, {c.Length}.");
        }
    }

    /// <summary>Checks A (M rows of K, stride lda) and C (M rows of N, stride ldc) for the strided GEMMs.</summary>
    public static void CheckStrided(ArrayView<float> a, int lda, ArrayView<float> c, int ldc, int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0 || lda < k || ldc < n)
        {
            throw new ArgumentException($"GEMM {m}x{k} · {k}x{n} with row strides {lda} (A) and {ldc} (C): sizes must be ≥ 0 and strides at least K and N.");
        }
        long needA = m == 0 ? 0 : (long)(m - 1) * lda + k;
        long needC = m == 0 ? 0 : (long)(m - 1) * ldc + n;
        if (a.Length < needA || c.Length < needC)
        {
            throw new ArgumentException($"GEMM {m}x{k} · {k}x{n} with row strides {lda} (A) and {ldc} (C) needs views of at least {needA} and {needC} elements; got {a.Length} and {c.Length}.");
        }
        if (Math.Max(needA, needC) > int.MaxValue)
        {
            throw new ArgumentException($"GEMM {m}x{k} · {k}x{n}: views over 2^31 elements are not supported.");
        }
    }

    /// <summary>GELU is applied to the product before it reaches C, so it cannot combine with adding to C.</summary>
    public static void CheckEpilogue(bool accumulate, bool gelu)
    {
        if (accumulate && gelu)
        {
            throw new ArgumentException("GEMM epilogue: GELU and accumulate (C += …) cannot be combined; use one of them.");
        }
    }
}
