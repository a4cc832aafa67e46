using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers;

/// <summary>
/// Both GEMM variants on every backend: a layer asked for the other style than its device's default runs the
/// other GEMM (GPU-style tiled on the CPU backends here), so both code paths are checked on every machine.
/// </summary>
public abstract partial class ConvLayerSuite
{
    [Theory]
    [InlineData(KernelStyle.Cpu)]
    [InlineData(KernelStyle.Gpu)]
    public void PatchConvBothStylesMatchReference(KernelStyle style)
    {
        const int batch = 2, height = 9, width = 7, cin = 5, cout = 37, k = 2;
        var rng = new Random(77);
        var input = ConvAssert.Normal(rng, batch * height * width * cin);
        using var conv = new PatchConv2d(Device, cin, cout, k, style: style);
        Assert.Equal(style, conv.Style);
        var state = ConvAssert.RandomState(conv, rng);
        conv.LoadStateDict(state, "conv");
        using var x = Upload(input, batch, height * width, cin);
        using var y = conv.Forward(x, height, width);
        var expected = ConvReference.PatchConv(input, batch, height, width, cin, state["weight"].Data, state["bias"].Data, cout, k);
        ConvAssert.Close(expected, y.ToArray(), $"patch conv ({style})");
    }

    [Theory]
    [InlineData(KernelStyle.Cpu)]
    [InlineData(KernelStyle.Gpu)]
    public void DeformableConvBothStylesMatchReference(KernelStyle style)
    {
        const int batch = 2, height = 7, width = 10, cin = 6, cout = 20;
        var rng = new Random(78);
        var input = ConvAssert.Normal(rng, batch * height * width * cin);
        using var conv = new DeformableConv2d(Device, cin, cout, style: style);
        Assert.Equal(style, conv.ConvOffset!.Style);
        var state = ConvAssert.RandomState(conv, rng, sigma: 0.8);
        conv.LoadStateDict(state, "deform");
        using var x = Upload(input, batch, height * width, cin);
        using var offsets = conv.ComputeOffsets(x, height, width);
        using var y = conv.Forward(x, offsets, height, width);
        var expected = ConvReference.DeformConv(input, offsets.ToArray(), batch, height, width, cin, state["weight"].Data, state["bias"].Data, cout, 2);
        ConvAssert.Close(expected, y.ToArray(), $"deformable conv ({style})");
    }

    [Theory]
    [InlineData(KernelStyle.Cpu, 32)]
    [InlineData(KernelStyle.Gpu, 32)]
    [InlineData(KernelStyle.Cpu, 24)]
    public void DepthwiseBothStylesMatchReference(KernelStyle style, int channels)
    {
        const int batch = 2, height = 5, width = 7;
        var rng = new Random(79 + channels);
        var input = ConvAssert.Normal(rng, batch * height * width * channels);
        using var conv = new DepthwiseConv3x3(Device, channels, style);
        var state = ConvAssert.RandomState(conv, rng);
        conv.LoadStateDict(state, "dwconv");
        using var x = Upload(input, batch, height * width, channels);
        using var y = conv.Forward(x, height, width);
        var expected = ConvReference.Depthwise3x3(input, batch, height, width, channels, state["weight"].Data, state["bias"].Data);
        ConvAssert.Close(expected, y.ToArray(), $"depthwise ({style}, C = {channels})", 1e-5);
    }
}
