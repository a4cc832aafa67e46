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
/// Each group of T×T threads computes a 4T×4T tile of C; each thread holds a 4×4 block of it in registers (rows
/// <c>ty + T·i</c>, columns <c>tx + T·j</c>, so that shared-memory reads are conflict-free and stores to C coalesced).
/// Tiles of A (4T×16) and B (16×4T) are staged through shared memory, one 16-wide slice of K at a time: each loaded
/// element serves 4T multiply-adds in the group. Two launch shapes: T = 16 (64×64 tiles, 256 threads: large
/// matrices on GPUs) and T = 8 (32×32 tiles, 64 threads: small matrices, more groups; cheaper barriers on ILGPU's CPU
/// accelerator). The tuner picks per device and shape.
/// </summary>
public static class TiledGemmKernels
{
    /// <summary>Threads per group along x and y of the large launch shape (16×16 = 256; 64×64 tiles).</summary>
    public const int Threads = 16;

    /// <summary>Threads per group along x and y of the small launch shape (8×8 = 64; 32×32 tiles).</summary>
    public const int SmallThreads = 8;

    /// <summary>Rows and columns of C per group of the large shape.</summary>
    public const int Tile = 4 * Threads;

    /// <summary>Slice of K staged per step.</summary>
    public const int TileK = 16;

    /// <summary>
    /// The tiled GEMM kernel with T = <c>Group.DimX</c> (= <c>Group.DimY</c>, 8 or 16); grid (ceil(N/4T), ceil(M/4T))
    /// of T×T groups (<see cref="MultiplyBias"/>).
    /// </summary>
    [IlgpuKernel("gemm")]
    public static void TiledGemm(ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs g)
    {
        // Sized for the large shape; the small one uses the first quarter. A is stored k-major (tileA[kk·4T + row])
        // so that a thread's four A values for one kk sit T apart.
        var tileA = SharedMemory.Allocate<float>(TileK * Tile);
        var tileB = SharedMemory.Allocate<float>(TileK * Tile);
        int threads = Group.DimX;
        int tile = 4 * threads;
        int tx = Group.IdxX;
        int ty = Group.IdxY;
        int tid = ty * threads + tx;
        int perThread = tile * TileK / (threads * threads);
        Configs.Unfold((g.N + tile - 1) / tile, (g.M + tile - 1) / tile, out int tileX, out int tileY, out _);
        int row0 = tileY * tile;
        int col0 = tileX * tile;
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int t = 0; t < g.K; t += TileK)
        {
            // 4T·16 elements of each tile; consecutive threads read consecutive addresses.
            for (int l = 0; l < perThread; l++)
            {
                int e = tid + l * threads * threads;
                int r = e / TileK;
                int kk = e - r * TileK;
                int row = row0 + r;
                int kA = t + kk;
                tileA[kk * tile + r] = row < g.M && kA < g.K ? a[row * g.Lda + kA] : 0f;
                int kB = e / tile;
                int cc = e - kB * tile;
                int col = col0 + cc;
                int kRow = t + kB;
                tileB[kB * tile + cc] = kRow < g.K && col < g.N ? b[kRow * g.Ldb + col] : 0f;
            }
            SharedBarrier.Sync();
            for (int kk = 0; kk < TileK; kk++)
            {
                int at = kk * tile;
                float a0 = tileA[at + ty];
                float a1 = tileA[at + ty + threads];
                float a2 = tileA[at + ty + 2 * threads];
                float a3 = tileA[at + ty + 3 * threads];
                float b0 = tileB[at + tx];
                float b1 = tileB[at + tx + threads];
                float b2 = tileB[at + tx + 2 * threads];
                float b3 = tileB[at + tx + 3 * threads];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            SharedBarrier.Sync();
        }
        int r0 = row0 + ty;
        int q0 = col0 + tx;
        Store(bias, c, g, r0, q0, threads, c00, c01, c02, c03);
        Store(bias, c, g, r0 + threads, q0, threads, c10, c11, c12, c13);
        Store(bias, c, g, r0 + 2 * threads, q0, threads, c20, c21, c22, c23);
        Store(bias, c, g, r0 + 3 * threads, q0, threads, c30, c31, c32, c33);
    }

