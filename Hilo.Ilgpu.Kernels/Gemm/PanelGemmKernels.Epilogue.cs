using System.Runtime.CompilerServices;
using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Gemm;

/// <summary>
/// The panel GEMM as a linear layer needs it: A rows with a stride (<c>lda</c>), C rows with a stride
/// (<c>ldc</c>, so a caller can write into a column slice of a wider output), a bias added to every row, and
/// optionally C += instead of C = (a fused residual add). Plus packing of a transposed B (a PyTorch
/// <c>[out, in]</c> weight, or attention keys) on the host or on the device.
/// </summary>
public static partial class PanelGemmKernels
{
    /// <summary>Length of a bias padded to whole panels (what <see cref="PanelGemmBias"/> reads).</summary>
    public static int PaddedBiasLength(int n) => checked((n + PanelWidth - 1) / PanelWidth * PanelWidth);

    /// <summary>
    /// Packs B = Bᵀᵀ from its transpose <paramref name="bt"/> (N×K row-major with row stride
    /// <paramref name="ldbt"/>): <c>packed[(col / 32) * k * 32 + row * 32 + col % 32] = bt[col * ldbt + row]</c>,
    /// 0 for padding columns. One work-item per (row, padded column): launch over (K, N rounded up to 32).
    /// </summary>
    [Kernel]
    public static void PackBTransposed(ArrayView<float> bt, int ldbt, ArrayView<float> packed, int k, int n)
    {
        int row = Grid.GlobalIndex.X;
        int col = Grid.GlobalIndex.Y;
        int panel = col / PanelWidth;
        int lane = col - panel * PanelWidth;
        packed[panel * k * PanelWidth + row * PanelWidth + lane] = col < n ? bt[col * ldbt + row] : 0f;
    }

    /// <summary>
    /// <c>C[r, j] = bias[j] + Σₚ A[r, p]·B[p, j]</c>, stored (or added to C when <paramref name="accumulate"/>), or
    /// stored and passed through GELU (erf form, <see cref="Layers.Basic.VectorGelu"/>) when <paramref name="gelu"/> ≠ 0
    /// (not with accumulate),
    /// with A rows at <c>a[r * lda]</c>, C rows at <c>c[r * ldc]</c>, B packed, <paramref name="bias"/> padded to
    /// <see cref="PaddedBiasLength"/> (zeros for no bias). One 8×32 block per work-item: x = panel, y = block of 8 rows; launch over (ceil(N/32),
    /// ceil(M/8)) with group size (1, 1) — <see cref="MultiplyBias"/> does that.
    /// </summary>
    [Kernel]
    public static void PanelGemmBias(ArrayView<float> a, int lda, ArrayView<float> packedB, ArrayView<float> bias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, int gelu)
    {
        MultiplyBlock(a, lda, packedB, bias, 1, c, ldc, m, n, k, accumulate, gelu, Grid.GlobalIndex.X, Grid.GlobalIndex.Y * BlockRows);
    }

