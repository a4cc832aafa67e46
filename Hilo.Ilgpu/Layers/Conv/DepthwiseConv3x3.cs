using ILGPU;
using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// <c>nn.Conv2d(C, C, 3, 1, 1, bias=True, groups=C)</c> on a channels-last token map (B × H·W × C) with explicit
/// H, W. Parameters <c>weight</c> [C, 1, 3, 3] and <c>bias</c> [C]. In LITv2 it sits inside <see cref="DWConv"/>
/// (key path <c>mlp.dwconv.dwconv.weight</c>).
/// </summary>
public sealed class DepthwiseConv3x3 : Module
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private Tensor? taps;
    private Tensor? deviceBias;

    /// <summary>Creates the convolution over <paramref name="channels"/> channels.</summary>
    /// <param name="device">The device it runs on.</param>
    /// <param name="channels">C (in = out = groups).</param>
    /// <param name="family">Kernel variant; default the device's <see cref="ComputeDevice.Family"/> (CPU family: 16 channels per work-item when C is a multiple of 16).</param>
    public DepthwiseConv3x3(ComputeDevice device, int channels, KernelFamily? family = null) : base(device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        Channels = channels;
        Family = family ?? device.Family;
        weight = AddParameter("weight", channels, 1, 3, 3);
        bias = AddParameter("bias", channels);
    }

    /// <summary>Number of channels (in = out = groups).</summary>
    public int Channels { get; }

    /// <summary>The kernel variant this layer runs.</summary>
    public KernelFamily Family { get; }

    /// <summary>Convolves <paramref name="x"/> (B × H·W × C) into a new tensor of the same shape.</summary>
    public Tensor Forward(Tensor x, int height, int width) => Forward(x, height, width, gelu: false);

    /// <summary>
    /// Convolves <paramref name="x"/> (B × H·W × C) into a new tensor of the same shape, followed by GELU (erf form)
    /// when <paramref name="gelu"/> — fused into the convolution's kernel on CPU-family devices, a separate pass
    /// otherwise.
    /// </summary>
    public Tensor Forward(Tensor x, int height, int width, bool gelu)
    {
        int batch = TokenMapChecks.Check(nameof(DepthwiseConv3x3), x, Device, height, width, Channels);
        EnsurePrepared();
        var y = Device.Allocate(batch, height * width, Channels);
        DepthwiseKernels.Forward(Device.Kernels, Family, x.View, taps!.View, deviceBias!.View, y.View, batch, height, width, Channels, gelu);
        return y;
    }

    /// <summary>The tap-major weight [9, C] and the bias on the device, for a fused kernel that runs the convolution itself.</summary>
    internal (ArrayView<float> Taps, ArrayView<float> Bias) DeviceOperands()
    {
        EnsurePrepared();
        return (taps!.View, deviceBias!.View);
    }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
        taps = Upload(DepthwiseKernels.TapMajor(weight.Value.Data, Channels), 9, Channels);
        deviceBias = Upload(bias);
    }
}

/// <summary>
/// LITv2's <c>DWConv</c> wrapper (classification <c>blocks.py</c>): one child <c>dwconv</c>, a
/// <see cref="DepthwiseConv3x3"/>. A ConvFFN registers it as <c>dwconv</c>, giving the official keys
/// <c>mlp.dwconv.dwconv.weight</c> and <c>mlp.dwconv.dwconv.bias</c>.
/// </summary>
public sealed class DWConv : Module
{
    /// <summary>Creates the wrapper over <paramref name="channels"/> channels.</summary>
    public DWConv(ComputeDevice device, int channels, KernelFamily? family = null) : base(device) => Conv = AddChild("dwconv", new DepthwiseConv3x3(device, channels, family));

    /// <summary>The wrapped convolution (key <c>dwconv</c>).</summary>
    public DepthwiseConv3x3 Conv { get; }

    /// <summary>Convolves <paramref name="x"/> (B × H·W × C) into a new tensor of the same shape.</summary>
    public Tensor Forward(Tensor x, int height, int width) => Conv.Forward(x, height, width);

    /// <summary>Convolves <paramref name="x"/> and applies GELU (<see cref="DepthwiseConv3x3.Forward(Tensor, int, int, bool)"/>).</summary>
    public Tensor ForwardGelu(Tensor x, int height, int width) => Conv.Forward(x, height, width, gelu: true);

    /// <inheritdoc />
    protected override void PrepareCore()
    {
    }
}