    /// <summary>Rows of C per thread of <see cref="RowBlockGemm"/>.</summary>
    public const int RowBlock = 8;

    /// <summary>Threads per group of <see cref="RowBlockGemm"/> (one column each).</summary>
    public const int RowBlockGroup = 32;

    /// <summary>
    /// A GEMM without shared memory or barriers: each thread computes 8 rows of one column of C in registers, reading
    /// B's row of the group's 32 columns (contiguous across the group: coalesced on GPUs, one vector load on CPU OpenCL
    /// runtimes, which run a group's threads as SIMD lanes) and the 8 A values every thread of the group shares.
    /// Suits CPU OpenCL devices (PoCL); the tuner measures it against the tiled shapes everywhere.
    /// Grid (ceil(N/32), ceil(M/8)) of 32×1 groups.
    /// </summary>
    [IlgpuKernel("gemm")]
    public static void RowBlockGemm(ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs g)
    {
        Configs.Unfold((g.N + RowBlockGroup - 1) / RowBlockGroup, (g.M + RowBlock - 1) / RowBlock, out int groupX, out int rowBlock, out _);
        int col = groupX * RowBlockGroup + Group.IdxX;
        int row0 = rowBlock * RowBlock;
        // Columns past N read column N-1 and rows past M row M-1 (valid memory); neither is stored.
        int bc = col < g.N ? col : g.N - 1;
        int r1 = Math.Min(row0 + 1, g.M - 1), r2 = Math.Min(row0 + 2, g.M - 1), r3 = Math.Min(row0 + 3, g.M - 1);
        int r4 = Math.Min(row0 + 4, g.M - 1), r5 = Math.Min(row0 + 5, g.M - 1), r6 = Math.Min(row0 + 6, g.M - 1), r7 = Math.Min(row0 + 7, g.M - 1);
        float c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
        for (int p = 0; p < g.K; p++)
        {
            float bv = b[p * g.Ldb + bc];
            c0 += a[row0 * g.Lda + p] * bv;
            c1 += a[r1 * g.Lda + p] * bv;
            c2 += a[r2 * g.Lda + p] * bv;
            c3 += a[r3 * g.Lda + p] * bv;
            c4 += a[r4 * g.Lda + p] * bv;
            c5 += a[r5 * g.Lda + p] * bv;
            c6 += a[r6 * g.Lda + p] * bv;
            c7 += a[r7 * g.Lda + p] * bv;
        }
        if (col >= g.N)
        {
            return;
        }
        StoreRow(bias, c, g, row0, col, c0);
        StoreRow(bias, c, g, row0 + 1, col, c1);
        StoreRow(bias, c, g, row0 + 2, col, c2);
        StoreRow(bias, c, g, row0 + 3, col, c3);
        StoreRow(bias, c, g, row0 + 4, col, c4);
        StoreRow(bias, c, g, row0 + 5, col, c5);
        StoreRow(bias, c, g, row0 + 6, col, c6);
        StoreRow(bias, c, g, row0 + 7, col, c7);
    }

    private static void StoreRow(ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs g, int row, int col, float value)
    {
        if (row < g.M)
        {
            StoreOne(bias, c, g, row, col, value);
        }
    }

    /// <summary>
    /// <see cref="MultiplyBias"/>'s result computed by <see cref="RowBlockGemm"/> (no shared memory, 8 rows per thread).
    /// </summary>
    public static void MultiplyBiasRowBlocks(KernelDevice device, ArrayView<float> a, int lda, ArrayView<float> b, ArrayView<float> bias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, bool gelu = false)
    {
        ArgumentNullException.ThrowIfNull(device);
        var args = CheckBias(a, lda, b, bias, c, ldc, m, n, k, accumulate, gelu);
        if (m == 0 || n == 0)
        {
            return;
        }
        device.Launch(RowBlockGemm, RowBlockShape(m, n), a, b, bias.Length > 0 ? bias : c, c, args);
    }

