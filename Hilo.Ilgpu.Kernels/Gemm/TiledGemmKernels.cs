using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Gemm;

/// <summary>
/// GPU-style GEMM: <c>C = A · B</c> for row-major A (M×K), B (K×N), C (M×N). Each group of
/// <see cref="Tile"/>×<see cref="Tile"/> work-items computes one tile of C, staging tiles of A and B through
/// shared memory with barriers inside the loop over K. Good on GPUs; slow on CPU devices, which want
/// <see cref="PanelGemmKernels"/>.
/// </summary>
public static partial class TiledGemmKernels
{
    /// <summary>Tile edge: the group is Tile×Tile work-items, one per element of a C tile.</summary>
    public const int Tile = 16;

    /// <summary>
    /// One element of C per work-item (x = column, y = row). Launch over (N, M) rounded up to whole tiles
    /// with group (<see cref="Tile"/>, <see cref="Tile"/>); <see cref="Multiply"/> does that.
    /// </summary>
    [Kernel]
    public static void TiledGemm(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k)
    {
        var tileA = SharedMemory.Allocate<float>(Tile * Tile);
        var tileB = SharedMemory.Allocate<float>(Tile * Tile);
        int lx = Group.Index.X;
        int ly = Group.Index.Y;
        int col = Grid.GlobalIndex.X;
        int row = Grid.GlobalIndex.Y;
        float acc = 0f;
        for (int t = 0; t < k; t += Tile)
        {
            int aCol = t + lx;
            int bRow = t + ly;
            // Outside the matrices the tiles hold zeros, so edge tiles need no special case below.
            tileA[ly * Tile + lx] = row < m && aCol < k ? a[row * k + aCol] : 0f;
            tileB[ly * Tile + lx] = bRow < k && col < n ? b[bRow * n + col] : 0f;
            Group.Barrier();
            for (int e = 0; e < Tile; e++)
            {
                acc += tileA[ly * Tile + e] * tileB[e * Tile + lx];
            }
            Group.Barrier();
        }
        if (row < m && col < n)
        {
            c[row * n + col] = acc;
        }
    }

    /// <summary>Queues <c>C = A · B</c> on <paramref name="stream"/>.</summary>
    public static void Multiply(AcceleratorStream stream, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k)
    {
        ArgumentNullException.ThrowIfNull(stream);
        GemmShape.Check(a, b, c, m, n, k);
        var groups = new Index3D((n + Tile - 1) / Tile, (m + Tile - 1) / Tile);
        stream.Launch(TiledGemmKernel, LaunchDims.FromGroups(groups, new Index3D(Tile, Tile)), a, b, c, m, n, k);
    }
}

/// <summary>Argument checks shared by the GEMM launchers.</summary>
internal static class GemmShape
{
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