    /// <summary>
    /// The 8×32 block of C at panel <paramref name="panel"/>, rows from <paramref name="row0"/>: the body of both panel
    /// GEMM kernels (<see cref="PanelGemm"/> passes no bias, dense rows and no epilogue).
    /// </summary>
    // Fully optimised from the first call on the managed CPU backend, like the kernels' own CPU copies: the sixteen
    // accumulators must stay in registers through the K loop.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyBlock(ArrayView<float> a, int lda, ArrayView<float> packedB, ArrayView<float> bias, int hasBias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, int gelu, int panel, int row0)
    {
        int col0 = panel * PanelWidth;
        // Rows past M read row M-1 (always valid) and are not stored. One view per A row, indexed by the loop
        // counter alone: the OpenCL C then has no wrapped 32-bit index sums in the K loop (a0.ptr[p], which
        // PoCL's compiler strength-reduces), ≈ 157 → 220 GFLOP/s on PoCL at 12544×768×2304.
        ArrayView<float> a0 = a.SubView(Math.Min(row0, m - 1) * lda, k);
        ArrayView<float> a1 = a.SubView(Math.Min(row0 + 1, m - 1) * lda, k);
        ArrayView<float> a2 = a.SubView(Math.Min(row0 + 2, m - 1) * lda, k);
        ArrayView<float> a3 = a.SubView(Math.Min(row0 + 3, m - 1) * lda, k);
        ArrayView<float> a4 = a.SubView(Math.Min(row0 + 4, m - 1) * lda, k);
        ArrayView<float> a5 = a.SubView(Math.Min(row0 + 5, m - 1) * lda, k);
        ArrayView<float> a6 = a.SubView(Math.Min(row0 + 6, m - 1) * lda, k);
        ArrayView<float> a7 = a.SubView(Math.Min(row0 + 7, m - 1) * lda, k);
        // The bias is the accumulators' starting value: the epilogue costs nothing in the K loop.
        Float16 c00 = Float16.Zero, c01 = Float16.Zero;
        if (hasBias != 0)
        {
            c00 = Float16.Load(bias, col0);
            c01 = Float16.Load(bias, col0 + 16);
        }
        Float16 c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
        Float16 c40 = c00, c41 = c01, c50 = c00, c51 = c01, c60 = c00, c61 = c01, c70 = c00, c71 = c01;
        int bIndex = panel * k * PanelWidth;
        for (int p = 0; p < k; p++)
        {
            Float16 b0 = Float16.Load(packedB, bIndex);
            Float16 b1 = Float16.Load(packedB, bIndex + 16);
            bIndex += PanelWidth;
            Float16 av = new Float16(a0[p]);
            c00 = Float16.Fma(av, b0, c00);
            c01 = Float16.Fma(av, b1, c01);
            av = new Float16(a1[p]);
            c10 = Float16.Fma(av, b0, c10);
            c11 = Float16.Fma(av, b1, c11);
            av = new Float16(a2[p]);
            c20 = Float16.Fma(av, b0, c20);
            c21 = Float16.Fma(av, b1, c21);
            av = new Float16(a3[p]);
            c30 = Float16.Fma(av, b0, c30);
            c31 = Float16.Fma(av, b1, c31);
            av = new Float16(a4[p]);
            c40 = Float16.Fma(av, b0, c40);
            c41 = Float16.Fma(av, b1, c41);
            av = new Float16(a5[p]);
            c50 = Float16.Fma(av, b0, c50);
            c51 = Float16.Fma(av, b1, c51);
            av = new Float16(a6[p]);
            c60 = Float16.Fma(av, b0, c60);
            c61 = Float16.Fma(av, b1, c61);
            av = new Float16(a7[p]);
            c70 = Float16.Fma(av, b0, c70);
            c71 = Float16.Fma(av, b1, c71);
        }
        StoreRowStrided(c, c00, c01, row0, col0, m, n, ldc, accumulate);
        StoreRowStrided(c, c10, c11, row0 + 1, col0, m, n, ldc, accumulate);
        StoreRowStrided(c, c20, c21, row0 + 2, col0, m, n, ldc, accumulate);
        StoreRowStrided(c, c30, c31, row0 + 3, col0, m, n, ldc, accumulate);
        StoreRowStrided(c, c40, c41, row0 + 4, col0, m, n, ldc, accumulate);
        StoreRowStrided(c, c50, c51, row0 + 5, col0, m, n, ldc, accumulate);
        StoreRowStrided(c, c60, c61, row0 + 6, col0, m, n, ldc, accumulate);
        StoreRowStrided(c, c70, c71, row0 + 7, col0, m, n, ldc, accumulate);
        if (gelu != 0)
        {
            GeluBlockInPlace(c, row0, col0, m, n, ldc);
        }
    }

