using System.Runtime.InteropServices;
using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Gemm;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Conv;

/// <summary>
/// The CPU family's fused ConvFFN (LITv2's <c>DWMlp</c>): <c>y [+]= fc2(GELU(dwconv3×3(fc1(x))))</c> over strips of a
/// few rows of the token map, so that the 4C-wide hidden map never leaves the core's L2: for each strip, <c>fc1</c>
/// makes the hidden rows the strip's convolution reads (its rows and one above and below; the two it shares with the
/// next strip are kept), the depthwise convolution and GELU make the strip's hidden rows, and <c>fc2</c> writes the
/// strip's output rows. Unfused, the hidden map (4.8 MB an image in stage 1) goes to memory and back three times.
/// Work items are images, or pieces of an image when there are fewer images than cores (each piece computes the
/// hidden row above and below it again).
/// </summary>
public static unsafe class ConvFfnCpu
{
    /// <summary>Rows of the token map a strip holds: enough for about 112 GEMM rows (two rows of stage 1's 56 columns).</summary>
    internal static int StripRows(int width, int height) => Math.Clamp(112 / Math.Max(1, width), 1, Math.Max(1, height));

    /// <summary>
    /// Whether fusing pays for a map of <paramref name="height"/> × <paramref name="width"/> tokens and
    /// <paramref name="channels"/> channels: when one image's hidden map is at least four times both Linear weights
    /// (H·W ≥ 8·C). A work item streams both weights once per image (or piece), so where they outweigh the hidden map
    /// the unfused layers, which stream them once per batch, are faster. Measured 2026-12-07 on a 2-core Zen 5
    /// (LITv2-S shapes, ms fused vs in turn): 56²×96 (H·W = 33 C) b1 5.2 vs 6.0, b4 16.6 vs 21.0, b16 66–73 vs 83–93;
    /// 28²×192 (4 C) b1 5.1 vs 3.4, b16 about equal; 14²×384 b16 53–70 vs 49–61; 7²×768 b16 70–72 vs 46–47.
    /// </summary>
    public static bool Pays(int height, int width, int channels) => (long)height * width >= 8L * channels;

    /// <summary>
    /// Runs the ConvFFN of <paramref name="x"/> (B × H·W × C rows, row stride <paramref name="ldx"/>) into
    /// <paramref name="y"/> (row stride <paramref name="ldy"/>; added to it when <paramref name="accumulate"/>). The
    /// weights are the forms the CPU family's layers keep: both Linear weights packed (<see cref="PanelGemmCpu.PackTransposedOnHost"/>)
    /// with their biases padded to whole panels, the depthwise taps tap-major (<see cref="DepthwiseKernels.TapMajor"/>).
    /// </summary>
    [CpuKernel("convffn-fused")]
    public static void Forward(KernelDevice device, ArrayView<float> x, int ldx, ArrayView<float> fc1Packed, ArrayView<float> fc1Bias,
        ArrayView<float> taps, ArrayView<float> dwBias, ArrayView<float> fc2Packed, ArrayView<float> fc2Bias, ArrayView<float> y, int ldy,
        int batch, int height, int width, int channels, int hidden, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(device);
        long tokens = (long)batch * height * width;
        if (batch < 0 || height < 0 || width < 0 || channels < 1 || hidden < 1 || ldx < channels || ldy < channels
            || (tokens > 0 && (x.Length < (tokens - 1) * ldx + channels || y.Length < (tokens - 1) * ldy + channels))
            || fc1Packed.Length < PanelGemmCpu.PackedLength(channels, hidden) || fc1Bias.Length < PanelGemmCpu.PaddedBiasLength(hidden)
            || taps.Length < 9L * hidden || dwBias.Length < hidden
            || fc2Packed.Length < PanelGemmCpu.PackedLength(hidden, channels) || fc2Bias.Length < PanelGemmCpu.PaddedBiasLength(channels))
        {
            throw new ArgumentException($"Fused ConvFFN {batch}x{height}x{width}, {channels} -> {hidden} -> {channels} channels (strides {ldx}, {ldy}): invalid sizes or views too short.");
        }
        if (tokens == 0)
        {
            return;
        }
        device.RunCpu(nameof(ConvFfnCpu), () =>
        {
            var args = new Args(HostView.Of(x).Pointer, ldx, HostView.Of(fc1Packed).Pointer, HostView.Of(fc1Bias).Pointer, HostView.Of(taps).Pointer,
                HostView.Of(dwBias).Pointer, HostView.Of(fc2Packed).Pointer, HostView.Of(fc2Bias).Pointer, HostView.Of(y).Pointer, ldy,
                height, width, channels, hidden, accumulate);
            // Pieces per image: enough work items for every core when the batch is small.
            int pieces = Math.Clamp((CpuParallel.Workers + batch - 1) / batch, 1, height);
            float* zeros = (float*)NativeMemory.AllocZeroed((nuint)width * (nuint)hidden, sizeof(float));
            try
            {
                CpuParallel.For(batch * pieces, item =>
                {
                    int b = item / pieces, piece = item - b * pieces;
                    Piece(args, zeros, b, height * piece / pieces, height * (piece + 1) / pieces);
                });
            }
            finally
            {
                NativeMemory.Free(zeros);
            }
        }, device.Profiler is null ? null : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{batch}x{height}x{width}x{channels}->{hidden}"),
            Flops(tokens, channels, hidden));
    }

