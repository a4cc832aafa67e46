using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Gemm;

/// <summary>The block tile of a <see cref="BlockGemmKernels"/> launch.</summary>
public enum BlockTile
{
    /// <summary>128×128 tiles of C, 256 threads of 8×8 outputs (<see cref="BlockGemmKernels.BlockGemm128"/>).</summary>
    Tile128x128,

    /// <summary>64×96 tiles of C, 128 threads of 4×12 outputs (<see cref="BlockGemmKernels.BlockGemm64x96"/>).</summary>
    Tile64x96,
}

/// <summary>
/// The ILGPU GEMM written the way fast SGEMMs are: <c>C = [GELU](bias + A · B)</c> or <c>C += bias + A · B</c> (the
/// epilogues and argument checks of <see cref="TiledGemmKernels"/>), with a large block tile whose sizes are
/// compile-time constants (no division by a run-time group size), each thread holding a register block of C and
/// reading its A and B values from shared memory four at a time (one 16-byte load; see <see cref="Quad"/>), and the
/// 8-deep K slices double-buffered: the global loads of slice t+1 go to registers before slice t is multiplied, and
/// are stored to the other shared buffer after it, so one barrier per slice suffices and the load latency overlaps
/// the multiply-adds. Two kernels:
/// <list type="bullet">
/// <item><see cref="BlockGemm128"/>: 128×128 tiles, 256 threads, 8×8 outputs each: 64 FMAs per 16 shared floats
/// read (0.25 per FMA, 4 vector loads per 64 FMAs), 1/64 of a float loaded from global memory per output and K step.</item>
/// <item><see cref="BlockGemm64x96"/>: 64×96 tiles, 128 threads, 4×12 outputs each (0.33 shared floats per FMA).
/// 96 columns because every LITv2 width is 96·2^k (96, 192, …, 3072: a 128-wide tile leaves a quarter of the last
/// tile idle at N = 96 and 192), and 64 rows so that the small-M GEMMs of stage 4 (M = 49 per image) still give the
/// device a few groups per row of tiles; the tuner chooses between the shapes per device and GEMM.</item>
/// </list>
/// Shared tiles: A is stored k-major (<c>tileA[kk·S + row]</c>, S = rows + 4) so that a thread's four consecutive
/// rows are one aligned 16-byte read; the +4 padding puts the 8 k values × 4 rows that a warp stores for one global
/// load on 32 different banks (without it the 8 k values of one row would share a bank). B is stored as loaded
/// (<c>tileB[kk·N + col]</c>: a warp stores 32 consecutive floats). Reads: within a warp, the A reads are broadcasts
/// of 2 or 4 different 16-byte words, the B reads 16 (or 8) consecutive 16-byte words — conflict-free.
/// Partial tiles: rows, columns and k values past M, N and K are loaded as zeros and never stored.
/// </summary>
public static class BlockGemmKernels
{
    /// <summary>Depth of the K slice staged per step (each of the two shared buffers holds one).</summary>
    public const int SliceK = 8;

    /// <summary>Rows and columns of C per group of <see cref="BlockGemm128"/>.</summary>
    public const int Tile128 = 128;

    /// <summary>Threads per group of <see cref="BlockGemm128"/> (16 × 16, each 8×8 outputs).</summary>
    public const int Threads128 = 256;

    /// <summary>Rows of C per group of <see cref="BlockGemm64x96"/>.</summary>
    public const int NarrowRows = 64;

    /// <summary>Columns of C per group of <see cref="BlockGemm64x96"/>.</summary>
    public const int NarrowCols = 96;

    /// <summary>Threads per group of <see cref="BlockGemm64x96"/> (16 rows × 8 columns of threads, each 4×12 outputs).</summary>
    public const int NarrowThreads = 128;

    // Row stride of the k-major A tiles: rows + 4 (bank spread for the stores; a multiple of 4 keeps 16-byte reads aligned).
    private const int StrideA128 = Tile128 + 4;
    private const int StrideA64 = NarrowRows + 4;

