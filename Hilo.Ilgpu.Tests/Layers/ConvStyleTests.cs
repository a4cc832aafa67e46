using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers;

/// <summary>
/// The layers with an explicit kernel family run that family's kernels (each fixture runs its own family, so both
/// GEMMs and gathers are checked on every machine: the CPU family, and ILGPU kernels on the CPU accelerator).
/// </summary>
public abstract partial class ConvLayerSuite
{
    [Fact]
    public void PatchConvFamilyMatchesReference()
    {
        var style = Device.Family;
        const int batch = 2, height = 9, width = 7, cin = 5, cout = 37, k = 2;
        var rng = new Random(77);
        var input = ConvAssert.Normal(rng, batch * height * width * cin);
        using var conv = new PatchConv2d(Device, cin, cout, k, family: style);
        Assert.Equal(style, conv.Family);
        var state = ConvAssert.RandomState(conv, rng);
        conv.LoadStateDict(state, "conv");
        using var x = Upload(input, batch, height * width, cin);
        using var y = conv.Forward(x, height, width);
        var expected = ConvReference.PatchConv(input, batch, height, width, cin, state["weight"].Data, state["bias"].Data, cout, k);
        ConvAssert.Close(expected, y.ToArray(), $"patch conv ({style})");
    }

    [Fact]
    public void DeformableConvFamilyMatchesReference()
    {
        var style = Device.Family;
        const int batch = 2, height = 7, width = 10, cin = 6, cout = 20;
        var rng = new Random(78);
        var input = ConvAssert.Normal(rng, batch * height * width * cin);
        using var conv = new DeformableConv2d(Device, cin, cout, family: style);
        Assert.Equal(style, conv.ConvOffset!.Family);
        var state = ConvAssert.RandomState(conv, rng, sigma: 0.8);
        conv.LoadStateDict(state, "deform");
        using var x = Upload(input, batch, height * width, cin);
        using var offsets = conv.ComputeOffsets(x, height, width);
        using var y = conv.Forward(x, offsets, height, width);
        var expected = ConvReference.DeformConv(input, offsets.ToArray(), batch, height, width, cin, state["weight"].Data, state["bias"].Data, cout, 2);
        ConvAssert.Close(expected, y.ToArray(), $"deformable conv ({style})");
    }

    [Theory]
    [InlineData(32)]
    [InlineData(24)]
    public void DepthwiseFamilyMatchesReference(int channels)
    {
        var style = Device.Family;
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
