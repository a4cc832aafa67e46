using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Image;

/// <summary>
/// Pillow's two-pass bicubic resize of an 8-bit RGB image, and the float conversion of torchvision's <c>ToTensor</c>
/// + <c>Normalize</c>. Pixels travel as one float per pixel holding R + 256·G + 65536·B (an integer below 2^24, so
/// exact): a third of the memory of one float per sample, and the passes work on whole pixels as Pillow does. Each
/// pass accumulates integer samples × fixed-point weights (<see cref="ResampleTable"/>) in 32-bit integers from a
/// half-unit rounding term, then shifts and clamps to 0…255, exactly as Pillow's 8-bit resampler does, so both
/// families give Pillow's bytes.
/// </summary>
public static class ResampleKernels
{
    /// <summary>Packs an RGB pixel into one float (exact: the value is below 2^24).</summary>
    public static float Pack(int r, int g, int b) => r | (g << 8) | (b << 16);

    /// <summary>Channel <paramref name="channel"/> (0 R, 1 G, 2 B) of a packed pixel.</summary>
    public static int Channel(float packed, int channel) => ((int)packed >> (8 * channel)) & 255;

    /// <summary>Pillow's <c>clip8</c>: the fixed-point sum shifted to an integer and clamped to 0…255.</summary>
    public static int Clip8(int sum)
    {
        int v = sum >> ResampleTable.PrecisionBits;
        return v < 0 ? 0 : v > 255 ? 255 : v;
    }

    /// <summary>
    /// Horizontal pass, one output pixel per thread: x = output column, y = row. Row y of <paramref name="target"/>
    /// (<paramref name="targetWidth"/> pixels) filters row y of <paramref name="source"/> (<paramref name="sourceWidth"/>
    /// pixels) with table entry x (<paramref name="stride"/> floats: start, count, weights).
    /// </summary>
    [IlgpuKernel("image-resample-rows")]
    public static void ResampleRows(ArrayView<float> source, ArrayView<float> table, ArrayView<float> target, int sourceWidth, int targetWidth, int rows, int stride)
    {
        Configs.Unfold((targetWidth + Group.DimX - 1) / Group.DimX, rows, out int groupX, out int y, out int _);
        int x = groupX * Group.DimX + Group.IdxX;
        if (x >= targetWidth)
        {
            return;
        }
        int entry = x * stride;
        int start = (int)table[entry];
        int count = (int)table[entry + 1];
        int origin = y * sourceWidth + start;
        // Pillow starts each sum at half a unit of the fixed point, so the final shift rounds to nearest.
        int r = 1 << (ResampleTable.PrecisionBits - 1), g = r, b = r;
        for (int t = 0; t < count; t++)
        {
            int p = (int)source[origin + t];
            int k = (int)table[entry + 2 + t];
            r += (p & 255) * k;
            g += ((p >> 8) & 255) * k;
            b += (p >> 16) * k;
        }
        target[y * targetWidth + x] = Pack(Clip8(r), Clip8(g), Clip8(b));
    }

    /// <summary>
    /// Vertical pass, one output pixel per thread: x = column, y = output row. Row y of <paramref name="target"/>
    /// filters the columns of <paramref name="source"/> (rows of <paramref name="width"/> pixels) with table entry y.
    /// </summary>
    [IlgpuKernel("image-resample-columns")]
    public static void ResampleColumns(ArrayView<float> source, ArrayView<float> table, ArrayView<float> target, int width, int targetRows, int stride)
    {
        Configs.Unfold((width + Group.DimX - 1) / Group.DimX, targetRows, out int groupX, out int y, out int _);
        int x = groupX * Group.DimX + Group.IdxX;
        if (x >= width)
        {
            return;
        }
        int entry = y * stride;
        int start = (int)table[entry];
        int count = (int)table[entry + 1];
        int r = 1 << (ResampleTable.PrecisionBits - 1), g = r, b = r;
        for (int t = 0; t < count; t++)
        {
            int p = (int)source[(start + t) * width + x];
            int k = (int)table[entry + 2 + t];
            r += (p & 255) * k;
            g += ((p >> 8) & 255) * k;
            b += (p >> 16) * k;
        }
        target[y * width + x] = Pack(Clip8(r), Clip8(g), Clip8(b));
    }

