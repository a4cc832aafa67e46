using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Conv;

/// <summary>Per-channel affine map on channels-last data (a standalone eval BatchNorm in its folded form).</summary>
public static class ChannelKernels
{
    /// <summary><c>y[i] = x[i]·scale[c] + shift[c]</c> with c = i mod C; one thread per element.</summary>
    [IlgpuKernel("channel-affine")]
    public static void ChannelAffine(ArrayView<float> x, ArrayView<float> scale, ArrayView<float> shift, ArrayView<float> y, int count, int channels)
    {
        int i = Grid.GlobalIndex.X;
        if (i < count)
        {
            int c = i % channels;
            y[i] = x[i] * scale[c] + shift[c];
        }
    }

    /// <summary>The CPU family's <see cref="ChannelAffine"/>: one work item per row of C channels.</summary>
    [CpuKernel("channel-affine")]
    public static void ChannelAffineCpu(HostView x, HostView scale, HostView shift, HostView y, int count, int channels) =>
        CpuParallel.For(count / channels, r =>
        {
            int at = r * channels;
            for (int c = 0; c < channels; c++)
            {
                y[at + c] = x[at + c] * scale[c] + shift[c];
            }
        });

    /// <summary>Runs the affine map over the first <paramref name="count"/> elements (whole rows of <paramref name="channels"/>).</summary>
    public static void Affine(KernelDevice device, KernelFamily family, ArrayView<float> x, ArrayView<float> scale, ArrayView<float> shift, ArrayView<float> y, int count, int channels)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (channels < 1 || count < 0 || count % channels != 0 || x.Length < count || y.Length < count || scale.Length < channels || shift.Length < channels)
        {
            throw new ArgumentException($"Channel affine over {count} elements of {channels} channels: invalid sizes or views too short.");
        }
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(ChannelAffineCpu), () => ChannelAffineCpu(HostView.Of(x), HostView.Of(scale), HostView.Of(shift), HostView.Of(y), count, channels));
        }
        else
        {
            device.Launch(ChannelAffine, Configs.Linear(count), x, scale, shift, y, count, channels);
        }
    }
}
