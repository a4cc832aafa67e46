using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers;

public abstract partial class ConvLayerSuite
{
    public static TheoryData<string> DeformConvCases() => ConvFixtureCase.CasesOfKind("deform_conv");

    public static TheoryData<string> DtmCases() => ConvFixtureCase.CasesOfKind("dtm");

    [Theory]
    [MemberData(nameof(DeformConvCases))]
    public void DeformableConvMatchesPyTorch(string name)
    {
        var f = ConvFixtureCase.Load(name);
        int h = f.Int("H"), w = f.Int("W"), k = f.Int("kernel");
        using var conv = new DeformableConv2d(Device, f.Int("c_in"), f.Int("c_out"), k, learnedOffsets: false);
        conv.LoadStateDict(f.Parameters, name);
        using var x = Device.Upload(f["input"]);
        var offsetNchw = f["offset"];
        using var offsets = Upload(ConvAssert.ToChannelsLast(offsetNchw), offsetNchw.Shape[0], offsetNchw.Shape[2] * offsetNchw.Shape[3], offsetNchw.Shape[1]);
        using var y = conv.Forward(x, offsets, h, w);
        Assert.Equal((f.Int("out_H"), f.Int("out_W")), conv.OutputSize(h, w));
        Log($"{name} ({f.Metadata["samples_touching_outside"]} samples partly outside): max abs error {ConvAssert.Close(f["output"], y, name):G3}");
    }

    [Theory]
    [InlineData(1, 2, 2, 1, 1, 2, 0.0)]
    [InlineData(2, 7, 9, 8, 16, 2, 2.0)]
    [InlineData(1, 8, 6, 3, 5, 2, 8.0)]
    [InlineData(1, 9, 7, 4, 3, 3, 3.0)]
    [InlineData(2, 5, 11, 12, 24, 2, 1.0)]
    public void DeformableConvMatchesReference(int batch, int height, int width, int cin, int cout, int k, double offsetSigma)
    {
        var rng = new Random(batch + height * 7 + width * 31 + cin * 101 + k * 1009 + (int)offsetSigma);
        var input = ConvAssert.Normal(rng, batch * height * width * cin);
        int cells = (height / k) * (width / k);
        var offsetValues = ConvAssert.Normal(rng, batch * cells * 2 * k * k, offsetSigma);
        using var conv = new DeformableConv2d(Device, cin, cout, k, learnedOffsets: false);
        var state = ConvAssert.RandomState(conv, rng);
        conv.LoadStateDict(state, "deform");
        using var x = Upload(input, batch, height * width, cin);
        using var offsets = Upload(offsetValues, batch, cells, 2 * k * k);
        using var y = conv.Forward(x, offsets, height, width);
        var expected = ConvReference.DeformConv(input, offsetValues, batch, height, width, cin, state["weight"].Data, state["bias"].Data, cout, k);
        ConvAssert.Close(expected, y.ToArray(), "deformable conv");
    }

    [Theory]
    [InlineData(2, 7, 9, 4, 6)]
    [InlineData(1, 6, 6, 8, 8)]
    public void DeformableConvWithLearnedOffsetsMatchesReference(int batch, int height, int width, int cin, int cout)
    {
        var rng = new Random(batch + height * 7 + width * 31 + cin * 101);
        var input = ConvAssert.Normal(rng, batch * height * width * cin);
        using var conv = new DeformableConv2d(Device, cin, cout);
        // Offset weights of σ 1 give offsets of a few pixels: many samples fall partly outside the map.
        var state = ConvAssert.RandomState(conv, rng, sigma: 1.0);
        conv.LoadStateDict(state, "deform");
        using var x = Upload(input, batch, height * width, cin);
        using var offsets = conv.ComputeOffsets(x, height, width);
        var expectedOffsets = ConvReference.PatchConv(input, batch, height, width, cin, state["conv_offset.weight"].Data, state["conv_offset.bias"].Data, 8, 2);
        var offsetValues = offsets.ToArray();
        ConvAssert.Close(expectedOffsets, offsetValues, "offsets");
        Assert.Contains(offsetValues, v => Math.Abs(v) > 2);
        using var y = conv.Forward(x, height, width);
        var expected = ConvReference.DeformConv(input, offsetValues, batch, height, width, cin, state["weight"].Data, state["bias"].Data, cout, 2);
        ConvAssert.Close(expected, y.ToArray(), "deformable conv, learned offsets");
    }

    [Fact]
    public void DeformableConvRejectsBadInput()
    {
        using var conv = new DeformableConv2d(Device, 4, 8);
        conv.InitializeRandom(5);
        using var x = Upload(new float[2 * 12 * 4], 2, 12, 4);
        var small = Assert.Throws<ArgumentException>(() => conv.Forward(x, 1, 12));
        Assert.Contains("DeformableConv2d", small.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => conv.Forward(x.Reshape(2, 16, 3), 4, 4));
        using var wrongOffsets = Upload(new float[2 * 6 * 8], 2, 6, 8);
        var e = Assert.Throws<ArgumentException>(() => conv.Forward(x, wrongOffsets, 3, 4));
        Assert.Contains("[2, 2, 8]", e.Message, StringComparison.Ordinal);
        using var plain = new DeformableConv2d(Device, 4, 8, learnedOffsets: false);
        plain.InitializeRandom(6);
        Assert.Throws<InvalidOperationException>(() => plain.Forward(x, 3, 4));
    }

