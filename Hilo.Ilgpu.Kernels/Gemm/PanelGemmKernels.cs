using System.Runtime.CompilerServices;
using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Gemm;

/// <summary>
/// CPU-style GEMM: <c>C = A · B</c> for row-major A (M×K), B (K×N), C (M×N). B is first packed into
/// panels of <see cref="PanelWidth"/> columns (<see cref="PackB"/>), so that each step of the K loop reads
/// one contiguous row of a panel. Each work-item (group size 1) then computes a <see cref="BlockRows"/>×32
/// block of C in sixteen <see cref="Float16"/> accumulators: per k, two vector loads of B, eight broadcasts
/// of A and sixteen FMAs. That keeps wide registers busy, which is what CPU devices need (DESIGN.md §6).
/// </summary>
public static partial class PanelGemmKernels
{
    /// <summary>Columns of C per work-item and of each packed B panel (two <see cref="Float16"/>).</summary>
    public const int PanelWidth = 32;

    /// <summary>Rows of C per work-item.</summary>
    public const int BlockRows = 8;

    /// <summary>Elements of the packed B for a K×N matrix: whole panels, zero-padded past column N.</summary>
    public static int PackedLength(int k, int n) => checked((n + PanelWidth - 1) / PanelWidth * k * PanelWidth);

    /// <summary>
    /// <c>packed[(col / 32) * k * 32 + row * 32 + col % 32] = b[row * n + col]</c>, and 0 for the padding
    /// columns of the last panel. One work-item per (padded column, row): launch over (N rounded up to 32, K).
    /// </summary>
    [Kernel]
    public static void PackB(ArrayView<float> b, ArrayView<float> packed, int k, int n)
    {
        int col = Grid.GlobalIndex.X;
        int row = Grid.GlobalIndex.Y;
        int panel = col / PanelWidth;
        int lane = col - panel * PanelWidth;
        packed[panel * k * PanelWidth + row * PanelWidth + lane] = col < n ? b[row * n + col] : 0f;
    }

    /// <summary>
    /// One 8×32 block of C per work-item: x = panel (32 columns), y = block of 8 rows. Launch over
    /// (ceil(N/32), ceil(M/8)) with group size (1, 1); <see cref="Multiply"/> does that.
    /// </summary>
    [Kernel]
    public static void PanelGemm(ArrayView<float> a, ArrayView<float> packedB, ArrayView<float> c, int m, int n, int k)
    {
        int panel = Grid.GlobalIndex.X;
        int row0 = Grid.GlobalIndex.Y * BlockRows;
        // Rows past M read row M-1 (always valid) and are not stored. One view per A row, indexed by the loop
        // counter alone: the OpenCL C then has no wrapped 32-bit index sums in the K loop (a0.ptr[p], which
        // PoCL's compiler strength-reduces), ≈ 157 → 220 GFLOP/s on PoCL at 12544×768×2304.
        ArrayView<float> a0 = a.SubView(Math.Min(row0, m - 1) * k, k);
        ArrayView<float> a1 = a.SubView(Math.Min(row0 + 1, m - 1) * k, k);
        ArrayView<float> a2 = a.SubView(Math.Min(row0 + 2, m - 1) * k, k);
        ArrayView<float> a3 = a.SubView(Math.Min(row0 + 3, m - 1) * k, k);
        ArrayView<float> a4 = a.SubView(Math.Min(row0 + 4, m - 1) * k, k);
        ArrayView<float> a5 = a.SubView(Math.Min(row0 + 5, m - 1) * k, k);
        ArrayView<float> a6 = a.SubView(Math.Min(row0 + 6, m - 1) * k, k);
        ArrayView<float> a7 = a.SubView(Math.Min(row0 + 7, m - 1) * k, k);
        Float16 c00 = Float16.Zero, c01 = Float16.Zero, c10 = Float16.Zero, c11 = Float16.Zero;
        Float16 c20 = Float16.Zero, c21 = Float16.Zero, c30 = Float16.Zero, c31 = Float16.Zero;
        Float16 c40 = Float16.Zero, c41 = Float16.Zero, c50 = Float16.Zero, c51 = Float16.Zero;
        Float16 c60 = Float16.Zero, c61 = Float16.Zero, c70 = Float16.Zero, c71 = Float16.Zero;
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
        int col0 = panel * PanelWidth;
        StoreRow(c, c00, c01, row0, col0, m, n);
        StoreRow(c, c10, c11, row0 + 1, col0, m, n);
        StoreRow(c, c20, c21, row0 + 2, col0, m, n);
        StoreRow(c, c30, c31, row0 + 3, col0, m, n);
        StoreRow(c, c40, c41, row0 + 4, col0, m, n);
        StoreRow(c, c50, c51, row0 + 5, col0, m, n);
        StoreRow(c, c60, c61, row0 + 6, col0, m, n);
        StoreRow(c, c70, c71, row0 + 7, col0, m, n);
    }

    /// <summary>Stores 32 columns of one C row, lane by lane at the right edge; nothing for rows past M.</summary>
    // Inlined on the managed CPU backend: a call after the K loop would make the JIT spill all sixteen
    // accumulators to the stack on every iteration (vector registers do not survive calls).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ArrayView<float> c, Float16 low, Float16 high, int row, int col0, int m, int n)
    {
        if (row >= m)
        {
            return;
        }
        int at = row * n + col0;
        if (col0 + PanelWidth <= n)
        {
            low.Store(c, at);
            high.Store(c, at + 16);
            return;
        }
        for (int lane = 0; lane < 16 && col0 + lane < n; lane++)
        {
            c[at + lane] = low[lane];
        }
        for (int lane = 0; lane < 16 && col0 + 16 + lane < n; lane++)
        {
            c[at + 16 + lane] = high[lane];
        }
    }

    /// <summary>Queues the packing of B (K×N) into <paramref name="packed"/> (<see cref="PackedLength"/> elements).</summary>
    public static void Pack(AcceleratorStream stream, ArrayView<float> b, ArrayView<float> packed, int k, int n)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (k < 0 || n < 0 || b.Length < (long)k * n || packed.Length < PackedLength(k, n))
        {
            throw new ArgumentException($"Packing a {k}x{n} B needs {(long)k * n} source and {PackedLength(k, n)} packed elements.");
        }
        int width = (n + PanelWidth - 1) / PanelWidth * PanelWidth;
        stream.Launch(PackBKernel, new LaunchDims(new Index3D(width, k)), b, packed, k, n);
    }

    /// <summary>Queues <c>C = A · B</c> with B already packed by <see cref="Pack"/>.</summary>
    public static void Multiply(AcceleratorStream stream, ArrayView<float> a, ArrayView<float> packedB, ArrayView<float> c, int m, int n, int k)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (m < 0 || n < 0 || k < 0 || a.Length < (long)m * k || packedB.Length < PackedLength(k, n) || c.Length < (long)m * n)
        {
            throw new ArgumentException($"Panel GEMM {m}x{k} · {k}x{n}: views too short (A {a.Length}, packed B {packedB.Length}, C {c.Length}).");
        }
        if (m == 0 || n == 0)
        {
            return;
        }
        var blocks = new Index3D((n + PanelWidth - 1) / PanelWidth, (m + BlockRows - 1) / BlockRows);
        stream.Launch(PanelGemmKernel, new LaunchDims(blocks, new Index3D(1, 1)), a, packedB, c, m, n, k);
    }
}
