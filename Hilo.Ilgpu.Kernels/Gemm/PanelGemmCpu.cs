using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Gemm;

/// <summary>
/// The CPU family's GEMM: <c>C = [GELU](bias + A · B)</c> or <c>C += A · B + bias</c>, row-major A (M×K, row stride
/// lda) and C (row stride ldc), B packed into panels of <see cref="PanelWidth"/> columns (<see cref="Pack"/>,
/// <see cref="PackTransposedOnHost"/>) so that each step of the K loop reads one contiguous row of a panel. A block of
/// <see cref="BlockRows"/>×32 of C lives in sixteen <see cref="Float16"/> accumulators: per k, two vector loads of B,
/// eight broadcasts of A and sixteen FMAs (DESIGN.md §6: ≈ 94% of peak with AVX-512). Work items are groups of
/// blocks (one by default; 4 row blocks of a panel, or 4 panels of a row block, share the panel or the A rows in
/// cache), spread over the cores.
/// </summary>
public static unsafe partial class PanelGemmCpu
{
    /// <summary>Columns of C per block and of each packed B panel (two <see cref="Float16"/>).</summary>
    public const int PanelWidth = 32;

    /// <summary>Rows of C per block with AVX-512 (sixteen 512-bit accumulators).</summary>
    public const int BlockRows = 8;

    /// <summary>
    /// Rows of C per block on this machine: <see cref="BlockRows"/> with AVX-512, <see cref="NarrowBlockRows"/> without
    /// (sixteen accumulators of two 256-bit halves each would need 32 registers; AVX2 has 16).
    /// </summary>
    public static int RowsPerBlock => WideKernel ? BlockRows : NarrowBlockRows;

    /// <summary>Whether this machine runs the 8×32 micro-kernel (AVX-512) rather than the 6×16 one.</summary>
    private static readonly bool WideKernel = Vector512.IsHardwareAccelerated;

    /// <summary>
    /// <see cref="MultiplyBias"/> with the micro-kernel chosen by the caller rather than by the hardware, so that the
    /// tests check both on any machine (the other one is correct everywhere, only slower).
    /// </summary>
    internal static void MultiplyBiasWith(bool wide, KernelDevice device, ArrayView<float> a, int lda, ArrayView<float> packedB, ArrayView<float> paddedBias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, bool gelu, bool kChunks) =>
        Run(device, a, lda, packedB, paddedBias, c, ldc, m, n, k, accumulate, gelu, kChunks ? 4 : 1, kChunks ? 8 : 1, kChunks ? KChunk : int.MaxValue, wide);

    /// <summary>Elements of the packed B for a K×N matrix: whole panels, zero-padded past column N.</summary>
    public static int PackedLength(int k, int n) => checked((n + PanelWidth - 1) / PanelWidth * k * PanelWidth);

    /// <summary>Length of a bias padded to whole panels (what the GEMM reads).</summary>
    public static int PaddedBiasLength(int n) => checked((n + PanelWidth - 1) / PanelWidth * PanelWidth);

    /// <summary>
    /// Packs B from its transpose on the host: <paramref name="bt"/> is N×K row-major (a PyTorch <c>[out, in]</c>
    /// weight); the result is what <see cref="Pack"/> makes of the K×N matrix B.
    /// </summary>
    public static float[] PackTransposedOnHost(ReadOnlySpan<float> bt, int k, int n)
    {
        if (k < 0 || n < 0 || bt.Length < (long)k * n)
        {
            throw new ArgumentException($"Packing a transposed {n}x{k} B needs {(long)k * n} elements; got {bt.Length}.");
        }
        var packed = new float[PackedLength(k, n)];
        for (int col = 0; col < n; col++)
        {
            int panelBase = col / PanelWidth * k * PanelWidth + col % PanelWidth;
            var source = bt.Slice(col * k, k);
            for (int p = 0; p < k; p++)
            {
                packed[panelBase + p * PanelWidth] = source[p];
            }
        }
        return packed;
    }

