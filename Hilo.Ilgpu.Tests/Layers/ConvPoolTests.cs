using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers;

public abstract partial class ConvLayerSuite
{
    public static TheoryData<string> AvgPoolCases() => ConvFixtureCase.CasesOfKind("avgpool");

    [Theory]
    [MemberData(nameof(AvgPoolCases))]
    public void AvgPoolMatchesPyTorch(string name)
    {
        var f = ConvFixtureCase.Load(name);
        int h = f.Int("H"), w = f.Int("W"), s = f.Int("window_size");
        using var pool = new AvgPool2d(Device, s);
        Assert.Equal((f.Int("out_H"), f.Int("out_W")), pool.OutputSize(h, w));
        using var x = Device.Upload(f["input"]);
        using var y = pool.Forward(x, h, w);
        Log($"{name}: max abs error {ConvAssert.Close(f["output"], y, name):G3}");
    }

    [Theory]
    [InlineData(1, 1, 1, 1, 1)]
    [InlineData(2, 5, 7, 3, 2)]
    [InlineData(1, 9, 4, 5, 4)]
    [InlineData(3, 3, 3, 2, 4)]
    [InlineData(2, 13, 11, 7, 3)]
    [InlineData(1, 6, 10, 16, 1)]
    public void AvgPoolMatchesReference(int batch, int height, int width, int channels, int s)
    {
        var rng = new Random(batch * 1000 + height * 100 + width * 10 + s);
        var input = ConvAssert.Normal(rng, batch * height * width * channels);
        using var pool = new AvgPool2d(Device, s);
        using var x = Upload(input, batch, height * width, channels);
        using var y = pool.Forward(x, height, width);
        var (outH, outW) = pool.OutputSize(height, width);
        Assert.Equal([batch, outH * outW, channels], y.Shape);
        ConvAssert.Close(ConvReference.AvgPool(input, batch, height, width, channels, s), y.ToArray(), "avgpool", 1e-5);
    }

    [Fact]
    public void AvgPoolRejectsBadInput()
    {
        using var pool = new AvgPool2d(Device, 2);
        using var x = Upload(new float[2 * 12 * 4], 2, 12, 4);
        var e = Assert.Throws<ArgumentException>(() => pool.Forward(x, 3, 5));
        Assert.Contains("AvgPool2d", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 12, 4]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => pool.Forward(x, 0, 12));
        using var flat = x.Reshape(24, 4);
        Assert.Throws<ArgumentException>(() => pool.Forward(flat, 3, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AvgPool2d(Device, 0));
    }
}