    /// <summary>
    /// ToTensor + Normalize, one pixel per thread: x = pixel, y = image. Packed pixels (B × P) become B × 3 × P
    /// floats (v / 255 − mean) / std, in float32 and in torchvision's order of operations, so equal bytes give
    /// equal floats.
    /// </summary>
    [IlgpuKernel("image-normalize")]
    public static void Normalize(ArrayView<float> packed, ArrayView<float> output, int pixels, int batch, float mean0, float mean1, float mean2, float std0, float std1, float std2)
    {
        Configs.Unfold((pixels + Group.DimX - 1) / Group.DimX, batch, out int groupX, out int b, out int _);
        int p = groupX * Group.DimX + Group.IdxX;
        if (p >= pixels)
        {
            return;
        }
        int v = (int)packed[b * pixels + p];
        int o = b * 3 * pixels + p;
        output[o] = ((v & 255) / 255f - mean0) / std0;
        output[o + pixels] = (((v >> 8) & 255) / 255f - mean1) / std1;
        output[o + 2 * pixels] = ((v >> 16) / 255f - mean2) / std2;
    }

    /// <summary>The CPU family's horizontal pass: one work item per row, the same integer arithmetic as <see cref="ResampleRows"/>.</summary>
    [CpuKernel("image-resample-rows")]
    public static void ResampleRowsCpu(HostView source, HostView table, HostView target, int sourceWidth, int targetWidth, int rows, int stride) =>
        // Scalar on purpose: each tap is an integer multiply of a gathered pixel, and the whole preprocessing is a
        // few milliseconds next to the model's seconds; the work items are rows, enough to fill the cores.
        CpuParallel.For(rows, y =>
        {
            for (int x = 0; x < targetWidth; x++)
            {
                int entry = x * stride;
                target[y * targetWidth + x] = FilterCpu(source, y * sourceWidth + (int)table[entry], 1, table, entry);
            }
        });

    /// <summary>The CPU family's vertical pass: one work item per output row, as <see cref="ResampleColumns"/>.</summary>
    [CpuKernel("image-resample-columns")]
    public static void ResampleColumnsCpu(HostView source, HostView table, HostView target, int width, int targetRows, int stride) =>
        CpuParallel.For(targetRows, y =>
        {
            int entry = y * stride;
            int start = (int)table[entry];
            for (int x = 0; x < width; x++)
            {
                target[y * width + x] = FilterCpu(source, start * width + x, width, table, entry);
            }
        });

    /// <summary>The CPU family's ToTensor + Normalize: one work item per run of 4096 pixels of an image, as <see cref="Normalize"/>.</summary>
    [CpuKernel("image-normalize")]
    public static void NormalizeCpu(HostView packed, HostView output, int pixels, int batch, float mean0, float mean1, float mean2, float std0, float std1, float std2)
    {
        const int Run = 4096;
        int runs = (pixels + Run - 1) / Run;
        CpuParallel.For(batch * runs, item =>
        {
            int b = item / runs;
            int end = Math.Min(pixels, (item - b * runs + 1) * Run);
            for (int p = (item - b * runs) * Run; p < end; p++)
            {
                int v = (int)packed[b * pixels + p];
                int o = b * 3 * pixels + p;
                output[o] = ((v & 255) / 255f - mean0) / std0;
                output[o + pixels] = (((v >> 8) & 255) / 255f - mean1) / std1;
                output[o + 2 * pixels] = ((v >> 16) / 255f - mean2) / std2;
            }
        });
    }