    /// <summary>
    /// Packs a K×N row-major B on the device: <c>packed[(col / 32)·K·32 + row·32 + col % 32] = b[row·N + col]</c>,
    /// zero past column N.
    /// </summary>
    public static void Pack(KernelDevice device, ArrayView<float> b, ArrayView<float> packed, int k, int n)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (k < 0 || n < 0 || b.Length < (long)k * n || packed.Length < PackedLength(k, n))
        {
            throw new ArgumentException($"Packing a {k}x{n} B needs {(long)k * n} source and {PackedLength(k, n)} packed elements.");
        }
        device.RunCpu(nameof(PanelGemmCpu) + "." + nameof(Pack), () =>
        {
            var src = HostView.Of(b);
            var dst = HostView.Of(packed);
            int panels = (n + PanelWidth - 1) / PanelWidth;
            CpuParallel.For(panels, panel =>
            {
                for (int row = 0; row < k; row++)
                {
                    for (int lane = 0; lane < PanelWidth; lane++)
                    {
                        int col = panel * PanelWidth + lane;
                        dst[panel * k * PanelWidth + row * PanelWidth + lane] = col < n ? src[row * n + col] : 0f;
                    }
                }
            });
        });
    }

    /// <summary>
    /// Packs B from its transpose <paramref name="bt"/> on the device (N×K row-major with row stride
    /// <paramref name="ldbt"/>: a PyTorch <c>[out, in]</c> weight, or attention keys); the result is what
    /// <see cref="PackTransposedOnHost"/> makes of the dense transpose.
    /// </summary>
    public static void PackTransposed(KernelDevice device, ArrayView<float> bt, int ldbt, ArrayView<float> packed, int k, int n)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (k < 0 || n < 0 || ldbt < k || (n > 0 && bt.Length < (long)(n - 1) * ldbt + k) || packed.Length < PackedLength(k, n))
        {
            throw new ArgumentException($"Packing a transposed {n}x{k} B (row stride {ldbt}) needs {(n > 0 ? (long)(n - 1) * ldbt + k : 0)} source and {PackedLength(k, n)} packed elements; got {bt.Length} and {packed.Length}.");
        }
        device.RunCpu(nameof(PanelGemmCpu) + "." + nameof(PackTransposed), () =>
        {
            var src = HostView.Of(bt);
            var dst = HostView.Of(packed);
            CpuParallel.For((n + PanelWidth - 1) / PanelWidth, panel =>
            {
                for (int lane = 0; lane < PanelWidth; lane++)
                {
                    int col = panel * PanelWidth + lane;
                    for (int row = 0; row < k; row++)
                    {
                        dst[panel * k * PanelWidth + row * PanelWidth + lane] = col < n ? src[col * ldbt + row] : 0f;
                    }
                }
            });
        });
    }

    /// <summary><c>C = A · B</c> (dense rows) with B packed by <see cref="Pack"/>.</summary>
    public static void Multiply(KernelDevice device, ArrayView<float> a, ArrayView<float> packedB, ArrayView<float> c, int m, int n, int k) =>
        Run(device, a, k, packedB, default, c, n, m, n, k, false, false, 1, 1);

    /// <summary>
    /// <c>C = [GELU](bias + A · B)</c> (or <c>C += bias + A · B</c> when <paramref name="accumulate"/>) with strided rows of
    /// A and C, B packed, and <paramref name="paddedBias"/> of <see cref="PaddedBiasLength"/> elements.
    /// </summary>
    public static void MultiplyBias(KernelDevice device, ArrayView<float> a, int lda, ArrayView<float> packedB, ArrayView<float> paddedBias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, bool gelu = false) =>
        MultiplyBiasGrouped(device, a, lda, packedB, paddedBias, c, ldc, m, n, k, accumulate, 1, 1, gelu);

    /// <summary>
    /// What <see cref="MultiplyBias"/> computes, with work items of <paramref name="panelsPerGroup"/> panels ×
    /// <paramref name="rowBlocksPerGroup"/> row blocks (which share B panels or A rows in cache).
    /// </summary>
    [CpuKernel("gemm")]
    public static void MultiplyBiasGrouped(KernelDevice device, ArrayView<float> a, int lda, ArrayView<float> packedB, ArrayView<float> paddedBias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, int panelsPerGroup, int rowBlocksPerGroup, bool gelu = false)
    {
        if (paddedBias.Length < PaddedBiasLength(n))
        {
            throw new ArgumentException($"Panel GEMM {m}x{k} · {k}x{n}: the padded bias needs {PaddedBiasLength(n)} elements, got {paddedBias.Length}.");
        }
        Run(device, a, lda, packedB, paddedBias, c, ldc, m, n, k, accumulate, gelu, panelsPerGroup, rowBlocksPerGroup);
    }

    /// <summary>The K chunk of <see cref="MultiplyBiasBlocked"/>: 256 × 32 floats of a B panel (32 KiB) fit L1.</summary>
    public const int KChunk = 256;

    /// <summary>
    /// What <see cref="MultiplyBias"/> computes, with K split into chunks of <see cref="KChunk"/> and work items of 4
    /// panels × 8 row blocks (128 columns × 64 rows): for each chunk, each panel's slice is reused by the item's 8 row
    /// blocks from L1, and the item's A rows by its 4 panels from L2.
    /// </summary>
    public static void MultiplyBiasBlocked(KernelDevice device, ArrayView<float> a, int lda, ArrayView<float> packedB, ArrayView<float> paddedBias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, bool gelu = false)
    {
        if (paddedBias.Length < PaddedBiasLength(n))
        {
            throw new ArgumentException($"Panel GEMM {m}x{k} · {k}x{n}: the padded bias needs {PaddedBiasLength(n)} elements, got {paddedBias.Length}.");
        }
        Run(device, a, lda, packedB, paddedBias, c, ldc, m, n, k, accumulate, gelu, 4, 8, KChunk);
    }

    private static void Run(KernelDevice device, ArrayView<float> a, int lda, ArrayView<float> packedB, ArrayView<float> bias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, bool gelu, int panelsPerGroup, int rowBlocksPerGroup, int kChunk = int.MaxValue, bool? wide = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(panelsPerGroup, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowBlocksPerGroup, 1);
        GemmShape.CheckStrided(a, lda, c, ldc, m, n, k);
        GemmShape.CheckEpilogue(accumulate, gelu);
        if (packedB.Length < PackedLength(k, n))
        {
            throw new ArgumentException($"Panel GEMM {m}x{k} · {k}x{n}: packed B needs {PackedLength(k, n)} elements, got {packedB.Length}.");
        }
        if (m == 0 || n == 0)
        {
            return;
        }
        bool hasBias = bias.Length > 0;
        device.RunCpu(nameof(PanelGemmCpu), () =>
        {
            var args = new Args(HostView.Of(a), lda, HostView.Of(packedB), hasBias ? HostView.Of(bias) : default, hasBias, HostView.Of(c), ldc, m, n, k, accumulate, gelu, wide ?? WideKernel);
            int panels = (n + PanelWidth - 1) / PanelWidth;
            int rows = args.Wide ? BlockRows : NarrowBlockRows;
            int rowBlocks = (m + rows - 1) / rows;
            int groupsX = (panels + panelsPerGroup - 1) / panelsPerGroup;
            int groupsY = (rowBlocks + rowBlocksPerGroup - 1) / rowBlocksPerGroup;
            CpuParallel.For(groupsX * groupsY, item =>
            {
                int gx = item % groupsX, gy = item / groupsX;
                int rowBlockEnd = Math.Min((gy + 1) * rowBlocksPerGroup, rowBlocks);
                int panelEnd = Math.Min((gx + 1) * panelsPerGroup, panels);
                if (kChunk >= k)
                {
                    for (int rb = gy * rowBlocksPerGroup; rb < rowBlockEnd; rb++)
                    {
                        for (int panel = gx * panelsPerGroup; panel < panelEnd; panel++)
                        {
                            BlockOf(args, panel, rb * rows, 0, k, first: true, last: true);
                        }
                    }
                    return;
                }
                // K in chunks: a chunk of a B panel (kChunk × 32) stays in L1 while every row block of the group
                // passes over it, and the group's A rows (chunk wide) stay in L2 across its panels.
                for (int k0 = 0; k0 < k; k0 += kChunk)
                {
                    int kc = Math.Min(kChunk, k - k0);
                    for (int panel = gx * panelsPerGroup; panel < panelEnd; panel++)
                    {
                        for (int rb = gy * rowBlocksPerGroup; rb < rowBlockEnd; rb++)
                        {
                            BlockOf(args, panel, rb * rows, k0, kc, first: k0 == 0, last: k0 + kc >= k);
                        }
                    }
                }
            });
        }, device.Profiler is null ? null : Shape(m, k, n), 2.0 * m * n * k); // the shape's text only when profiled
    }

    /// <summary>How a profiler names a GEMM's shape: <c>M×K×N</c> (rows, reduction, columns).</summary>
    internal static string Shape(int m, int k, int n) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{m}x{k}x{n}");

    /// <summary>
    /// <see cref="MultiplyBias"/> on the calling thread only, on host pointers: the GEMM a fused CPU kernel runs inside
    /// one of its own work items (<c>ConvFfnCpu</c>: one strip of rows of one image). <paramref name="paddedBias"/> may be
    /// null (no bias); otherwise it holds <see cref="PaddedBiasLength"/> elements.
    /// </summary>
    internal static void MultiplyOnThisThread(float* a, int lda, float* packedB, float* paddedBias, float* c, int ldc, int m, int n, int k, bool accumulate, bool gelu = false)
    {
        if (m <= 0 || n <= 0)
        {
            return;
        }
        var args = new Args(new HostView(a, (m - 1) * lda + k), lda, new HostView(packedB, PackedLength(k, n)),
            paddedBias is null ? default : new HostView(paddedBias, PaddedBiasLength(n)), paddedBias is not null,
            new HostView(c, (m - 1) * ldc + n), ldc, m, n, k, accumulate, gelu, WideKernel);
        int rows = RowsPerBlock, panels = (n + PanelWidth - 1) / PanelWidth;
        for (int row0 = 0; row0 < m; row0 += rows)
        {
            for (int panel = 0; panel < panels; panel++)
            {
                BlockOf(args, panel, row0, 0, k, first: true, last: true);
            }
        }
    }

    private readonly record struct Args(HostView A, int Lda, HostView PackedB, HostView Bias, bool HasBias, HostView C, int Ldc, int M, int N, int K, bool Accumulate, bool Gelu, bool Wide);

    /// <summary>
    /// The block of C at <paramref name="panel"/>, rows from <paramref name="row0"/> (8 or 6 of them),
    /// over K columns [<paramref name="k0"/>, <paramref name="k0"/> + <paramref name="kc"/>): the first chunk starts
    /// from the bias (and adds to C when accumulating), later chunks continue from C; GELU after the last. With AVX-512
    /// one 8×32 micro-kernel call; without, two 6×16 calls (the second skipped where the panel is padding).
    /// </summary>
    private static void BlockOf(in Args g, int panel, int row0, int k0, int kc, bool first, bool last)
    {
        int col0 = panel * PanelWidth;
        if (g.Wide)
        {
            Tile(g, panel, 0, PanelWidth, BlockRows, row0, k0, kc, first, &Kernel8x32);
        }
        else
        {
            Tile(g, panel, 0, HalfWidth, NarrowBlockRows, row0, k0, kc, first, &Kernel6x16);
            if (col0 + HalfWidth < g.N)
            {
                Tile(g, panel, HalfWidth, HalfWidth, NarrowBlockRows, row0, k0, kc, first, &Kernel6x16);
            }
        }
        if (last && g.Gelu)
        {
            GeluBlockInPlace(g, row0, col0, g.Wide ? BlockRows : NarrowBlockRows);
        }
    }

    /// <summary>
    /// One micro-kernel call on a <paramref name="rows"/>×<paramref name="width"/> tile at column
    /// <paramref name="offset"/> of a panel: the starting values are gathered into a tile on the stack (bias, or C for a
    /// later K chunk), the call-free micro-kernel runs the K loop, and the tile goes back to C (added to it when
    /// accumulating). The tile keeps every call (partial rows, checked accesses) out of the accumulators' live range: on
    /// x64 Unix every vector register is caller-saved, and the JIT kept accumulators that were live across a call on
    /// the stack, in the K loop too (measured on a 2-core Zen 3, 6×16 kernel: 52 GFLOP/s so, 160 with the tile).
    /// </summary>
    private static void Tile(in Args g, int panel, int offset, int width, int rows, int row0, int k0, int kc, bool first,
        delegate*<float*, int, int, float*, int, float*, void> kernel)
    {
        int m = g.M, n = g.N, lda = g.Lda, ldc = g.Ldc;
        int col0 = panel * PanelWidth + offset;
        float* tile = stackalloc float[BlockRows * PanelWidth];
        // The starting values in whole vectors wherever they can be (a scalar loop here cost as much as the K loop at
        // K = 96: stage 1's fc1 ran at 36 % of peak): the bias is padded to whole panels, so its loads are in bounds.
        float* biasAt = first && g.HasBias ? g.Bias.At(col0, width) : null;
        for (int r = 0; r < rows; r++)
        {
            float* t = tile + r * width;
            if (first || (row0 + r < m && col0 + width <= n))
            {
                float* from = first ? biasAt : g.C.At((row0 + r) * ldc + col0, width);
                for (int lane = 0; lane < width; lane += Float16.Count)
                {
                    (from is null ? Float16.Zero : Float16.Load(from + lane)).Store(t + lane);
                }
                continue;
            }
            for (int lane = 0; lane < width; lane++)
            {
                int col = col0 + lane;
                t[lane] = row0 + r < m && col < n ? g.C[(row0 + r) * ldc + col] : 0f;
            }
        }
        int valid = Math.Min(rows, m - row0);
        if (kc > 0)
        {
            // Checks the A and B ranges once (checked builds); the micro-kernel reads through raw pointers.
            float* a = g.A.At(row0 * lda + k0, (valid - 1) * lda + kc);
            float* b = g.PackedB.At((panel * g.K + k0) * PanelWidth + offset, (kc - 1) * PanelWidth + width);
            kernel(a, lda, valid, b, kc, tile);
        }
        // Only the first chunk adds to what C held before the GEMM; later chunks started from C already.
        bool add = first && g.Accumulate;
        int cols = Math.Min(width, n - col0);
        for (int r = 0; r < valid; r++)
        {
            float* t = tile + r * width;
            float* c = g.C.At((row0 + r) * ldc + col0, cols);
            int lane = 0;
            for (; lane + Float16.Count <= cols; lane += Float16.Count)
            {
                Float16 v = Float16.Load(t + lane);
                (add ? v + Float16.Load(c + lane) : v).Store(c + lane);
            }
            for (; lane < cols; lane++)
            {
                c[lane] = add ? c[lane] + t[lane] : t[lane];
            }
        }
    }

    /// <summary>
    /// GELU over the <paramref name="rows"/>×32 block just stored (still in L1). A separate pass, not part of the
    /// stores: inlined into them, sixteen copies of the GELU made the method so large that the JIT spilled the K loop's
    /// accumulators (measured ≈ 2× slower GEMM at 12544×768×2304, even without GELU).
    /// </summary>
    private static void GeluBlockInPlace(in Args g, int row0, int col0, int rows)
    {
        for (int row = row0; row < Math.Min(row0 + rows, g.M); row++)
        {
            if (col0 + PanelWidth <= g.N)
            {
                float* at = g.C.At(row * g.Ldc + col0, PanelWidth);
                VectorMath.Gelu(Float16.Load(at)).Store(at);
                VectorMath.Gelu(Float16.Load(at + 16)).Store(at + 16);
            }
            else
            {
                for (int col = col0; col < g.N; col++)
                {
                    ref float v = ref g.C[row * g.Ldc + col];
                    v = KernelMath.Gelu(v);
                }
            }
        }
    }
}
