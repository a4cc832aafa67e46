using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>
/// The Lo-Fi branch's s×s average pooling of a channels-last map (B × H·W × C → B × ⌈H/s⌉·⌈W/s⌉ × C), CPU style:
/// one work-item per pooled cell sums its window 16 channels at a time. Same result, bit for bit, as the scalar
/// <c>PoolKernels.AvgPoolPadded</c> (same summation order, zero padding counted: every cell divides by s²), which
/// runs one work-item per output value — on CPU devices that per-item overhead dominates.
/// </summary>
public static partial class LoFiPoolKernels
{
    /// <summary>Pools one cell (x = cell index oy·outW + ox, y = batch item); channels a multiple of 16.</summary>
    [Kernel]
    public static void AvgPoolCpu(ArrayView<float> x, ArrayView<float> y, int height, int width, int channels, int s, int outW)
    {
        int cell = Grid.GlobalIndex.X;
        int b = Grid.GlobalIndex.Y;
        int cells = Grid.GlobalSize.X;
        int oy = cell / outW;
        int ox = cell - oy * outW;
        int y0 = oy * s;
        int x0 = ox * s;
        int y1 = Math.Min(y0 + s, height);
        int x1 = Math.Min(x0 + s, width);
        float area = (float)(s * s);
        int o = (b * cells + cell) * channels;
        for (int c = 0; c < channels; c += Float16.Count)
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
            (sum / area).Store(y, o + c);
        }
    }

    /// <summary>Whether <see cref="AvgPool"/> handles this channel count (a positive multiple of 16).</summary>
    public static bool Supports(int channels) => channels > 0 && channels % Float16.Count == 0;

    /// <summary>Queues the pooling of <paramref name="x"/> (B × H·W × C) into <paramref name="y"/> (B × ⌈H/s⌉·⌈W/s⌉ × C).</summary>
    public static void AvgPool(AcceleratorStream stream, ArrayView<float> x, ArrayView<float> y, int batch, int height, int width, int channels, int s)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (batch < 0 || height < 0 || width < 0 || !Supports(channels) || s < 1)
        {
            throw new ArgumentException($"Average pooling (CPU style): invalid sizes batch {batch}, map {height}x{width}, channels {channels} (a multiple of 16), window {s}.");
        }
        int outH = (height + s - 1) / s, outW = (width + s - 1) / s;
        if (x.Length < (long)batch * height * width * channels || y.Length < (long)batch * outH * outW * channels)
        {
            throw new ArgumentException($"Average pooling {batch}x{height}x{width}x{channels} (s = {s}): views too short (x {x.Length}, y {y.Length}).");
        }
        if (batch == 0 || outH * outW == 0)
        {
            return;
        }
        stream.Launch(AvgPoolCpuKernel, new LaunchDims(new Index3D(outH * outW, batch), new Index3D(1, 1)), x, y, height, width, channels, s, outW);
    }
}