    /// <summary>
    /// 128×128 tiles: grid ⌈N/128⌉ × ⌈M/128⌉ (folded along x) of 256-thread groups. Thread (tx, ty) = (id mod 16,
    /// id / 16) owns rows <c>4ty + i</c> and <c>64 + 4ty + i</c> and columns <c>4tx + j</c> and <c>64 + 4tx + j</c>
    /// (i, j &lt; 4): two runs of four in each direction, so each run is one 16-byte shared read and C's stores from a
    /// warp cover 64 consecutive floats of two rows.
    /// </summary>
    [IlgpuKernel("gemm")]
    public static void BlockGemm128(ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs g)
    {
        var tileA = SharedMemory.Allocate<Quad>(2 * SliceK * StrideA128 / 4);
        var tileB = SharedMemory.Allocate<Quad>(2 * SliceK * Tile128 / 4);
        var flatA = tileA.Cast<float>();
        var flatB = tileB.Cast<float>();
        int tid = Group.IdxX;
        int tx = tid & 15;
        int ty = tid >> 4;
        Configs.Unfold((g.N + Tile128 - 1) / Tile128, (g.M + Tile128 - 1) / Tile128, out int tileX, out int tileY, out _);
        int row0 = tileY * Tile128;
        int col0 = tileX * Tile128;
        // Loading a 128×8 slice of A: thread → row (id / 8) + 32l, k (id mod 8), l < 4; a warp reads 4 rows × 32 bytes.
        // Loading an 8×128 slice of B: thread → k (id / 128) + 2l, column (id mod 128); a warp reads 128 bytes of a row.
        int aRow = row0 + (tid >> 3);
        int aK = tid & 7;
        int aAt = aK * StrideA128 + (tid >> 3);
        int bK = tid >> 7;
        int bCol = col0 + (tid & 127);
        int bAt = bK * Tile128 + (tid & 127);
        float pa0 = LoadA(a, g, aRow, aK), pa1 = LoadA(a, g, aRow + 32, aK), pa2 = LoadA(a, g, aRow + 64, aK), pa3 = LoadA(a, g, aRow + 96, aK);
        float pb0 = LoadB(b, g, bK, bCol), pb1 = LoadB(b, g, bK + 2, bCol), pb2 = LoadB(b, g, bK + 4, bCol), pb3 = LoadB(b, g, bK + 6, bCol);
        flatA[aAt] = pa0; flatA[aAt + 32] = pa1; flatA[aAt + 64] = pa2; flatA[aAt + 96] = pa3;
        flatB[bAt] = pb0; flatB[bAt + 2 * Tile128] = pb1; flatB[bAt + 4 * Tile128] = pb2; flatB[bAt + 6 * Tile128] = pb3;
        SharedBarrier.Sync();
        Block8x8 acc = default;
        int buffer = 0;
        for (int t = 0; t < g.K; t += SliceK)
        {
            int next = t + SliceK;
            bool more = next < g.K;
            if (more)
            {
                pa0 = LoadA(a, g, aRow, next + aK); pa1 = LoadA(a, g, aRow + 32, next + aK);
                pa2 = LoadA(a, g, aRow + 64, next + aK); pa3 = LoadA(a, g, aRow + 96, next + aK);
                pb0 = LoadB(b, g, next + bK, bCol); pb1 = LoadB(b, g, next + bK + 2, bCol);
                pb2 = LoadB(b, g, next + bK + 4, bCol); pb3 = LoadB(b, g, next + bK + 6, bCol);
            }
            // In 16-byte words: the A slice of this buffer, then this thread's rows; the B slice, then its columns.
            int qa = buffer * (SliceK * StrideA128 / 4) + ty;
            int qb = buffer * (SliceK * Tile128 / 4) + tx;
            acc = acc.Slice(tileA, tileB, qa, qb);
            if (more)
            {
                // The other buffer: every thread finished reading it before the previous barrier.
                int other = (1 - buffer) * SliceK;
                int sa = other * StrideA128 + aAt;
                int sb = other * Tile128 + bAt;
                flatA[sa] = pa0; flatA[sa + 32] = pa1; flatA[sa + 64] = pa2; flatA[sa + 96] = pa3;
                flatB[sb] = pb0; flatB[sb + 2 * Tile128] = pb1; flatB[sb + 4 * Tile128] = pb2; flatB[sb + 6 * Tile128] = pb3;
            }
            SharedBarrier.Sync();
            buffer = 1 - buffer;
        }
        int rowA = row0 + 4 * ty;
        int rowB = rowA + 64;
        int col = col0 + 4 * tx;
        Store(bias, c, g, rowA, col, acc.R0);
        Store(bias, c, g, rowA + 1, col, acc.R1);
        Store(bias, c, g, rowA + 2, col, acc.R2);
        Store(bias, c, g, rowA + 3, col, acc.R3);
        Store(bias, c, g, rowB, col, acc.R4);
        Store(bias, c, g, rowB + 1, col, acc.R5);
        Store(bias, c, g, rowB + 2, col, acc.R6);
        Store(bias, c, g, rowB + 3, col, acc.R7);
    }

