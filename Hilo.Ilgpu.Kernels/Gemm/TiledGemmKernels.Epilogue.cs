using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Gemm;

/// <summary>The tiled GEMM with strided A and C rows, a bias per column, optional GELU and optional accumulation into C.</summary>
public static partial class TiledGemmKernels
{
    /// <summary>
    /// <c>C[r, j] = bias[j] + Σₚ A[r, p]·B[p, j]</c>, passed through GELU (erf form) when <paramref name="gelu"/> ≠ 0,
    /// stored (or added to C when <paramref name="accumulate"/>; the launcher refuses both at once, as the panel GEMM); A rows at <c>a[r * lda]</c>, B row-major K×N, C rows
    /// at <c>c[r * ldc]</c>, <paramref name="bias"/> of at least N elements (zeros for no bias). Launch as <see cref="TiledGemm"/>.
    /// </summary>
    [Kernel]
    public static void TiledGemmBias(ArrayView<float> a, int lda, ArrayView<float> b, ArrayView<float> bias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, int gelu)
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
            tileA[ly * Tile + lx] = row < m && aCol < k ? a[row * lda + aCol] : 0f;
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
            int at = row * ldc + col;
            float value = acc + bias[col];
            if (gelu != 0)
            {
                value = Layers.Basic.ElementwiseKernels.GeluScalar(value);
            }
            c[at] = accumulate ? c[at] + value : value;
        }
    }

    /// <summary>Queues <c>C = [GELU](bias + A · B)</c> (or <c>C += ...</c>) with strided rows of A and C.</summary>
    public static void MultiplyBias(AcceleratorStream stream, ArrayView<float> a, int lda, ArrayView<float> b, ArrayView<float> bias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, bool gelu = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        GemmShape.CheckStrided(a, lda, c, ldc, m, n, k);
        GemmShape.CheckEpilogue(accumulate, gelu);
        if (b.Length < (long)k * n || bias.Length < n)
        {
            throw new ArgumentException($"Tiled GEMM {m}x{k} · {k}x{n}: B needs {(long)k * n} elements (got {b.Length}), the bias {n} (got {bias.Length}).");
        }
        if (m == 0 || n == 0)
        {
            return;
        }
        var groups = new Index3D((n + Tile - 1) / Tile, (m + Tile - 1) / Tile);
        stream.Launch(TiledGemmBiasKernel, LaunchDims.FromGroups(groups, new Index3D(Tile, Tile)), a, lda, b, bias, c, ldc, m, n, k, accumulate, gelu ? 1 : 0);
    }
}
