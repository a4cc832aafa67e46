using Hilo.Ilgpu.Analysis;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Tests.Analysis;

/// <summary>The FLOP and parameter counts reproduce the published figures (no kernels run: only module trees are built).</summary>
public sealed class FlopCounterTests : IDisposable
{
    private readonly ComputeDevice device = ComputeDevice.Open("cpu");

    public void Dispose() => device.Dispose();

    [Fact]
    public void HiLoBenchmarkLayerHasThePublishedFlopsAndParameters()
    {
        using var hilo = new HiLoAttention(device, 768, 12, windowSize: 2, alpha: 0.9, qkvBias: true);
        var c = Complexity.Of(hilo, 14, 14);
        Assert.Equal(298_296_320L, c.Flops);            // the official HiLo.flops(14, 14)
        Assert.Equal("298.3M", Complexity.Format(c.Flops));
        Assert.Equal(2_198_528L, c.Parameters);
        Assert.Equal("2.20M", Complexity.Format(c.Parameters, 2));
        Assert.Equal(64 * 298_296_320L, FlopCounter.Count(hilo, 14, 14, batch: 64));
    }

    [Theory]
    [InlineData("litv2-s", 224, "3.7G", "27.84M")]
    [InlineData("litv2-m", 224, "7.5G", "48.83M")]
    [InlineData("litv2-b", 224, "13.2G", "86.52M")]
    [InlineData("litv2-b-384", 384, "39.7G", "86.52M")]
    public void Litv2PresetsHaveThePublishedFlops(string name, int size, string flops, string parameters)
    {
        using var model = new Litv2Model(device, Litv2Config.Preset(name));
        var c = Complexity.Of(model, size, size);
        Assert.Equal(flops, Complexity.Format(c.Flops));
        Assert.Equal(parameters, Complexity.Format(c.Parameters, 2));
    }

    [Fact]
    public void Litv2SmallSumsItsParts()
    {
        // Hand count of LITv2-S at 224² (see FlopCounter's convention): patch embed, 4 stages, 3 mergings, norms, head.
        using var model = new Litv2Model(device, Litv2Config.Preset("litv2-s"));
        Assert.Equal(3_735_631_104L, FlopCounter.Count(model, 224, 224));
    }

    [Fact]
    public void OtherAttentionsAtTheBenchmarkShape()
    {
        long n = 196, c = 768;
        using var msa = new MultiHeadAttention(device, 768, 12, qkvBias: true);
        Assert.Equal(n * c * 3 * c + 2 * n * n * c + n * c * c, FlopCounter.Count(msa, 14, 14));
        using var sra = new SpatialReductionAttention(device, 768, 12, qkvBias: true, srRatio: 2);
        long keys = 49;
        Assert.Equal(n * c * c + keys * c * c * 4 + 5 * keys * c + keys * c * 2 * c + 2 * n * keys * c + n * c * c, FlopCounter.Count(sra, 14, 14));
        using var window = new WindowAttention(device, 768, 12, windowSize: 7, qkvBias: true);
        Assert.Equal(n * c * 3 * c + 2 * n * 49 * c + n * c * c, FlopCounter.Count(window, 14, 14));
        Assert.Equal("521.4M", Complexity.Format(FlopCounter.Count(msa, 14, 14)));
        Assert.Equal("419.6M", Complexity.Format(FlopCounter.Count(sra, 14, 14)));
        Assert.Equal("477.2M", Complexity.Format(FlopCounter.Count(window, 14, 14)));
        Assert.True(FlopCounter.Count(window, 14, 14) < FlopCounter.Count(msa, 14, 14));
    }

    [Fact]
    public void PaddedMapsAreCountedPadded()
    {
        using var hilo = new HiLoAttention(device, 64, 4, windowSize: 2, alpha: 0.5, qkvBias: true);
        Assert.Equal(FlopCounter.Count(hilo, 8, 8), FlopCounter.Count(hilo, 7, 7));
        using var window = new WindowAttention(device, 64, 4, windowSize: 7);
        Assert.Equal(FlopCounter.Count(window, 14, 14), FlopCounter.Count(window, 8, 13));
    }

    [Fact]
    public void FormatRoundsLikeThePaper()
    {
        Assert.Equal("298.3M", Complexity.Format(298_296_320));
        Assert.Equal("27.84M", Complexity.Format(27_844_000, 2));
        Assert.Equal("950", Complexity.Format(950, 0));
        Assert.Equal("1.2K", Complexity.Format(1_200));
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        using var linear = new Linear(device, 4, 4);
        Assert.Throws<ArgumentException>(() => FlopCounter.Count(linear, 0, 3));
        Assert.Throws<ArgumentNullException>(() => FlopCounter.Count(null!, 1, 1));
    }
}
