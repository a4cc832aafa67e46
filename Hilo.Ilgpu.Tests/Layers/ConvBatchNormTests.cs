using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers;

public abstract partial class ConvLayerSuite
{
    [Fact]
    public void BatchNormMatchesPyTorch()
    {
        var f = ConvFixtureCase.Load("batchnorm_eval");
        using var bn = new BatchNorm2d(Device, f.Int("channels"));
        Assert.Equal(["weight", "bias", "running_mean", "running_var"], bn.NamedParameters().Select(p => p.Name));
        Assert.Equal(2 * f.Int("channels"), bn.ParameterCount);
        bn.LoadStateDict(f.Parameters, "batchnorm_eval");
        var (scale, shift) = bn.Fold();
        ConvAssert.Close(scale, f["fold_scale"].Data, "fold_scale", 1e-6);
        ConvAssert.Close(shift, f["fold_shift"].Data, "fold_shift", 1e-6);
        using var x = Device.Upload(f["input"]);
        using var y = bn.Forward(x);
        Log($"batchnorm_eval: max abs error {ConvAssert.Close(f["output"], y, "batchnorm_eval"):G3}");
    }

    /// <summary>
    /// PyTorch saves <c>num_batches_tracked</c> with every BatchNorm; eval mode never reads it. Loading accepts it
    /// (any value) without making it a parameter, and the output is PyTorch's; any other extra key is still refused.
    /// </summary>
    [Fact]
    public void BatchNormIgnoresNumBatchesTracked()
    {
        var f = ConvFixtureCase.Load("batchnorm_eval");
        Hilo.Ilgpu.IO.StateDict With(string key, Hilo.Ilgpu.IO.HostTensor extra)
        {
            var state = new Hilo.Ilgpu.IO.StateDict();
            foreach (var (k, value) in f.Parameters)
            {
                state.Add(k, value);
            }
            state.Add(key, extra);
            return state;
        }
        using var bn = new BatchNorm2d(Device, f.Int("channels"));
        bn.LoadStateDict(With("num_batches_tracked", new Hilo.Ilgpu.IO.HostTensor([], [3f])), "batchnorm_eval");
        Assert.DoesNotContain(bn.NamedParameters(), p => p.Name == "num_batches_tracked");
        using var x = Device.Upload(f["input"]);
        using (var y = bn.Forward(x))
        {
            Log($"batchnorm_eval with num_batches_tracked: max abs error {ConvAssert.Close(f["output"], y, "batchnorm_eval"):G3}");
        }

        // A value that would be nonsense as a weight (not finite, wrong shape) is not read either.
        using var other = new BatchNorm2d(Device, f.Int("channels"));
        other.LoadStateDict(With("num_batches_tracked", new Hilo.Ilgpu.IO.HostTensor([2], [float.NaN, -1f])), "batchnorm_eval");
        using (var y = other.Forward(x))
        {
            ConvAssert.Close(f["output"], y, "batchnorm_eval, odd num_batches_tracked");
        }

        using var strict = new BatchNorm2d(Device, f.Int("channels"));
        var e = Assert.Throws<Hilo.Ilgpu.IO.CheckpointMismatchException>(() =>
            strict.LoadStateDict(With("num_batches_seen", new Hilo.Ilgpu.IO.HostTensor([], [3f])), "batchnorm_eval"));
        Assert.Equal(["num_batches_seen"], e.Unexpected);
    }

    [Theory]
    [InlineData(3, 2, 5)]
    [InlineData(17, 4, 1)]
    public void BatchNormFoldMatchesReference(int channels, int perChannel, int rows)
    {
        var rng = new Random(channels * 13 + perChannel);
        using var bn = new BatchNorm2d(Device, channels);
        var state = ConvAssert.RandomState(bn, rng);
        bn.LoadStateDict(state, "bn");
        // conv(x) = W·x + b, then BN; folded: W'·x + b'. Check on random x in float64.
        var weight = ConvAssert.Normal(rng, channels * perChannel, 0.3);
        var bias = ConvAssert.Normal(rng, channels, 0.1);
        var (w2, b2) = bn.FoldInto(weight, bias);
        var input = ConvAssert.Normal(rng, rows * perChannel);
        var conv = new double[rows * channels];
        var folded = new float[rows * channels];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < channels; o++)
            {
                double a = bias[o], f = b2[o];
                for (int q = 0; q < perChannel; q++)
                {
                    a += (double)weight[o * perChannel + q] * input[r * perChannel + q];
                    f += (double)w2[o * perChannel + q] * input[r * perChannel + q];
                }
                conv[r * channels + o] = a;
                folded[r * channels + o] = (float)f;
            }
        }
        var expected = ConvReference.BatchNorm(conv, channels, state["weight"].Data, state["bias"].Data, state["running_mean"].Data, state["running_var"].Data);
        ConvAssert.Close(expected, folded, "BatchNorm folded into a conv", 1e-5);
        // The standalone kernel agrees as well.
        using var x = Upload([.. conv.Select(v => (float)v)], rows, channels);
        using var y = bn.Forward(x);
        ConvAssert.Close(expected, y.ToArray(), "BatchNorm2d.Forward", 1e-5);
    }

    [Fact]
    public void BatchNormRejectsBadInput()
    {
        using var bn = new BatchNorm2d(Device, 4);
        bn.InitializeRandom(2);
        using var x = Upload(new float[15], 5, 3);
        var e = Assert.Throws<ArgumentException>(() => bn.Forward(x));
        Assert.Contains("BatchNorm2d(4)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => bn.FoldInto(new float[12], new float[3]));
    }
}
