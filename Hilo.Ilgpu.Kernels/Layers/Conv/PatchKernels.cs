using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Conv;

/// <summary>
/// im2col for non-overlapping convolutions (kernel = stride = k): every k×k patch becomes one row of a matrix, so
/// the convolution is then a GEMM with the weight as a [Cout, K] matrix. Columns are in (kh, kw, cin) order
/// (<see cref="ToTapMajor"/> reorders an OIHW weight to match).
/// </summary>
public static class PatchKernels
{
    /// <summary>
    /// Channels-last map (B × H·W × Cin) to rows [B·Ho·Wo, k·k·Cin], Ho = ⌊H/k⌋, Wo = ⌊W/k⌋: row (b, oy, ox), column
    /// (i·k + j)·Cin + c holds x[b, (oy·k + i)·W + ox·k + j, c]. One thread per matrix element: x = column, y = cell, z = batch.
    /// </summary>
    [IlgpuKernel("patch-gather")]
    public static void GatherTokenPatches(ArrayView<float> x, ArrayView<float> rows, int height, int width, int cin, int k, int outH, int outW)
    {
        Configs.Unfold((k * k * cin + Group.DimX - 1) / Group.DimX, outH * outW, out int groupX, out int cell, out int b);
        int q = groupX * Group.DimX + Group.IdxX;
        int rowLength = k * k * cin;
        if (q >= rowLength || cell >= outH * outW)
        {
            return;
        }
        int run = k * cin;
        int i = q / run;
        int rest = q - i * run;
        int oy = cell / outW;
        int ox = cell - oy * outW;
        int source = ((b * height + oy * k + i) * width + ox * k) * cin + rest;
        rows[(b * outH * outW + cell) * rowLength + q] = x[source];
    }

    /// <summary>The CPU family's <see cref="GatherTokenPatches"/>: one work item per output cell copies its k contiguous runs of k·Cin values.</summary>
    [CpuKernel("patch-gather")]
    public static unsafe void GatherTokenPatchesCpu(HostView x, HostView rows, int batch, int height, int width, int cin, int k, int outH, int outW) =>
        CpuParallel.For(batch * outH * outW, item =>
        {
            int b = item / (outH * outW);
            int cell = item - b * outH * outW;
            int run = k * cin;
            int oy = cell / outW;
            int ox = cell - oy * outW;
            for (int i = 0; i < k; i++)
            {
                int source = ((b * height + oy * k + i) * width + ox * k) * cin;
                int target = item * k * run + i * run;
                new ReadOnlySpan<float>(x.At(source, run), run).CopyTo(new Span<float>(rows.At(target, run), run));
            }
        });

    /// <summary>
    /// NCHW image to rows [B·Ho·Wo, k·k·Cin] in the same column order as <see cref="GatherTokenPatches"/>,
    /// Ho = ⌈H/k⌉, Wo = ⌈W/k⌉: the image is read as zero-padded at the bottom/right to multiples of k (the detection
    /// backbone's <c>F.pad</c> before the patch-embed conv). One thread per matrix element.
    /// </summary>
    [IlgpuKernel("patch-gather")]
    public static void GatherImagePatches(ArrayView<float> image, ArrayView<float> rows, int cin, int height, int width, int k, int outH, int outW)
    {
        Configs.Unfold((k * k * cin + Group.DimX - 1) / Group.DimX, outH * outW, out int groupX, out int cell, out int b);
        int q = groupX * Group.DimX + Group.IdxX;
        int run = k * cin;
        if (q >= k * run || cell >= outH * outW)
        {
            return;
        }
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

    /// <summary>The CPU family's <see cref="GatherImagePatches"/>: one work item per output cell.</summary>
    [CpuKernel("patch-gather")]
    public static void GatherImagePatchesCpu(HostView image, HostView rows, int batch, int cin, int height, int width, int k, int outH, int outW) =>
        CpuParallel.For(batch * outH * outW, item =>
        {
            int b = item / (outH * outW);
            int cell = item - b * outH * outW;
            int oy = cell / outW;
            int ox = cell - oy * outW;
            int target = item * k * k * cin;
            for (int i = 0; i < k; i++)
            {
                int yy = oy * k + i;
                for (int j = 0; j < k; j++)
                {
                    int xx = ox * k + j;
                    bool inside = yy < height && xx < width;
                    for (int c = 0; c < cin; c++)
                    {
                        rows[target + (i * k + j) * cin + c] = inside ? image[((b * cin + c) * height + yy) * width + xx] : 0f;
                    }
                }
            }
        });

    /// <summary>Rows [B·⌊H/k⌋·⌊W/k⌋, k·k·Cin] from a B × H·W × Cin map.</summary>
    public static void GatherTokens(KernelDevice device, KernelFamily family, ArrayView<float> x, ArrayView<float> rows, int batch, int height, int width, int cin, int k)
    {
        ArgumentNullException.ThrowIfNull(device);
        CheckSizes(batch, height, width, cin, k);
        int outH = height / k, outW = width / k;
        if (x.Length < (long)batch * height * width * cin || rows.Length < (long)batch * outH * outW * k * k * cin)
        {
            throw new ArgumentException($"Patch gather {batch}x{height}x{width}x{cin} (k = {k}): views too short (x {x.Length}, rows {rows.Length}).");
        }
        if ((long)batch * outH * outW * cin == 0)
        {
            return;
        }
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(GatherTokenPatchesCpu), () => GatherTokenPatchesCpu(HostView.Of(x), HostView.Of(rows), batch, height, width, cin, k, outH, outW));
        }
        else
        {
            int columns = k * k * cin;
            device.Launch(GatherTokenPatches, Configs.Folded((columns + 63) / 64, outH * outW, batch, 64), x, rows, height, width, cin, k, outH, outW);
        }
    }

    /// <summary>Rows [B·⌈H/k⌉·⌈W/k⌉, k·k·Cin] from a B × Cin × H × W image.</summary>
    public static void GatherImage(KernelDevice device, KernelFamily family, ArrayView<float> image, ArrayView<float> rows, int batch, int cin, int height, int width, int k)
    {
        ArgumentNullException.ThrowIfNull(device);
        CheckSizes(batch, height, width, cin, k);
        int outH = (height + k - 1) / k, outW = (width + k - 1) / k;
        if (image.Length < (long)batch * cin * height * width || rows.Length < (long)batch * outH * outW * k * k * cin)
        {
            throw new ArgumentException($"Image patch gather {batch}x{cin}x{height}x{width} (k = {k}): views too short (image {image.Length}, rows {rows.Length}).");
        }
        if ((long)batch * outH * outW * cin == 0)
        {
            return;
        }
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(GatherImagePatchesCpu), () => GatherImagePatchesCpu(HostView.Of(image), HostView.Of(rows), batch, cin, height, width, k, outH, outW));
        }
        else
        {
            int columns = k * k * cin;
            device.Launch(GatherImagePatches, Configs.Folded((columns + 63) / 64, outH * outW, batch, 64), image, rows, cin, height, width, k, outH, outW);
        }
    }

    /// <summary>
    /// An OIHW conv weight [Cout, Cin, k, k] reordered to [Cout, k, k, Cin], the column order of the gathers here and
    /// of <see cref="DeformKernels"/> (column (i·k + j)·Cin + c).
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
