using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// <c>nn.AvgPool2d(kernel_size=s, stride=s)</c> over a channels-last token map (B × H·W × C). Sides that are not
/// multiples of s are zero-padded at the bottom/right and the zeros are counted (every window divides by s²), as
/// the official detection backbone does by padding before pooling (HiLo's Lo-Fi branch). No parameters.
/// </summary>
public sealed class AvgPool2d : Module
{
    /// <summary>Creates the pooling with window and stride <paramref name="windowSize"/>.</summary>
    public AvgPool2d(ComputeDevice device, int windowSize) : base(device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 1);
        WindowSize = windowSize;
    }

    /// <summary>The window size and stride s.</summary>
    public int WindowSize { get; }

    /// <summary>The pooled map size, ⌈H/s⌉ × ⌈W/s⌉.</summary>
    public (int Height, int Width) OutputSize(int height, int width) => PoolKernels.OutputSize(height, width, WindowSize);

    /// <summary>Pools <paramref name="x"/> (B × H·W × C) into a new B × ⌈H/s⌉·⌈W/s⌉ × C tensor.</summary>
    public Tensor Forward(Tensor x, int height, int width)
    {
        int batch = TokenMapChecks.Check(nameof(AvgPool2d), x, Device, height, width, channels: -1);
        int channels = x.Dim(2);
        var (outH, outW) = OutputSize(height, width);
        var y = Device.Allocate(batch, outH * outW, channels);
        PoolKernels.AvgPool(Device.Kernels, Device.Family, x.View, y.View, batch, height, width, channels, WindowSize);
        return y;
    }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
    }
}
