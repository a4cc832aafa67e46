using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers;

public abstract partial class ConvLayerSuite
{
    [Theory]
    [InlineData(1, 4, 4, 3, 5, 2, true)]
    [InlineData(2, 7, 9, 8, 8, 2, true)]
    [InlineData(2, 9, 5, 3, 6, 4, false)]
    [InlineData(1, 6, 10, 16, 16, 2, true)]
    [InlineData(3, 5, 5, 2, 3, 5, true)]
    [InlineData(1, 3, 4, 7, 33, 1, true)]
    [InlineData(2, 11, 13, 20, 40, 3, true)]
    public void PatchConvMatchesReference(int batch, int height, int width, int cin, int cout, int k, bool bias)
    {
        var rng = new Random(batch + height * 7 + width * 31 + cin * 101 + k * 1009);
        var input = ConvAssert.Normal(rng, batch * height * width * cin);
        using var conv = new PatchConv2d(Device, cin, cout, k, bias);
        var state = ConvAssert.RandomState(conv, rng);
        conv.LoadStateDict(state, "conv");
        using var x = Upload(input, batch, height * width, cin);
        using var y = conv.Forward(x, height, width);
        var (outH, outW) = conv.OutputSize(height, width);
        Assert.Equal((height / k, width / k), (outH, outW));
        Assert.Equal([batch, outH * outW, cout], y.Shape);
        var expected = ConvReference.PatchConv(input, batch, height, width, cin, state["weight"].Data, bias ? state["bias"].Data : null, cout, k);
        ConvAssert.Close(expected, y.ToArray(), "patch conv");
    }

    [Fact]
    public void PatchConvHasTheOfficialKeys()
    {
        using var conv = new PatchConv2d(Device, 4, 6, 2);
        Assert.Equal(["weight", "bias"], conv.NamedParameters().Select(p => p.Name));
        Assert.Equal(6 * 4 * 4 + 6, conv.ParameterCount);
        using var noBias = new PatchConv2d(Device, 4, 6, 2, bias: false);
        Assert.Equal(["weight"], noBias.NamedParameters().Select(p => p.Name));
        Assert.Equal("Conv2d(4, 6, kernel_size=(2, 2), stride=(2, 2))", conv.ToString());
    }

    [Fact]
    public void PatchConvRejectsBadInput()
    {
        using var conv = new PatchConv2d(Device, 4, 6, 2);
        using var x = Upload(new float[2 * 6 * 4], 2, 6, 4);
        Assert.Throws<InvalidOperationException>(() => conv.Forward(x, 2, 3));
        conv.InitializeRandom(3);
        var small = Assert.Throws<ArgumentException>(() => conv.Forward(x, 1, 6));
        Assert.Contains("at least 2x2", small.Message, StringComparison.Ordinal);
        var channels = Assert.Throws<ArgumentException>(() => conv.Forward(x.Reshape(2, 8, 3), 2, 4));
        Assert.Contains("PatchConv2d", channels.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => conv.Forward(x, 3, 3));
        Assert.Throws<ArgumentException>(() => conv.Forward(x.Reshape(12, 4), 2, 3));
        Assert.Throws<ArgumentException>(() => conv.ForwardImage(x));
        Assert.Throws<ArgumentException>(() => conv.ForwardImage(x.Reshape(2, 3, 4, 4)));
    }

    public static TheoryData<string> PatchEmbedCases() => ConvFixtureCase.CasesOfKind("patch_embed");

    [Theory]
    [MemberData(nameof(PatchEmbedCases))]
    public void PatchEmbedMatchesPyTorch(string name)
    {
        var f = ConvFixtureCase.Load(name);
        using var embed = new PatchEmbed(Device, f.Int("embed_dim"), f.Int("in_chans"), f.Int("patch"));
        Assert.Equal(f.Parameters.Keys.Order(), embed.NamedParameters().Select(p => p.Name).Order());
        embed.LoadStateDict(f.Parameters, name);
        using var image = Device.Upload(f["input"]);
        var (tokens, h, w) = embed.Forward(image);
        using (tokens)
        {
            Assert.Equal((f.Int("out_H"), f.Int("out_W")), (h, w));
            Log($"{name}: max abs error {ConvAssert.Close(f["output"], tokens, name):G3}");
        }
    }

    [Theory]
    [InlineData(1, 3, 8, 8, 8)]
    [InlineData(2, 3, 30, 42, 16)]
    [InlineData(1, 3, 5, 3, 12)]
    [InlineData(2, 3, 13, 17, 24)]
    [InlineData(1, 1, 4, 9, 4)]
    public void PatchEmbedMatchesReference(int batch, int cin, int height, int width, int dim)
    {
        var rng = new Random(batch + height * 7 + width * 31 + cin * 101 + dim);
        var input = ConvAssert.Normal(rng, batch * cin * height * width);
        using var embed = new PatchEmbed(Device, dim, cin);
        var state = ConvAssert.RandomState(embed, rng);
        embed.LoadStateDict(state, "patch_embed");
        using var image = Upload(input, batch, cin, height, width);
        var (tokens, h, w) = embed.Forward(image);
        using (tokens)
        {
            Assert.Equal(((height + 3) / 4, (width + 3) / 4), (h, w));
            Assert.Equal([batch, h * w, dim], tokens.Shape);
            var conv = ConvReference.ImagePatchConv(input, batch, cin, height, width, state["proj.weight"].Data, state["proj.bias"].Data, dim, 4);
            var expected = ConvReference.LayerNorm(conv, batch * h * w, dim, state["norm.weight"].Data, state["norm.bias"].Data);
            ConvAssert.Close(expected, tokens.ToArray(), "patch embed");
        }
    }

    [Fact]
    public void PatchEmbedRejectsBadInput()
    {
        using var embed = new PatchEmbed(Device, 8);
        embed.InitializeRandom(4);
        using var tokens = Upload(new float[2 * 16 * 3], 2, 16, 3);
        var e = Assert.Throws<ArgumentException>(() => embed.Forward(tokens));
        Assert.Contains("[B, 3, H, W]", e.Message, StringComparison.Ordinal);
        using var gray = Upload(new float[2 * 16], 2, 1, 4, 4);
        Assert.Throws<ArgumentException>(() => embed.Forward(gray));
    }
}
