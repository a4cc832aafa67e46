using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Conv;

/// <summary>
/// s×s average pooling with stride s over a channels-last token map (B × H·W × C). Maps whose sides are not
/// multiples of s are treated as zero-padded at the bottom/right, and the zeros count: every window divides by
/// s², as the official detection backbone's explicit <c>F.pad</c> followed by <c>AvgPool2d</c> does.
/// </summary>
public static class PoolKernels
{
    /// <summary>One output element per thread: x = channel, y = output cell (oy·outW + ox), z = batch.</summary>
    [IlgpuKernel("avg-pool")]
    public static void AvgPoolPadded(ArrayView<float> x, ArrayView<float> y, int height, int width, int channels, int s, int outH, int outW)
    {
        Configs.Unfold((channels + Group.DimX - 1) / Group.DimX, outH * outW, out int groupX, out int cell, out int b);
        int c = groupX * Group.DimX + Group.IdxX;
        if (c >= channels || cell >= outH * outW)
        {
            return;
        }
        int oy = cell / outW;
        int ox = cell - oy * outW;
        int y0 = oy * s;
        int x0 = ox * s;
        // Rows and columns past the map are the zero padding: they add nothing to the sum.
        int y1 = Math.Min(y0 + s, height);
        int x1 = Math.Min(x0 + s, width);
        float sum = 0f;
        for (int yy = y0; yy < y1; yy++)
        {
            int rowBase = (b * height + yy) * width;
            for (int xx = x0; xx < x1; xx++)
            {
                sum += x[(rowBase + xx) * channels + c];
            }
        }
        y[(b * outH * outW + cell) * channels + c] = sum / (float)(s * s);
    }

    /// <summary>
    /// The CPU family's pooling: one work item per pooled cell sums its window 16 channels at a time (the same
    /// summation order as <see cref="AvgPoolPadded"/>, so the same result bit for bit), a scalar tail for other channels.
    /// </summary>
    [CpuKernel("avg-pool")]
    public static unsafe void AvgPoolCpu(HostView x, HostView y, int batch, int height, int width, int channels, int s, int outH, int outW) =>
        CpuParallel.For(batch * outH * outW, item =>
        {
            int b = item / (outH * outW);
            int cell = item - b * outH * outW;
            int oy = cell / outW;
            int ox = cell - oy * outW;
            int y0 = oy * s, x0 = ox * s;
            int y1 = Math.Min(y0 + s, height), x1 = Math.Min(x0 + s, width);
            float area = s * s;
            float* o = y.At(item * channels, channels);
            int c = 0;
            for (; c + Float16.Count <= channels; c += Float16.Count)
            {
                Float16 sum = Float16.Zero;
                for (int yy = y0; yy < y1; yy++)
                {
                    int rowBase = (b * height + yy) * width;
                    for (int xx = x0; xx < x1; xx++)
                    {
                        sum += Float16.Load(x, (rowBase + xx) * channels + c);
                    }
                }
                (sum / area).Store(o + c);
            }
            for (; c < channels; c++)
            {
                float sum = 0f;
                for (int yy = y0; yy < y1; yy++)
                {
                    int rowBase = (b * height + yy) * width;
                    for (int xx = x0; xx < x1; xx++)
                    {
                        sum += x[(rowBase + xx) * channels + c];
                    }
                }
                o[c] = sum / area;
            }
        });

    /// <summary>Output map size: ⌈H/s⌉ × ⌈W/s⌉.</summary>
    public static (int Height, int Width) OutputSize(int height, int width, int s) => ((height + s - 1) / s, (width + s - 1) / s);

    /// <summary>Pools <paramref name="x"/> (B × H·W × C) into <paramref name="y"/> (B × ⌈H/s⌉·⌈W/s⌉ × C).</summary>
    public static void AvgPool(KernelDevice device, KernelFamily family, ArrayView<float> x, ArrayView<float> y, int batch, int height, int width, int channels, int s)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (batch < 0 || height < 0 || width < 0 || channels < 0 || s < 1)
        {
            throw new ArgumentException($"Average pooling: invalid sizes batch {batch}, map {height}x{width}, channels {channels}, window {s}.");
        }
        var (outH, outW) = OutputSize(height, width, s);
        if (x.Length < (long)batch * height * width * channels || y.Length < (long)batch * outH * outW * channels)
        {
            throw new ArgumentException($"Average pooling {batch}x{height}x{width}x{channels} (s = {s}): views too short (x {x.Length}, y {y.Length}).");
        }
        if (batch == 0 || outH * outW == 0 || channels == 0)
        {
            return;
        }
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(AvgPoolCpu), () => AvgPoolCpu(HostView.Of(x), HostView.Of(y), batch, height, width, channels, s, outH, outW));
        }
        else
        {
            device.Launch(AvgPoolPadded, Configs.Folded((channels + 63) / 64, outH * outW, batch, 64), x, y, height, width, channels, s, outH, outW);
        }
    }
}
