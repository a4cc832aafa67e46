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
        MultiplyBlock(a, k, packedB, packedB, 0, c, n, m, n, k, false, 0, Grid.GlobalIndex.X, Grid.GlobalIndex.Y * BlockRows);
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
