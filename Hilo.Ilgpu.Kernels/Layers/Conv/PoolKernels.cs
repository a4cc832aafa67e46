using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Layers.Conv;

/// <summary>
/// s×s average pooling with stride s over a channels-last token map (B × H·W × C). Maps whose sides are not
/// multiples of s are treated as zero-padded at the bottom/right, and the zeros count: every window divides by
/// s², as the official detection backbone's explicit <c>F.pad</c> followed by <c>AvgPool2d</c> does.
/// </summary>
public static partial class PoolKernels
{
    /// <summary>
    /// One output element per work-item: x = channel, y = output cell (oy·outW + ox), z = batch.
    /// Launch over (C, outH·outW, B); <see cref="AvgPool"/> does that.
    /// </summary>
    [Kernel]
    public static void AvgPoolPadded(ArrayView<float> x, ArrayView<float> y, int height, int width, int channels, int s, int outH, int outW)
    {
        int c = Grid.GlobalIndex.X;
        int cell = Grid.GlobalIndex.Y;
        int b = Grid.GlobalIndex.Z;
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

    /// <summary>Output map size: ⌈H/s⌉ × ⌈W/s⌉.</summary>
    public static (int Height, int Width) OutputSize(int height, int width, int s) => ((height + s - 1) / s, (width + s - 1) / s);

    /// <summary>Queues the pooling of <paramref name="x"/> (B × H·W × C) into <paramref name="y"/> (B × ⌈H/s⌉·⌈W/s⌉ × C).</summary>
    public static void AvgPool(AcceleratorStream stream, ArrayView<float> x, ArrayView<float> y, int batch, int height, int width, int channels, int s)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (batch < 0 || height < 0 || width < 0 || channels < 0 || s < 1)
        {
            throw new ArgumentException($"Average pooling: invalid sizes batch {batch}, map {height}x{width}, channels {channels}, window {s}.");
        }
        var (outH, outW) = OutputSize(height, width, s);
        if (x.Length < (long)batch * height * width * channels || y.Length < (long)batch * outH * outW * channels)
        {
            throw new ArgumentException($"Average pooling {batch}x{height}x{width}x{channels} (s = {s}): views too short (x {x.Length}, y {y.Length}).");
        }
        stream.Launch(AvgPoolPaddedKernel, new LaunchDims(new Index3D(channels, outH * outW, batch)), x, y, height, width, channels, s, outH, outW);
    }
}