    /// <summary>
    /// 64×96 tiles: grid ⌈N/96⌉ × ⌈M/64⌉ (folded along x) of 128-thread groups. Thread (tx, ty) = (id mod 8, id / 8)
    /// owns rows <c>4ty + i</c> and columns <c>4tx + 32j + q</c> (i, q &lt; 4, j &lt; 3): one 16-byte A read and
    /// three 16-byte B reads per k for 48 multiply-adds.
    /// </summary>
    [IlgpuKernel("gemm")]
    public static void BlockGemm64x96(ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs g)
    {
        var tileA = SharedMemory.Allocate<Quad>(2 * SliceK * StrideA64 / 4);
        var tileB = SharedMemory.Allocate<Quad>(2 * SliceK * NarrowCols / 4);
        var flatA = tileA.Cast<float>();
        var flatB = tileB.Cast<float>();
        int tid = Group.IdxX;
        int tx = tid & 7;
        int ty = tid >> 3;
        Configs.Unfold((g.N + NarrowCols - 1) / NarrowCols, (g.M + NarrowRows - 1) / NarrowRows, out int tileX, out int tileY, out _);
        int row0 = tileY * NarrowRows;
        int col0 = tileX * NarrowCols;
        // A's 64×8 slice: thread → row (id / 8) + 16l, k (id mod 8), l < 4. B's 8×96 slice, 768 floats: element
        // id + 128l (l < 6) is k (id + 128l) / 96, column (id + 128l) mod 96: consecutive threads, consecutive floats.
        int aRow = row0 + (tid >> 3);
        int aK = tid & 7;
        int aAt = aK * StrideA64 + (tid >> 3);
        float pa0 = LoadA(a, g, aRow, aK), pa1 = LoadA(a, g, aRow + 16, aK), pa2 = LoadA(a, g, aRow + 32, aK), pa3 = LoadA(a, g, aRow + 48, aK);
        // The six (k, column) pairs of this thread's B elements, worked out once (a division by 96 each).
        int bk0 = tid / NarrowCols, bk1 = (tid + 128) / NarrowCols, bk2 = (tid + 256) / NarrowCols;
        int bk3 = (tid + 384) / NarrowCols, bk4 = (tid + 512) / NarrowCols, bk5 = (tid + 640) / NarrowCols;
        int bc0 = col0 + tid - bk0 * NarrowCols, bc1 = col0 + tid + 128 - bk1 * NarrowCols, bc2 = col0 + tid + 256 - bk2 * NarrowCols;
        int bc3 = col0 + tid + 384 - bk3 * NarrowCols, bc4 = col0 + tid + 512 - bk4 * NarrowCols, bc5 = col0 + tid + 640 - bk5 * NarrowCols;
        float pb0 = LoadB(b, g, bk0, bc0), pb1 = LoadB(b, g, bk1, bc1), pb2 = LoadB(b, g, bk2, bc2);
        float pb3 = LoadB(b, g, bk3, bc3), pb4 = LoadB(b, g, bk4, bc4), pb5 = LoadB(b, g, bk5, bc5);
        flatA[aAt] = pa0; flatA[aAt + 16] = pa1; flatA[aAt + 32] = pa2; flatA[aAt + 48] = pa3;
        flatB[tid] = pb0; flatB[tid + 128] = pb1; flatB[tid + 256] = pb2; flatB[tid + 384] = pb3; flatB[tid + 512] = pb4; flatB[tid + 640] = pb5;
        SharedBarrier.Sync();
        Block4x12 acc = default;
        int buffer = 0;
        for (int t = 0; t < g.K; t += SliceK)
        {
            int next = t + SliceK;
            bool more = next < g.K;
            if (more)
            {
                pa0 = LoadA(a, g, aRow, next + aK); pa1 = LoadA(a, g, aRow + 16, next + aK);
                pa2 = LoadA(a, g, aRow + 32, next + aK); pa3 = LoadA(a, g, aRow + 48, next + aK);
                pb0 = LoadB(b, g, next + bk0, bc0); pb1 = LoadB(b, g, next + bk1, bc1); pb2 = LoadB(b, g, next + bk2, bc2);
                pb3 = LoadB(b, g, next + bk3, bc3); pb4 = LoadB(b, g, next + bk4, bc4); pb5 = LoadB(b, g, next + bk5, bc5);
            }
            int qa = buffer * (SliceK * StrideA64 / 4) + ty;
            int qb = buffer * (SliceK * NarrowCols / 4) + tx;
            acc = acc.Slice(tileA, tileB, qa, qb);
            if (more)
            {
                int other = (1 - buffer) * SliceK;
                int sa = other * StrideA64 + aAt;
                int sb = other * NarrowCols + tid;
                flatA[sa] = pa0; flatA[sa + 16] = pa1; flatA[sa + 32] = pa2; flatA[sa + 48] = pa3;
                flatB[sb] = pb0; flatB[sb + 128] = pb1; flatB[sb + 256] = pb2; flatB[sb + 384] = pb3; flatB[sb + 512] = pb4; flatB[sb + 640] = pb5;
            }
            SharedBarrier.Sync();
            buffer = 1 - buffer;
        }
        int row = row0 + 4 * ty;
        int col = col0 + 4 * tx;
        Store(bias, c, g, row, col, acc.R0);
        Store(bias, c, g, row + 1, col, acc.R1);
        Store(bias, c, g, row + 2, col, acc.R2);
        Store(bias, c, g, row + 3, col, acc.R3);
    }

