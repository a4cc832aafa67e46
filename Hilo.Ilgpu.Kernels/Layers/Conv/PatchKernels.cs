using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Layers.Conv;

/// <summary>
/// im2col for non-overlapping convolutions (kernel = stride = k): every k×k patch becomes one row of a matrix,
/// so the convolution is then a GEMM with the weight as a [Cout, K] matrix. One work-item per matrix element.
/// </summary>
public static partial class PatchKernels
{
    /// <summary>
    /// Channels-last map (B × H·W × Cin) to rows [B·Ho·Wo, k·k·Cin] in (kh, kw, cin) order, Ho = ⌊H/k⌋,
    /// Wo = ⌊W/k⌋: row (b, oy, ox), column (i·k + j)·Cin + c holds x[b, (oy·k + i)·W + ox·k + j, c]. The
    /// (kw, cin) part of a column is contiguous in the input. Launch over (k·k·Cin, Ho·Wo, B).
    /// </summary>
    [Kernel]
    public static void GatherTokenPatches(ArrayView<float> x, ArrayView<float> rows, int height, int width, int cin, int k, int outH, int outW)
    {
        int q = Grid.GlobalIndex.X;
        int cell = Grid.GlobalIndex.Y;
        int b = Grid.GlobalIndex.Z;
        int rowLength = k * k * cin;
        int run = k * cin;
        int i = q / run;
        int rest = q - i * run;
        int oy = cell / outW;
        int ox = cell - oy * outW;
        int source = ((b * height + oy * k + i) * width + ox * k) * cin + rest;
        rows[(b * outH * outW + cell) * rowLength + q] = x[source];
    }

    /// <summary>
    /// CPU-style variant of <see cref="GatherTokenPatches"/>: one work-item per (patch row i, output cell) copies
    /// the contiguous run of k·Cin values. x = i, y = cell, z = batch; launch over (k, Ho·Wo, B) with group size 1.
    /// </summary>
    [Kernel]
    public static void GatherTokenPatchRows(ArrayView<float> x, ArrayView<float> rows, int height, int width, int cin, int k, int outH, int outW)
    {
        int i = Grid.GlobalIndex.X;
        int cell = Grid.GlobalIndex.Y;
        int b = Grid.GlobalIndex.Z;
        int run = k * cin;
        int oy = cell / outW;
        int ox = cell - oy * outW;
        int source = ((b * height + oy * k + i) * width + ox * k) * cin;
        int target = (b * outH * outW + cell) * k * run + i * run;
        for (int q = 0; q < run; q++)
        {
            rows[target + q] = x[source + q];
        }
    }

    /// <summary>
    /// NCHW image to rows [B·Ho·Wo, k·k·Cin] in the same (kh, kw, cin) column order as
    /// <see cref="GatherTokenPatches"/> (so one reordered weight serves both), Ho = ⌈H/k⌉, Wo = ⌈W/k⌉: the image
    /// is read as zero-padded at the bottom/right to multiples of k (the detection backbone's <c>F.pad</c> before
    /// the patch-embed conv). Launch over (k·k·Cin, Ho·Wo, B).
    /// </summary>
    [Kernel]
    public static void GatherImagePatches(ArrayView<float> image, ArrayView<float> rows, int cin, int height, int width, int k, int outH, int outW)
    {
        int q = Grid.GlobalIndex.X;
        int cell = Grid.GlobalIndex.Y;
        int b = Grid.GlobalIndex.Z;
        int run = k * cin;
        int i = q / run;
        int rest = q - i * run;
        int j = rest / cin;
        int c = rest - j * cin;
        int oy = cell / outW;
        int ox = cell - oy * outW;
        int yy = oy * k + i;
        int xx = ox * k + j;
        float v = 0f;
        if (yy < height && xx < width)
        {
            v = image[((b * cin + c) * height + yy) * width + xx];
        }
        rows[(b * outH * outW + cell) * k * run + q] = v;
    }

    /// <summary>Queues <see cref="GatherTokenPatches"/>: rows [B·⌊H/k⌋·⌊W/k⌋, k·k·Cin] from a B × H·W × Cin map.With <c>cpuStyle</c>, <see cref="GatherTokenPatchRows"/> (CPU devices) instead of one work-item per element.</summary>
    public static void GatherTokens(AcceleratorStream stream, ArrayView<float> x, ArrayView<float> rows, int batch, int height, int width, int cin, int k, bool cpuStyle = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckSizes(batch, height, width, cin, k);
        int outH = height / k, outW = width / k;
        if (x.Length < (long)batch * height * width * cin || rows.Length < (long)batch * outH * outW * k * k * cin)
        {
            throw new ArgumentException($"Patch gather {batch}x{height}x{width}x{cin} (k = {k}): views too short (x {x.Length}, rows {rows.Length}).");
        }
        if (cpuStyle)
        {
            stream.Launch(GatherTokenPatchRowsKernel, new LaunchDims(new Index3D(k, outH * outW, batch), new Index3D(1, 1, 1)), x, rows, height, width, cin, k, outH, outW);
            return;
        }
        stream.Launch(GatherTokenPatchesKernel, new LaunchDims(new Index3D(k * k * cin, outH * outW, batch)), x, rows, height, width, cin, k, outH, outW);
    }

    /// <summary>Queues <see cref="GatherImagePatches"/>: rows [B·⌈H/k⌉·⌈W/k⌉, k·k·Cin] from a B × Cin × H × W image.</summary>
    public static void GatherImage(AcceleratorStream stream, ArrayView<float> image, ArrayView<float> rows, int batch, int cin, int height, int width, int k)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckSizes(batch, height, width, cin, k);
        int outH = (height + k - 1) / k, outW = (width + k - 1) / k;
        if (image.Length < (long)batch * cin * height * width || rows.Length < (long)batch * outH * outW * k * k * cin)
        {
            throw new ArgumentException($"Image patch gather {batch}x{cin}x{height}x{width} (k = {k}): views too short (image {image.Length}, rows {rows.Length}).");
        }
        stream.Launch(GatherImagePatchesKernel, new LaunchDims(new Index3D(cin * k * k, outH * outW, batch)), image, rows, cin, height, width, k, outH, outW);
    }

    /// <summary>
    /// An OIHW conv weight [Cout, Cin, k, k] reordered to [Cout, k, k, Cin], the column order of
    /// <see cref="GatherTokenPatches"/> and of <see cref="DeformKernels.DeformGather"/> (column (i·k + j)·Cin + c).
    /// </summary>
    public static float[] ToTapMajor(ReadOnlySpan<float> weight, int cout, int cin, int k)
    {
        int kk = k * k;
        if (cout < 0 || cin < 0 || k < 1 || weight.Length != (long)cout * cin * kk)
        {
            throw new ArgumentException($"A [{cout}, {cin}, {k}, {k}] conv weight has {(long)cout * cin * kk} elements, got {weight.Length}.");
        }
        var result = new float[weight.Length];
        for (int o = 0; o < cout; o++)
        {
            for (int c = 0; c < cin; c++)
            {
                for (int t = 0; t < kk; t++)
                {
                    result[(o * kk + t) * cin + c] = weight[(o * cin + c) * kk + t];
                }
            }
        }
        return result;
    }

    private static void CheckSizes(int batch, int height, int width, int cin, int k)
    {
        if (batch < 0 || height < 0 || width < 0 || cin < 0 || k < 1)
        {
            throw new ArgumentException($"Patch gather: invalid sizes batch {batch}, map {height}x{width}, channels {cin}, kernel {k}.");
        }
    }
}