    /// <summary>
    /// GELU over the 8×32 block just stored (still in L1). A separate pass, not part of the stores: inlined into
    /// them, sixteen copies of the GELU made the kernel so large that the JIT spilled the K loop's accumulators
    /// (managed CPU GEMM ≈ 2× slower at 12544×768×2304, even without GELU).
    /// </summary>
    private static void GeluBlockInPlace(ArrayView<float> c, int row0, int col0, int m, int n, int ldc)
    {
        for (int row = row0; row < Math.Min(row0 + BlockRows, m); row++)
        {
            int at = row * ldc + col0;
            if (col0 + PanelWidth <= n)
            {
                Layers.Basic.VectorGelu.Gelu(Float16.Load(c, at)).Store(c, at);
                Layers.Basic.VectorGelu.Gelu(Float16.Load(c, at + 16)).Store(c, at + 16);
            }
            else
            {
                for (int col = col0; col < n; col++)
                {
                    c[row * ldc + col] = Layers.Basic.ElementwiseKernels.GeluScalar(c[row * ldc + col]);
                }
            }
        }
    }

    /// <summary>Stores (or adds) 32 columns of one C row at <c>row * ldc + col0</c>; nothing for rows past M.</summary>
    // Inlined for the same reason as StoreRow: no call after the K loop on the managed CPU backend.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRowStrided(ArrayView<float> c, Float16 low, Float16 high, int row, int col0, int m, int n, int ldc, bool accumulate)
    {
        if (row >= m)
        {
            return;
        }
        int at = row * ldc + col0;
        if (col0 + PanelWidth <= n)
        {
            if (accumulate)
            {
                low += Float16.Load(c, at);
                high += Float16.Load(c, at + 16);
            }
            low.Store(c, at);
            high.Store(c, at + 16);
            return;
        }
        for (int lane = 0; lane < 16 && col0 + lane < n; lane++)
        {
            c[at + lane] = accumulate ? c[at + lane] + low[lane] : low[lane];
        }
        for (int lane = 0; lane < 16 && col0 + 16 + lane < n; lane++)
        {
            c[at + 16 + lane] = accumulate ? c[at + 16 + lane] + high[lane] : high[lane];
        }
    }

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

    /// <summary>Queues the packing of B from its transpose <paramref name="bt"/> (N×K, row stride <paramref name="ldbt"/>).</summary>
    public static void PackTransposed(AcceleratorStream stream, ArrayView<float> bt, int ldbt, ArrayView<float> packed, int k, int n)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (k < 0 || n < 0 || ldbt < k || (n > 0 && bt.Length < (long)(n - 1) * ldbt + k) || packed.Length < PackedLength(k, n))
        {
            throw new ArgumentException($"Packing a transposed {n}x{k} B (row stride {ldbt}) needs {(n > 0 ? (long)(n - 1) * ldbt + k : 0)} source and {PackedLength(k, n)} packed elements; got {bt.Length} and {packed.Length}.");
        }
        if (k == 0 || n == 0)
        {
            return;
        }
        int width = (n + PanelWidth - 1) / PanelWidth * PanelWidth;
        stream.Launch(PackBTransposedKernel, new LaunchDims(new Index3D(k, width)), bt, ldbt, packed, k, n);
    }

    /// <summary>
    /// Queues <c>C = [GELU](bias + A · B)</c> (or <c>C += …</c>) with strided rows of A and C, B packed by
    /// <see cref="Pack"/>/<see cref="PackTransposed"/>, and <paramref name="paddedBias"/> of
    /// <see cref="PaddedBiasLength"/> elements.
    /// </summary>
    public static void MultiplyBias(AcceleratorStream stream, ArrayView<float> a, int lda, ArrayView<float> packedB, ArrayView<float> paddedBias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, bool gelu = false) =>
        MultiplyBiasGrouped(stream, a, lda, packedB, paddedBias, c, ldc, m, n, k, accumulate, panelsPerGroup: 1, rowBlocksPerGroup: 1, gelu);
}