    /// <summary>
    /// The fused block's floating-point operations (an FMA is 2): both Linear layers (2·C·hidden per token each) and the
    /// nine depthwise taps per hidden value; the GELU and the biases are not counted, as FLOP counters do not count them.
    /// The halo rows that pieces of an image compute twice are not counted either: this is the work the block needs.
    /// </summary>
    internal static double Flops(long tokens, int channels, int hidden) => tokens * (4.0 * channels * hidden + 18.0 * hidden);

    private readonly struct Args(float* x, int ldx, float* fc1, float* fc1Bias, float* taps, float* dwBias, float* fc2, float* fc2Bias, float* y, int ldy,
        int height, int width, int channels, int hidden, bool accumulate)
    {
        public readonly float* X = x, Fc1 = fc1, Fc1Bias = fc1Bias, Taps = taps, DwBias = dwBias, Fc2 = fc2, Fc2Bias = fc2Bias, Y = y;
        public readonly int Ldx = ldx, Ldy = ldy, Height = height, Width = width, Channels = channels, Hidden = hidden;
        public readonly bool Accumulate = accumulate;
    }

    // Output rows [row0, row1) of image b, strip by strip. `expanded` holds hidden rows [first, first + held) of fc1's
    // output; each strip needs rows [r − 1, rEnd] (clipped to the map), of which the previous strip left the first two.
    private static void Piece(in Args g, float* zeros, int b, int row0, int row1)
    {
        int strip = StripRows(g.Width, g.Height);
        nint rowFloats = (nint)g.Width * g.Hidden;
        float* expanded = (float*)NativeMemory.Alloc((nuint)((strip + 2) * rowFloats), sizeof(float));
        float* convolved = (float*)NativeMemory.Alloc((nuint)(strip * rowFloats), sizeof(float));
        try
        {
            int first = Math.Max(row0 - 1, 0), held = 0;
            for (int r = row0; r < row1; r += strip)
            {
                int rEnd = Math.Min(r + strip, row1);
                int need0 = Math.Max(r - 1, 0), need1 = Math.Min(rEnd + 1, g.Height);
                if (held > 0)
                {
                    // Keep the rows this strip shares with the last one (they start at need0), drop the rest.
                    int keep = first + held - need0;
                    Buffer.MemoryCopy(expanded + (need0 - first) * rowFloats, expanded, keep * rowFloats * sizeof(float), keep * rowFloats * sizeof(float));
                    first = need0;
                    held = keep;
                }
                int fresh = need1 - (first + held);
                if (fresh > 0)
                {
                    long token = ((long)b * g.Height + first + held) * g.Width;
                    PanelGemmCpu.MultiplyOnThisThread(g.X + token * g.Ldx, g.Ldx, g.Fc1, g.Fc1Bias, expanded + held * rowFloats, g.Hidden,
                        fresh * g.Width, g.Hidden, g.Channels, accumulate: false);
                    held += fresh;
                }
                for (int row = r; row < rEnd; row++)
                {
                    var rows = new DepthwiseKernels.InputRows(
                        row > 0 ? expanded + (row - 1 - first) * rowFloats : zeros,
                        expanded + (row - first) * rowFloats,
                        row < g.Height - 1 ? expanded + (row + 1 - first) * rowFloats : zeros);
                    DepthwiseKernels.Row(rows, g.Taps, g.DwBias, convolved + (row - r) * rowFloats, g.Width, g.Hidden, gelu: true);
                }
                long outToken = ((long)b * g.Height + r) * g.Width;
                PanelGemmCpu.MultiplyOnThisThread(convolved, g.Hidden, g.Fc2, g.Fc2Bias, g.Y + outToken * g.Ldy, g.Ldy,
                    (rEnd - r) * g.Width, g.Channels, g.Hidden, g.Accumulate);
            }
        }
        finally
        {
            NativeMemory.Free(expanded);
            NativeMemory.Free(convolved);
        }
    }
}