    // A[row, k], zero past M or K (the index is formed only inside the bounds).
    private static float LoadA(ArrayView<float> a, TiledGemmArgs g, int row, int k) =>
        row < g.M && k < g.K ? a[row * g.Lda + k] : 0f;

    // B[k, col], zero past K or N.
    private static float LoadB(ArrayView<float> b, TiledGemmArgs g, int k, int col) =>
        k < g.K && col < g.N ? b[k * g.Ldb + col] : 0f;

    private static void Store(ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs g, int row, int col, Row8 r)
    {
        if (row >= g.M)
        {
            return;
        }
        TiledGemmKernels.StoreOne(bias, c, g, row, col, r.C0);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 1, r.C1);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 2, r.C2);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 3, r.C3);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 64, r.C4);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 65, r.C5);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 66, r.C6);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 67, r.C7);
    }

    private static void Store(ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs g, int row, int col, Row12 r)
    {
        if (row >= g.M)
        {
            return;
        }
        TiledGemmKernels.StoreOne(bias, c, g, row, col, r.C0);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 1, r.C1);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 2, r.C2);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 3, r.C3);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 32, r.C4);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 33, r.C5);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 34, r.C6);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 35, r.C7);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 64, r.C8);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 65, r.C9);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 66, r.C10);
        TiledGemmKernels.StoreOne(bias, c, g, row, col + 67, r.C11);
    }

    /// <summary>The launch of <paramref name="tile"/> for an M×N result: ⌈N/width⌉ × ⌈M/height⌉ groups, folded along x.</summary>
    internal static KernelConfig Shape(int m, int n, BlockTile tile) => tile == BlockTile.Tile128x128
        ? Configs.Folded((n + Tile128 - 1) / Tile128, (m + Tile128 - 1) / Tile128, 1, Threads128)
        : Configs.Folded((n + NarrowCols - 1) / NarrowCols, (m + NarrowRows - 1) / NarrowRows, 1, NarrowThreads);

    /// <summary><c>C = A · B</c> for dense row-major A (M×K), B (K×N), C (M×N) with the given block tile.</summary>
    public static void Multiply(KernelDevice device, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k, BlockTile tile = BlockTile.Tile128x128)
    {
        GemmShape.Check(a, b, c, m, n, k);
        Launch(device, a, b, c, c, new TiledGemmArgs { M = m, N = n, K = k, Lda = k, Ldb = n, Ldc = n }, tile);
    }

    /// <summary>
    /// <c>C = [GELU](bias + A · B)</c> (or <c>C += bias + A · B</c> when <paramref name="accumulate"/>) with strided rows of
    /// A and C, B row-major K×N, and a bias of at least N elements (empty: no bias), as
    /// <see cref="TiledGemmKernels.MultiplyBias"/> with the same checks.
    /// </summary>
    public static void MultiplyBias(KernelDevice device, ArrayView<float> a, int lda, ArrayView<float> b, ArrayView<float> bias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, bool gelu = false, BlockTile tile = BlockTile.Tile128x128)
    {
        var args = TiledGemmKernels.CheckBias(a, lda, b, bias, c, ldc, m, n, k, accumulate, gelu, "Block GEMM");
        Launch(device, a, b, bias.Length > 0 ? bias : c, c, args, tile);
    }

    private static void Launch(KernelDevice device, ArrayView<float> a, ArrayView<float> b, ArrayView<float> bias, ArrayView<float> c, TiledGemmArgs args, BlockTile tile)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (tile is not (BlockTile.Tile128x128 or BlockTile.Tile64x96))
        {
            throw new ArgumentException($"Block GEMM: unknown tile {tile}; use {BlockTile.Tile128x128} or {BlockTile.Tile64x96}.", nameof(tile));
        }
        if (args.M == 0 || args.N == 0)
        {
            return;
        }
        if (tile == BlockTile.Tile128x128)
        {
            device.Launch(BlockGemm128, Shape(args.M, args.N, tile), a, b, bias, c, args);
        }
        else
        {
            device.Launch(BlockGemm64x96, Shape(args.M, args.N, tile), a, b, bias, c, args);
        }
    }

    /// <summary>
    /// Four floats read from shared memory as one value: ILGPU's PTX backend emits <c>ld.shared.v4.f32</c> for it
    /// (the shared tiles are declared as arrays of it, so they are 16-byte aligned; see docs/gpu.md).
    /// </summary>
    internal struct Quad
    {
        public float X, Y, Z, W;
    }

    // A thread's 8×8 register block. Slice: the 8 k steps of one shared slice, two per loop iteration. ILGPU does not
    // unroll loops; as a plain loop ptxas (sm_80) gives 106 registers but spends ~10 integer instructions of address
    // arithmetic per 64 FMAs; written out in full, ptxas hoists all 32 shared reads and needs 226 registers (one group
    // per SM); two steps per iteration: 120 (sm_80) / 119 (sm_90), so two 256-thread groups fit an SM.
    private struct Block8x8
    {
        public Row8 R0, R1, R2, R3, R4, R5, R6, R7;

        // qa, qb: this thread's first A and B word of the slice (16-byte words); a k step is StrideA128/4 and Tile128/4 words.
        public readonly Block8x8 Slice(ArrayView<Quad> tileA, ArrayView<Quad> tileB, int qa, int qb)
        {
            var acc = this;
            for (int kk = 0; kk < SliceK; kk += 2)
            {
                // Views starting at this step's words: the four reads are constant offsets from two addresses. Each
                // view ends after its last read (words 0, 16, S, S + 16): on the CPU accelerator a view past the
                // tile throws inside the kernel.
                var a = tileA.SubView(qa + kk * (StrideA128 / 4), StrideA128 / 4 + 17);
                var b = tileB.SubView(qb + kk * (Tile128 / 4), Tile128 / 4 + 17);
                acc = acc.Step(a, b, 0, 0).Step(a, b, StrideA128 / 4, Tile128 / 4);
            }
            return acc;
        }

        // One k: rows 4ty..4ty+3 and 64+4ty.. (words qa, qa+16) times columns 4tx.. and 64+4tx.. (words qb, qb+16).
        private readonly Block8x8 Step(ArrayView<Quad> tileA, ArrayView<Quad> tileB, int qa, int qb)
        {
            Quad a0 = tileA[qa], a1 = tileA[qa + 16], b0 = tileB[qb], b1 = tileB[qb + 16];
            return new()
            {
                R0 = R0.Fma(a0.X, b0, b1), R1 = R1.Fma(a0.Y, b0, b1), R2 = R2.Fma(a0.Z, b0, b1), R3 = R3.Fma(a0.W, b0, b1),
                R4 = R4.Fma(a1.X, b0, b1), R5 = R5.Fma(a1.Y, b0, b1), R6 = R6.Fma(a1.Z, b0, b1), R7 = R7.Fma(a1.W, b0, b1),
            };
        }
    }

    // A thread's 4×12 register block (BlockGemm64x96), as Block8x8.
    private struct Block4x12
    {
        public Row12 R0, R1, R2, R3;

        public readonly Block4x12 Slice(ArrayView<Quad> tileA, ArrayView<Quad> tileB, int qa, int qb)
        {
            var acc = this;
            for (int kk = 0; kk < SliceK; kk += 2)
            {
                // As in Block8x8.Slice; the views end after their last reads (A words 0, S; B 0, 8, 16, S, S + 8, S + 16).
                var a = tileA.SubView(qa + kk * (StrideA64 / 4), StrideA64 / 4 + 1);
                var b = tileB.SubView(qb + kk * (NarrowCols / 4), NarrowCols / 4 + 17);
                acc = acc.Step(a, b, 0, 0).Step(a, b, StrideA64 / 4, NarrowCols / 4);
            }
            return acc;
        }

        // One k: rows 4ty..4ty+3 (word qa) times columns 4tx.., 32+4tx.., 64+4tx.. (words qb, qb+8, qb+16).
        private readonly Block4x12 Step(ArrayView<Quad> tileA, ArrayView<Quad> tileB, int qa, int qb)
        {
            Quad a0 = tileA[qa], b0 = tileB[qb], b1 = tileB[qb + 8], b2 = tileB[qb + 16];
            return new()
            {
                R0 = R0.Fma(a0.X, b0, b1, b2), R1 = R1.Fma(a0.Y, b0, b1, b2), R2 = R2.Fma(a0.Z, b0, b1, b2), R3 = R3.Fma(a0.W, b0, b1, b2),
            };
        }
    }

    // One row of a thread's 8×8 register block: two runs of four columns, 64 apart.
    private struct Row8
    {
        public float C0, C1, C2, C3, C4, C5, C6, C7;

        public readonly Row8 Fma(float a, Quad b0, Quad b1) => new()
        {
            C0 = C0 + a * b0.X, C1 = C1 + a * b0.Y, C2 = C2 + a * b0.Z, C3 = C3 + a * b0.W,
            C4 = C4 + a * b1.X, C5 = C5 + a * b1.Y, C6 = C6 + a * b1.Z, C7 = C7 + a * b1.W,
        };
    }

    // One row of a thread's 4×12 register block: three runs of four columns, 32 apart.
    private struct Row12
    {
        public float C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11;

        public readonly Row12 Fma(float a, Quad b0, Quad b1, Quad b2) => new()
        {
            C0 = C0 + a * b0.X, C1 = C1 + a * b0.Y, C2 = C2 + a * b0.Z, C3 = C3 + a * b0.W,
            C4 = C4 + a * b1.X, C5 = C5 + a * b1.Y, C6 = C6 + a * b1.Z, C7 = C7 + a * b1.W,
            C8 = C8 + a * b2.X, C9 = C9 + a * b2.Y, C10 = C10 + a * b2.Z, C11 = C11 + a * b2.W,
        };
    }
}
