using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Layers.Conv;

/// <summary>Per-channel affine map on channels-last data (a standalone eval BatchNorm in its folded form).</summary>
public static partial class ChannelKernels
{
    /// <summary><c>y[i] = x[i]·scale[c] + shift[c]</c> with c = i mod C; one work-item per element.</summary>
    [Kernel]
    public static void ChannelAffine(ArrayView<float> x, ArrayView<float> scale, ArrayView<float> shift, ArrayView<float> y, int channels)
    {
        int i = Grid.GlobalIndex.X;
        int c = i % channels;
        y[i] = x[i] * scale[c] + shift[c];
    }

    /// <summary>Queues <see cref="ChannelAffine"/> over the first <paramref name="count"/> elements.</summary>
    public static void Affine(AcceleratorStream stream, ArrayView<float> x, ArrayView<float> scale, ArrayView<float> shift, ArrayView<float> y, int count, int channels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (channels < 1 || count < 0 || count % channels != 0 || x.Length < count || y.Length < count || scale.Length < channels || shift.Length < channels)
        {
            throw new ArgumentException($"Channel affine over {count} elements of {channels} channels: invalid sizes or views too short.");
        }
        stream.Launch(ChannelAffineKernel, new LaunchDims(count), x, scale, shift, y, channels);
    }
}