    /// <summary>Runs the horizontal pass: <paramref name="rows"/> rows of <paramref name="sourceWidth"/> packed pixels to rows of <paramref name="targetWidth"/>.</summary>
    /// <remarks>The table's windows must lie inside a source row (the caller builds it from the same geometry); the views' lengths are checked here.</remarks>
    public static void Rows(KernelDevice device, KernelFamily family, ArrayView<float> source, ArrayView<float> table, ArrayView<float> target, int sourceWidth, int targetWidth, int rows, int stride)
    {
        ArgumentNullException.ThrowIfNull(device);
        CheckPass("rows", source, table, target, sourceWidth, targetWidth, rows, stride, (long)rows * sourceWidth, (long)targetWidth * stride, (long)rows * targetWidth);
        if (rows == 0 || targetWidth == 0)
        {
            return;
        }
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(ResampleRowsCpu), () => ResampleRowsCpu(HostView.Of(source), HostView.Of(table), HostView.Of(target), sourceWidth, targetWidth, rows, stride));
        }
        else
        {
            device.Launch(ResampleRows, Configs.Folded((targetWidth + 63) / 64, rows, 1, 64), source, table, target, sourceWidth, targetWidth, rows, stride);
        }
    }

    /// <summary>Runs the vertical pass: columns of a <paramref name="width"/>-pixel-wide source to <paramref name="targetRows"/> rows.</summary>
    /// <remarks>The table's windows must lie inside the source's <paramref name="sourceRows"/> rows (checked on the host by the caller's geometry); the views' lengths are checked here.</remarks>
    public static void Columns(KernelDevice device, KernelFamily family, ArrayView<float> source, ArrayView<float> table, ArrayView<float> target, int width, int sourceRows, int targetRows, int stride)
    {
        ArgumentNullException.ThrowIfNull(device);
        CheckPass("columns", source, table, target, width, width, targetRows, stride, (long)sourceRows * width, (long)targetRows * stride, (long)targetRows * width);
        if (targetRows == 0 || width == 0)
        {
            return;
        }
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(ResampleColumnsCpu), () => ResampleColumnsCpu(HostView.Of(source), HostView.Of(table), HostView.Of(target), width, targetRows, stride));
        }
        else
        {
            device.Launch(ResampleColumns, Configs.Folded((width + 63) / 64, targetRows, 1, 64), source, table, target, width, targetRows, stride);
        }
    }

    /// <summary>Runs ToTensor + Normalize: <paramref name="batch"/> × <paramref name="pixels"/> packed pixels to B × 3 × P floats.</summary>
    public static void NormalizeImages(KernelDevice device, KernelFamily family, ArrayView<float> packed, ArrayView<float> output, int pixels, int batch, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (pixels < 0 || batch < 0 || mean.Length != 3 || std.Length != 3)
        {
            throw new ArgumentException($"Image normalisation: invalid sizes (batch {batch}, pixels {pixels}, {mean.Length} means, {std.Length} stds; 3 of each needed).");
        }
        if (packed.Length < (long)batch * pixels || output.Length < 3L * batch * pixels)
        {
            throw new ArgumentException($"Image normalisation of {batch} x {pixels} pixels: views too short (packed {packed.Length}, output {output.Length}).");
        }
        if (batch == 0 || pixels == 0)
        {
            return;
        }
        float m0 = mean[0], m1 = mean[1], m2 = mean[2], s0 = std[0], s1 = std[1], s2 = std[2];
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(NormalizeCpu), () => NormalizeCpu(HostView.Of(packed), HostView.Of(output), pixels, batch, m0, m1, m2, s0, s1, s2));
        }
        else
        {
            device.Launch(Normalize, Configs.Folded((pixels + 255) / 256, batch, 1, 256), packed, output, pixels, batch, m0, m1, m2, s0, s1, s2);
        }
    }

    private static float FilterCpu(HostView source, int origin, int step, HostView table, int entry)
    {
        int count = (int)table[entry + 1];
        int r = 1 << (ResampleTable.PrecisionBits - 1), g = r, b = r;
        for (int t = 0; t < count; t++)
        {
            int p = (int)source[origin + t * step];
            int k = (int)table[entry + 2 + t];
            r += (p & 255) * k;
            g += ((p >> 8) & 255) * k;
            b += (p >> 16) * k;
        }
        return Pack(Clip8(r), Clip8(g), Clip8(b));
    }

    private static void CheckPass(string pass, ArrayView<float> source, ArrayView<float> table, ArrayView<float> target, int sourceWidth, int targetWidth, int rows, int stride, long sourceNeeded, long tableNeeded, long targetNeeded)
    {
        if (sourceWidth < 0 || targetWidth < 0 || rows < 0 || stride < 3)
        {
            throw new ArgumentException($"Image resample ({pass}): invalid sizes (source width {sourceWidth}, target width {targetWidth}, rows {rows}, table stride {stride}).");
        }
        if (source.Length < sourceNeeded || table.Length < tableNeeded || target.Length < targetNeeded)
        {
            throw new ArgumentException($"Image resample ({pass}): views too short (source {source.Length} of {sourceNeeded}, table {table.Length} of {tableNeeded}, target {target.Length} of {targetNeeded}).");
        }
    }
}
