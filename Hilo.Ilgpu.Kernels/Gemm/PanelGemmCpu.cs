using System.Runtime.CompilerServices;
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
public static unsafe class PanelGemmCpu
{
    /// <summary>Columns of C per block and of each packed B panel (two <see cref="Float16"/>).</summary>
    public const int PanelWidth = 32;

    /// <summary>Rows of C per block.</summary>
    public const int BlockRows = 8;

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
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, bool gelu, int panelsPerGroup, int rowBlocksPerGroup, int kChunk = int.MaxValue)
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
            var args = new Args(HostView.Of(a), lda, HostView.Of(packedB), hasBias ? HostView.Of(bias) : default, hasBias, HostView.Of(c), ldc, m, n, k, accumulate, gelu);
            int panels = (n + PanelWidth - 1) / PanelWidth;
            int rowBlocks = (m + BlockRows - 1) / BlockRows;
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
                            Block(args, panel, rb * BlockRows, 0, k, first: true, last: true);
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
                            Block(args, panel, rb * BlockRows, k0, kc, first: k0 == 0, last: k0 + kc >= k);
                        }
                    }
                }
            });
        });
    }

    private readonly record struct Args(HostView A, int Lda, HostView PackedB, HostView Bias, bool HasBias, HostView C, int Ldc, int M, int N, int K, bool Accumulate, bool Gelu);

    /// <summary>
    /// The 8×32 block of C at <paramref name="panel"/>, rows from <paramref name="row0"/>, over K columns
    /// [<paramref name="k0"/>, <paramref name="k0"/> + <paramref name="kc"/>): the first chunk starts from the bias (and
    /// adds to C when accumulating), later chunks continue from C; GELU after the last.
    /// </summary>
    // Fully optimised from the first call: the sixteen accumulators must stay in registers through the K loop.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block(in Args g, int panel, int row0, int k0, int kc, bool first, bool last)
    {
        int k = kc, m = g.M, lda = g.Lda;
        int col0 = panel * PanelWidth;
        // Rows past M read row M-1 (always valid) and are not stored.
        float* a0 = g.A.At(Math.Min(row0, m - 1) * lda + k0, k);
        float* a1 = g.A.At(Math.Min(row0 + 1, m - 1) * lda + k0, k);
        float* a2 = g.A.At(Math.Min(row0 + 2, m - 1) * lda + k0, k);
        float* a3 = g.A.At(Math.Min(row0 + 3, m - 1) * lda + k0, k);
        float* a4 = g.A.At(Math.Min(row0 + 4, m - 1) * lda + k0, k);
        float* a5 = g.A.At(Math.Min(row0 + 5, m - 1) * lda + k0, k);
        float* a6 = g.A.At(Math.Min(row0 + 6, m - 1) * lda + k0, k);
        float* a7 = g.A.At(Math.Min(row0 + 7, m - 1) * lda + k0, k);
        float* b = g.PackedB.At((panel * g.K + k0) * PanelWidth, k * PanelWidth);
        Float16 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (first)
        {
            // The bias is the accumulators' starting value: the epilogue costs nothing in the K loop.
            c00 = Float16.Zero;
            c01 = Float16.Zero;
            if (g.HasBias)
            {
                float* bias = g.Bias.At(col0, PanelWidth);
                c00 = Float16.Load(bias);
                c01 = Float16.Load(bias + 16);
            }
            c10 = c00; c11 = c01; c20 = c00; c21 = c01; c30 = c00; c31 = c01;
            c40 = c00; c41 = c01; c50 = c00; c51 = c01; c60 = c00; c61 = c01; c70 = c00; c71 = c01;
        }
        else
        {
            LoadRow(g, row0, col0, out c00, out c01);
            LoadRow(g, row0 + 1, col0, out c10, out c11);
            LoadRow(g, row0 + 2, col0, out c20, out c21);
            LoadRow(g, row0 + 3, col0, out c30, out c31);
            LoadRow(g, row0 + 4, col0, out c40, out c41);
            LoadRow(g, row0 + 5, col0, out c50, out c51);
            LoadRow(g, row0 + 6, col0, out c60, out c61);
            LoadRow(g, row0 + 7, col0, out c70, out c71);
        }
        for (int p = 0; p < k; p++)
        {
            Float16 b0 = Float16.Load(b);
            Float16 b1 = Float16.Load(b + 16);
            b += PanelWidth;
            Float16 av = new(a0[p]);
            c00 = Float16.Fma(av, b0, c00);
            c01 = Float16.Fma(av, b1, c01);
            av = new(a1[p]);
            c10 = Float16.Fma(av, b0, c10);
            c11 = Float16.Fma(av, b1, c11);
            av = new(a2[p]);
            c20 = Float16.Fma(av, b0, c20);
            c21 = Float16.Fma(av, b1, c21);
            av = new(a3[p]);
            c30 = Float16.Fma(av, b0, c30);
            c31 = Float16.Fma(av, b1, c31);
            av = new(a4[p]);
            c40 = Float16.Fma(av, b0, c40);
            c41 = Float16.Fma(av, b1, c41);
            av = new(a5[p]);
            c50 = Float16.Fma(av, b0, c50);
            c51 = Float16.Fma(av, b1, c51);
            av = new(a6[p]);
            c60 = Float16.Fma(av, b0, c60);
            c61 = Float16.Fma(av, b1, c61);
            av = new(a7[p]);
            c70 = Float16.Fma(av, b0, c70);
            c71 = Float16.Fma(av, b1, c71);
        }
        // Only the first chunk adds to what C held before the GEMM; later chunks started from C already.
        bool add = first && g.Accumulate;
        Store(g, c00, c01, row0, col0, add);
        Store(g, c10, c11, row0 + 1, col0, add);
        Store(g, c20, c21, row0 + 2, col0, add);
        Store(g, c30, c31, row0 + 3, col0, add);
        Store(g, c40, c41, row0 + 4, col0, add);
        Store(g, c50, c51, row0 + 5, col0, add);
        Store(g, c60, c61, row0 + 6, col0, add);
        Store(g, c70, c71, row0 + 7, col0, add);
        if (last && g.Gelu)
        {
            GeluBlockInPlace(g, row0, col0);
        }
    }

    /// <summary>32 columns of one C row (zeros past the last column or for rows past M), to continue a K chunk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadRow(in Args g, int row, int col0, out Float16 low, out Float16 high)
    {
        if (row < g.M && col0 + PanelWidth <= g.N)
        {
            float* p = g.C.At(row * g.Ldc + col0, PanelWidth);
            low = Float16.Load(p);
            high = Float16.Load(p + 16);
            return;
        }
        LoadPartialRow(g, row, col0, out low, out high);
    }

    private static void LoadPartialRow(in Args g, int row, int col0, out Float16 low, out Float16 high)
    {
        float* lanes = stackalloc float[PanelWidth];
        for (int lane = 0; lane < PanelWidth; lane++)
        {
            lanes[lane] = row < g.M && col0 + lane < g.N ? g.C[row * g.Ldc + col0 + lane] : 0f;
        }
        low = Float16.Load(lanes);
        high = Float16.Load(lanes + 16);
    }

    /// <summary>
    /// GELU over the 8×32 block just stored (still in L1). A separate pass, not part of the stores: inlined into them,
    /// sixteen copies of the GELU made the method so large that the JIT spilled the K loop's accumulators (measured
    /// ≈ 2× slower GEMM at 12544×768×2304, even without GELU).
    /// </summary>
    private static void GeluBlockInPlace(in Args g, int row0, int col0)
    {
        for (int row = row0; row < Math.Min(row0 + BlockRows, g.M); row++)
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

    /// <summary>Stores (or adds) 32 columns of one C row; nothing for rows past M.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(in Args g, Float16 low, Float16 high, int row, int col0, bool accumulate)
    {
        if (row >= g.M)
        {
            return;
        }
        int at = row * g.Ldc + col0;
        if (col0 + PanelWidth <= g.N)
        {
            float* p = g.C.At(at, PanelWidth);
            if (accumulate)
            {
                low += Float16.Load(p);
                high += Float16.Load(p + 16);
            }
            low.Store(p);
            high.Store(p + 16);
            return;
        }
        for (int lane = 0; lane < 16 && col0 + lane < g.N; lane++)
        {
            ref float v = ref g.C[at + lane];
            v = accumulate ? v + low[lane] : low[lane];
        }
        for (int lane = 0; lane < 16 && col0 + 16 + lane < g.N; lane++)
        {
            ref float v = ref g.C[at + 16 + lane];
            v = accumulate ? v + high[lane] : high[lane];
        }
    }
}
