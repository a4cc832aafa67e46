using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Gemm;

/// <summary>The geometry and epilogue of one tiled GEMM launch (kernel parameters are few and unmanaged).</summary>
public struct TiledGemmArgs
{
    /// <summary>Rows of A and C.</summary>
    public int M;

    /// <summary>Columns of B and C.</summary>
    public int N;

    /// <summary>Columns of A, rows of B.</summary>
    public int K;

    /// <summary>Row stride of A (≥ K).</summary>
    public int Lda;

    /// <summary>Row stride of B (≥ N).</summary>
    public int Ldb;

    /// <summary>Row stride of C (≥ N).</summary>
    public int Ldc;

    /// <summary>1: add <c>bias[col]</c>; 0: no bias (the bias view is not read).</summary>
    public int HasBias;

    /// <summary>1: pass the result through GELU (erf form) before storing.</summary>
    public int Gelu;

    /// <summary>1: add the result to C (a fused residual add) instead of storing it.</summary>
    public int Accumulate;
}

/// <summary>
/// The ILGPU GEMM: <c>C = [GELU](bias + A · B)</c> or <c>C += bias + A · B</c> for row-major A, B, C with row strides.
/// Each group of 16×16 threads computes a 64×64 tile of C; each thread holds a 4×4 block of it in registers
/// (rows <c>ty + 16i</c>, columns <c>tx + 16j</c>, so that shared-memory reads are conflict-free and stores to C are
/// coalesced). Tiles of A (64×16) and B (16×64) are staged through shared memory, one 16-wide slice of K at a time:
/// each loaded element serves 64 (A) or 64 (B) multiply-adds in the group.
/// </summary>
public static class TiledGemmKernels
{
    /// <summary>Rows and columns of C per group.</summary>
    public const int Tile = 64;

    /// <summary>Slice of K staged per step.</summary>
    public const int TileK = 16;

    /// <summary>Threads per group along x and y (16×16 = 256).</summary>
    public const int Threads = 16;

    /// <summary>The tiled GEMM kernel; grid (ceil(N/64), ceil(M/64)) of 16×16 groups (<see cref="MultiplyBias"/>).</summary>
    [IlgpuKernel("gemm")]
    public static void TiledGemm(ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs g)
    {
        // A slice stored k-major (tileA[kk·64 + row]) so that a thread's four A values for one kk sit 16 apart.
        var tileA = SharedMemory.Allocate<float>(TileK * Tile);
        var tileB = SharedMemory.Allocate<float>(TileK * Tile);
        int tx = Group.IdxX;
        int ty = Group.IdxY;
        int tid = ty * Threads + tx;
        int row0 = Grid.IdxY * Tile;
        int col0 = Grid.IdxX * Tile;
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int t = 0; t < g.K; t += TileK)
        {
            // 1024 elements of each tile, four per thread; consecutive threads read consecutive addresses.
            for (int l = 0; l < 4; l++)
            {
                int e = tid + l * Threads * Threads;
                int r = e / TileK;
                int kk = e - r * TileK;
                int row = row0 + r;
                int kA = t + kk;
                tileA[kk * Tile + r] = row < g.M && kA < g.K ? a[row * g.Lda + kA] : 0f;
                int kB = e / Tile;
                int cc = e - kB * Tile;
                int col = col0 + cc;
                int kRow = t + kB;
                tileB[kB * Tile + cc] = kRow < g.K && col < g.N ? b[kRow * g.Ldb + col] : 0f;
            }
            Group.Barrier();
            for (int kk = 0; kk < TileK; kk++)
            {
                float a0 = tileA[kk * Tile + ty];
                float a1 = tileA[kk * Tile + ty + 16];
                float a2 = tileA[kk * Tile + ty + 32];
                float a3 = tileA[kk * Tile + ty + 48];
                float b0 = tileB[kk * Tile + tx];
                float b1 = tileB[kk * Tile + tx + 16];
                float b2 = tileB[kk * Tile + tx + 32];
                float b3 = tileB[kk * Tile + tx + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }
        int r0 = row0 + ty;
        int q0 = col0 + tx;
        Store(bias, c, g, r0, q0, c00, c01, c02, c03);
        Store(bias, c, g, r0 + 16, q0, c10, c11, c12, c13);
        Store(bias, c, g, r0 + 32, q0, c20, c21, c22, c23);
        Store(bias, c, g, r0 + 48, q0, c30, c31, c32, c33);
    }

    private static void Store(ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs g, int row, int col, float v0, float v1, float v2, float v3)
    {
        if (row >= g.M)
        {
            return;
        }
        StoreOne(bias, c, g, row, col, v0);
        StoreOne(bias, c, g, row, col + 16, v1);
        StoreOne(bias, c, g, row, col + 32, v2);
        StoreOne(bias, c, g, row, col + 48, v3);
    }

    private static void StoreOne(ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs g, int row, int col, float value)
    {
        if (col >= g.N)
        {
            return;
        }
        if (g.HasBias != 0)
        {
            value += bias[col];
        }
        if (g.Gelu != 0)
        {
            value = KernelMath.Gelu(value);
        }
        int at = row * g.Ldc + col;
        c[at] = g.Accumulate != 0 ? c[at] + value : value;
    }

    /// <summary><c>C = A · B</c> for dense row-major A (M×K), B (K×N), C (M×N).</summary>
    public static void Multiply(KernelDevice device, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k)
    {
        GemmShape.Check(a, b, c, m, n, k);
        Launch(device, a, b, c, c, new TiledGemmArgs { M = m, N = n, K = k, Lda = k, Ldb = n, Ldc = n });
    }

    /// <summary>
    /// <c>C = [GELU](bias + A · B)</c> (or <c>C += bias + A · B</c> when <paramref name="accumulate"/>) with strided rows of
    /// A and C, B row-major K×N, and a bias of at least N elements (empty: no bias).
    /// </summary>
    public static void MultiplyBias(KernelDevice device, ArrayView<float> a, int lda, ArrayView<float> b, ArrayView<float> bias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, bool gelu = false)
    {
        GemmShape.CheckStrided(a, lda, c, ldc, m, n, k);
        GemmShape.CheckEpilogue(accumulate, gelu);
        if (b.Length < (long)k * n || (bias.Length > 0 && bias.Length < n))
        {
            throw new ArgumentException($"Tiled GEMM {m}x{k} · {k}x{n}: B needs {(long)k * n} elements (got {b.Length}), the bias {n} (got {bias.Length}).");
        }
        var args = new TiledGemmArgs
        {
            M = m, N = n, K = k, Lda = lda, Ldb = n, Ldc = ldc,
            HasBias = bias.Length > 0 ? 1 : 0, Gelu = gelu ? 1 : 0, Accumulate = accumulate ? 1 : 0,
        };
        Launch(device, a, b, bias.Length > 0 ? bias : c, c, args);
    }

    private static void Launch(KernelDevice device, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (args.M == 0 || args.N == 0)
        {
            return;
        }
        var config = new KernelConfig(
            new Index2D((args.N + Tile - 1) / Tile, (args.M + Tile - 1) / Tile),
            new Index2D(Threads, Threads));
        device.Launch(TiledGemm, config, a, b, bias, c, args);
    }
}
