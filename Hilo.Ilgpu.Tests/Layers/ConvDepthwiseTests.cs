using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers;

public abstract partial class ConvLayerSuite
{
    [Fact]
    public void DepthwiseMatchesPyTorch()
    {
        var f = ConvFixtureCase.Load("dwconv3x3");
        int h = f.Int("H"), w = f.Int("W");
        using var conv = new DepthwiseConv3x3(Device, f.Int("channels"));
        conv.LoadStateDict(f.Parameters, "dwconv3x3");
        using var x = Device.Upload(f["input"]);
        using var y = conv.Forward(x, h, w);
        Log($"dwconv3x3: max abs error {ConvAssert.Close(f["output"], y, "dwconv3x3"):G3}");
    }

    [Fact]
    public void DWConvWrapperHasTheOfficialKeys()
    {
        // DWMlp's fixture holds the wrapper under "dwconv": keys dwconv.dwconv.weight / .bias.
        var f = ConvFixtureCase.Load("dwmlp_7x9");
        using var wrapper = new DWConv(Device, f.Int("hidden"));
        var expected = f.Parameters.Where(p => p.Key.StartsWith("dwconv.", StringComparison.Ordinal))
            .Select(p => (p.Key, string.Join("x", p.Value.Shape)));
        var actual = wrapper.NamedParameters("dwconv.").Select(p => (p.Name, string.Join("x", p.Parameter.Shape)));
        Assert.Equal(expected.Order(), actual.Order());
        Assert.Equal(f.Int("hidden") * 10, wrapper.ParameterCount);
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(2, 7, 9, 5)]
    [InlineData(1, 1, 6, 3)]
    [InlineData(3, 5, 2, 17)]
    [InlineData(1, 12, 11, 64)]
    [InlineData(2, 4, 6, 37)]     // inner columns with 16-channel blocks and a scalar tail
    [InlineData(2, 9, 19, 37)]    // ILGPU: partial 8×16-token tiles along both axes and a partial 32-channel block
    [InlineData(1, 17, 33, 100)]  // ILGPU: three tiles down, three across (the last one column wide), 4 channel blocks
    [InlineData(1, 8, 16, 32)]    // ILGPU: one exact tile
    public void DepthwiseMatchesReference(int batch, int height, int width, int channels)
    {
        var rng = new Random(batch + height * 7 + width * 31 + channels * 101);
        var input = ConvAssert.Normal(rng, batch * height * width * channels);
        using var conv = new DWConv(Device, channels);
        var state = ConvAssert.RandomState(conv, rng);
        conv.LoadStateDict(state, "dwconv");
        using var x = Upload(input, batch, height * width, channels);
        using var y = conv.Forward(x, height, width);
        var expected = ConvReference.Depthwise3x3(input, batch, height, width, channels, state["dwconv.weight"].Data, state["dwconv.bias"].Data);
        ConvAssert.Close(expected, y.ToArray(), "depthwise 3x3", 1e-5);
    }

    [Theory]
    [InlineData(1, 1, 1, 16)]
    [InlineData(2, 1, 5, 32)]
    [InlineData(1, 6, 1, 48)]
    [InlineData(2, 7, 9, 64)]
    [InlineData(1, 5, 4, 5)]
    [InlineData(1, 4, 5, 21)]
    [InlineData(1, 9, 17, 40)]    // ILGPU: a partial tile along each axis
    public void DepthwiseWithGeluMatchesReference(int batch, int height, int width, int channels)
    {
        // Fused into the convolution kernel of both families.
        var rng = new Random(batch * 3 + height * 5 + width * 11 + channels * 13);
        var input = ConvAssert.Normal(rng, batch * height * width * channels);
        using var conv = new DWConv(Device, channels);
        var state = ConvAssert.RandomState(conv, rng);
        conv.LoadStateDict(state, "dwconv");
        using var x = Upload(input, batch, height * width, channels);
        using var y = conv.ForwardGelu(x, height, width);
        var conv64 = ConvReference.Depthwise3x3(input, batch, height, width, channels, state["dwconv.weight"].Data, state["dwconv.bias"].Data);
        var expected = conv64.Select(v => v / 2 * (1 + Hilo.Ilgpu.Kernels.Layers.Basic.KernelMath.Erf(v / Math.Sqrt(2)))).ToArray();
        ConvAssert.Close(expected, y.ToArray(), "depthwise 3x3 + GELU", 1e-5);
    }

    [Fact]
    public void DepthwiseRejectsBadInput()
    {
        using var conv = new DepthwiseConv3x3(Device, 4);
        using var x = Upload(new float[2 * 6 * 4], 2, 6, 4);
        Assert.Throws<InvalidOperationException>(() => conv.Forward(x, 2, 3));
        conv.InitializeRandom(1);
        var e = Assert.Throws<ArgumentException>(() => conv.Forward(x, 3, 3));
        Assert.Contains("DepthwiseConv3x3", e.Message, StringComparison.Ordinal);
        using var wrongChannels = Upload(new float[2 * 6 * 3], 2, 6, 3);
        Assert.Throws<ArgumentException>(() => conv.Forward(wrongChannels, 2, 3));
        using var rank2 = x.Reshape(12, 4);
        Assert.Throws<ArgumentException>(() => conv.Forward(rank2, 2, 3));
        Assert.Throws<ArgumentException>(() => conv.Forward(x, 6, 0));
    }
}
