using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers.Attention;

public abstract partial class AttentionSuite
{
    [Fact]
    public void ConstructorsRejectBadHyperparameters()
    {
        var dev = Device;
        AssertMessage(() => new HiLoAttention(dev, 30, 4), "not divisible by num_heads");
        AssertMessage(() => new MultiHeadAttention(dev, 10, 3), "not divisible by num_heads");
        AssertMessage(() => new SpatialReductionAttention(dev, 10, 4, srRatio: 2), "not divisible by num_heads");
        AssertMessage(() => new WindowAttention(dev, 10, 4), "not divisible by num_heads");
        AssertMessage(() => new HiLoAttention(dev, 16, 0), "must be positive");
        AssertMessage(() => new HiLoAttention(dev, 16, 4, windowSize: 0), "window size");
        AssertMessage(() => new HiLoAttention(dev, 16, 4, alpha: 1.5), "alpha");
        AssertMessage(() => new HiLoAttention(dev, 16, 4, alpha: double.NaN), "alpha");
        AssertMessage(() => new SpatialReductionAttention(dev, 16, 4, srRatio: 0), "sr_ratio");
    }

    [Fact]
    public void ForwardRejectsBadInputWithTheShapes()
    {
        var dev = Device;
        using var hilo = new HiLoAttention(dev, 16, 4, 2, 0.5, true);
        using var msa = new MultiHeadAttention(dev, 16, 4);
        using var sra = new SpatialReductionAttention(dev, 16, 4, srRatio: 2);
        using var win = new WindowAttention(dev, 16, 4);
        foreach (var m in new Modules.Module[] { hilo, msa, sra, win })
        {
            m.InitializeRandom(1);
        }
        using var wrongChannels = dev.Allocate(2, 12, 8);
        using var good = dev.Allocate(2, 12, 16);
        using var rank2 = dev.Allocate(12, 16);
        Func<Tensor, int, int, Tensor>[] forwards =
        [
            (t, h, w) => hilo.Forward(t, h, w), (t, h, w) => msa.Forward(t, h, w),
            (t, h, w) => sra.Forward(t, h, w), (t, h, w) => win.Forward(t, h, w),
        ];
        string[] names = [nameof(HiLoAttention), nameof(MultiHeadAttention), nameof(SpatialReductionAttention), nameof(WindowAttention)];
        for (int i = 0; i < forwards.Length; i++)
        {
            var f = forwards[i];
            var e = AssertMessage(() => f(wrongChannels, 3, 4), "[B, N, 16]");
            Assert.Contains(names[i], e.Message, StringComparison.Ordinal);
            Assert.Contains("[2, 12, 8]", e.Message, StringComparison.Ordinal);
            AssertMessage(() => f(good, 3, 5), "N ≠ H·W");
            AssertMessage(() => f(good, 0, 12), "must be positive");
            AssertMessage(() => f(rank2, 3, 4), "[12, 16]");
        }
        AssertMessage(() => msa.Forward(wrongChannels), "[B, N, 16]");
        using var thin = dev.Allocate(1, 3, 16);
        AssertMessage(() => sra.Forward(thin, 1, 3), "smaller than sr_ratio");
    }

    [Fact]
    public void ForwardBeforeWeightsIsAClearError()
    {
        using var hilo = new HiLoAttention(Device, 16, 4);
        using var x = Device.Allocate(1, 4, 16);
        var e = Assert.Throws<InvalidOperationException>(() => hilo.Forward(x, 2, 2));
        Assert.Contains("InitializeRandom", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadingAnotherSplitReportsEveryMismatch()
    {
        // α = 0.5 weights (2 Lo-Fi + 2 Hi-Fi heads) into an α = 0.9 layer (3 + 1): every branch is mis-shaped.
        var all = SafeTensorsFile.Read(Path.Combine(LayerFixtureDirectory, "hilo_a0.5_s2_8x8.safetensors"));
        var state = new StateDict();
        foreach (var (key, tensor) in all)
        {
            if (key is not ("input" or "output"))
            {
                state.Add(key, tensor);
            }
        }
        using var layer = new HiLoAttention(Device, 16, 4, 2, 0.9, true);
        var e = Assert.Throws<CheckpointMismatchException>(() => layer.LoadStateDict(state, "hilo α 0.9"));
        foreach (string key in new[] { "l_q.weight", "l_kv.weight", "l_proj.weight", "h_qkv.weight", "h_proj.weight" })
        {
            Assert.Contains(key, e.Message, StringComparison.Ordinal);
        }
        // α = 0 at s = 2 has no Lo-Fi branch: its keys are unexpected.
        using var hifiOnly = new HiLoAttention(Device, 16, 4, 2, 0.0, true);
        var e2 = Assert.Throws<CheckpointMismatchException>(() => hifiOnly.LoadStateDict(state, "hilo α 0"));
        Assert.Contains("l_q.weight", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadRelativePositionIndexIsReportedWithTheEntry()
    {
        var all = SafeTensorsFile.Read(Path.Combine(LayerFixtureDirectory, "window7_rpb_10x12.safetensors"));
        var state = new StateDict();
        foreach (var (key, tensor) in all)
        {
            if (key is not ("input" or "output"))
            {
                state.Add(key, key == "relative_position_index" ? Corrupt(tensor) : tensor);
            }
        }
        using var layer = new WindowAttention(Device, 16, 2, 7, relativePositionBias: true);
        var e = Assert.Throws<InvalidDataException>(() => layer.LoadStateDict(state, "swin"));
        Assert.Contains("relative_position_index[0, 1]", e.Message, StringComparison.Ordinal);

        static HostTensor Corrupt(HostTensor t)
        {
            var data = (float[])t.Data.Clone();
            data[1] = 500;
            return new HostTensor([.. t.Shape], data);
        }
    }

    private static ArgumentException AssertMessage(Func<object> action, string fragment)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => action());
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        return e;
    }
}