    /// <summary>The launch of <see cref="RowBlockGemm"/>: ⌈N/32⌉ × ⌈M/8⌉ groups of 32, folded along x (⌈M/8⌉ passes 65,535 from M = 524,281).</summary>
    internal static KernelConfig RowBlockShape(int m, int n) =>
        Configs.Folded((n + RowBlockGroup - 1) / RowBlockGroup, (m + RowBlock - 1) / RowBlock, 1, RowBlockGroup);

    /// <summary>The launch of <see cref="TiledGemm"/> with T×T threads a group: ⌈N/4T⌉ × ⌈M/4T⌉ tiles, folded along x.</summary>
    internal static KernelConfig TiledShape(int m, int n, int threads)
    {
        int tile = 4 * threads;
        return Configs.Folded((n + tile - 1) / tile, (m + tile - 1) / tile, 1, threads, threads);
    }

    private static void Store(ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs g, int row, int col, int step, float v0, float v1, float v2, float v3)
    {
        if (row >= g.M)
        {
            return;
        }
        StoreOne(bias, c, g, row, col, v0);
        StoreOne(bias, c, g, row, col + step, v1);
        StoreOne(bias, c, g, row, col + 2 * step, v2);
        StoreOne(bias, c, g, row, col + 3 * step, v3);
    }

    // The fused epilogue of one element (also BlockGemmKernels'): + bias[col], GELU, then store or add to C.
    internal static void StoreOne(ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs g, int row, int col, float value)
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

    /// <summary><c>C = A · B</c> for dense row-major A (M×K), B (K×N), C (M×N); <paramref name="threads"/> = 16 or 8 (the launch shape).</summary>
    public static void Multiply(KernelDevice device, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k, int threads = Threads)
    {
        GemmShape.Check(a, b, c, m, n, k);
        Launch(device, a, b, c, c, new TiledGemmArgs { M = m, N = n, K = k, Lda = k, Ldb = n, Ldc = n }, threads);
    }

    /// <summary>
    /// <c>C = [GELU](bias + A · B)</c> (or <c>C += bias + A · B</c> when <paramref name="accumulate"/>) with strided rows of
    /// A and C, B row-major K×N, and a bias of at least N elements (empty: no bias); <paramref name="threads"/> = 16 or 8.
    /// </summary>
    public static void MultiplyBias(KernelDevice device, ArrayView<float> a, int lda, ArrayView<float> b, ArrayView<float> bias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, bool gelu = false, int threads = Threads)
    {
        var args = CheckBias(a, lda, b, bias, c, ldc, m, n, k, accumulate, gelu);
        Launch(device, a, b, bias.Length > 0 ? bias : c, c, args, threads);
    }

    /// <summary>The argument checks of the bias-fused GEMMs (this class's and <see cref="BlockGemmKernels"/>'); <paramref name="kernel"/> names the kernel in the error.</summary>
    internal static TiledGemmArgs CheckBias(ArrayView<float> a, int lda, ArrayView<float> b, ArrayView<float> bias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, bool gelu, string kernel = "Tiled GEMM")
    {
        GemmShape.CheckStrided(a, lda, c, ldc, m, n, k);
        GemmShape.CheckEpilogue(accumulate, gelu);
        if (b.Length < (long)k * n || (bias.Length > 0 && bias.Length < n))
        {
            throw new ArgumentException($"{kernel} {m}x{k} · {k}x{n}: B needs {(long)k * n} elements (got {b.Length}), the bias {n} (got {bias.Length}).");
        }
        return new TiledGemmArgs
        {
            M = m, N = n, K = k, Lda = lda, Ldb = n, Ldc = ldc,
            HasBias = bias.Length > 0 ? 1 : 0, Gelu = gelu ? 1 : 0, Accumulate = accumulate ? 1 : 0,
        };
    }

    private static void Launch(KernelDevice device, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs args, int threads)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (threads is not (Threads or SmallThreads))
        {
            throw new ArgumentException($"Tiled GEMM: groups of {threads}×{threads} threads; use {Threads} or {SmallThreads}.", nameof(threads));
        }
        if (args.M == 0 || args.N == 0)
        {
            return;
        }
        device.Launch(TiledGemm, TiledShape(args.M, args.N, threads), a, b, bias, c, args);
    }
}