    [Theory]
    [MemberData(nameof(DtmCases))]
    public void DtmMatchesPyTorch(string name)
    {
        var f = ConvFixtureCase.Load(name);
        int h = f.Int("H"), w = f.Int("W");
        using var dtm = new DeformableTokenMerging(Device, f.Int("dim"), f.Int("out_dim"));
        Assert.Equal(f.Parameters.Keys.Order(), dtm.NamedParameters().Select(p => p.Name).Order());
        dtm.LoadStateDict(f.Parameters, name);
        using var x = Device.Upload(f["input"]);
        // The offsets the reference computed (stored for debugging): the conv_offset step on its own.
        using (var offsets = dtm.Dconv.ComputeOffsets(x, h, w))
        {
            ConvAssert.Close([.. ConvAssert.ToChannelsLast(f["offset"]).Select(v => (double)v)], offsets.ToArray(), name + " offsets");
        }
        var (y, outH, outW) = dtm.Forward(x, h, w);
        using (y)
        {
            Assert.Equal((f.Int("out_H"), f.Int("out_W")), (outH, outW));
            Log($"{name}: max abs error {ConvAssert.Close(f["output"], y, name):G3}");
        }
    }

    [Fact]
    public void DtmIgnoresNumBatchesTrackedAndCountsParameters()
    {
        var f = ConvFixtureCase.Load("dtm_8x8");
        var state = new Hilo.Ilgpu.IO.StateDict();
        foreach (var (key, value) in f.Parameters)
        {
            state.Add(key, value);
        }
        state.Add("norm_layer.num_batches_tracked", new Hilo.Ilgpu.IO.HostTensor([], [7f]));
        using var dtm = new DeformableTokenMerging(Device, 16);
        dtm.LoadStateDict(state, "dtm");
        // dconv 32·16·4 + 32, conv_offset 8·16·4 + 8, BatchNorm γ, β (running stats are buffers).
        Assert.Equal(32 * 16 * 4 + 32 + 8 * 16 * 4 + 8 + 2 * 32, dtm.ParameterCount);
        using var x = Upload(new float[16 * 16], 1, 16, 16);
        Assert.Throws<InvalidOperationException>(() => dtm.NormLayer.Forward(x));
    }

    [Theory]
    [InlineData(1, 2, 2, 4)]
    [InlineData(2, 7, 9, 8)]
    [InlineData(1, 5, 4, 16)]
    [InlineData(2, 9, 13, 6)]
    [InlineData(1, 3, 11, 3)]
    public void DtmMatchesReference(int batch, int height, int width, int dim)
    {
        var rng = new Random(batch + height * 7 + width * 31 + dim * 101);
        var input = ConvAssert.Normal(rng, batch * height * width * dim);
        using var dtm = new DeformableTokenMerging(Device, dim);
        var state = ConvAssert.RandomState(dtm, rng, sigma: 0.5);
        dtm.LoadStateDict(state, "dtm");
        using var x = Upload(input, batch, height * width, dim);
        var (y, outH, outW) = dtm.Forward(x, height, width);
        using (y)
        {
            Assert.Equal((height / 2, width / 2), (outH, outW));
            Assert.Equal([batch, outH * outW, 2 * dim], y.Shape);
            var expected = ConvReference.Dtm(input, batch, height, width, dim, 2 * dim,
                state["dconv.conv_offset.weight"].Data, state["dconv.conv_offset.bias"].Data, state["dconv.weight"].Data, state["dconv.bias"].Data,
                state["norm_layer.weight"].Data, state["norm_layer.bias"].Data, state["norm_layer.running_mean"].Data, state["norm_layer.running_var"].Data);
            ConvAssert.Close(expected, y.ToArray(), "DTM");
        }
    }

    [Fact]
    public void DtmRejectsBadInput()
    {
        using var dtm = new DeformableTokenMerging(Device, 4);
        dtm.InitializeRandom(7);
        using var x = Upload(new float[2 * 12 * 4], 2, 12, 4);
        var small = Assert.Throws<ArgumentException>(() => dtm.Forward(x, 1, 12));
        Assert.Contains("DTM", small.Message, StringComparison.Ordinal);
        Assert.Contains("at least 2x2", small.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => dtm.Forward(x, 3, 3));
        Assert.Throws<ArgumentException>(() => dtm.Forward(x.Reshape(2, 16, 3), 4, 4));
        Assert.Throws<ArgumentException>(() => dtm.Forward(x.Reshape(24, 4), 4, 6));
    }
}
