using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// <c>nn.BatchNorm2d</c> in eval mode: parameters <c>weight</c> (γ), <c>bias</c> (β), buffers <c>running_mean</c>,
/// <c>running_var</c> (<c>num_batches_tracked</c> is ignored on load). In a model it is folded into the preceding
/// convolution when weights are prepared (<see cref="FoldInto"/>), so it costs nothing at run time; on its own,
/// <see cref="Forward"/> applies the folded per-channel affine map to channels-last data.
/// </summary>
public sealed class BatchNorm2d : Module
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Parameter runningMean;
    private readonly Parameter runningVar;
    private Tensor? scale;
    private Tensor? shift;

    /// <summary>Creates the norm over <paramref name="channels"/> channels (eps 1e-5, PyTorch's default).</summary>
    public BatchNorm2d(ComputeDevice device, int channels, double eps = 1e-5) : base(device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        Channels = channels;
        Eps = eps;
        weight = AddParameter("weight", channels);
        bias = AddParameter("bias", channels);
        runningMean = AddBuffer("running_mean", channels);
        runningVar = AddBuffer("running_var", channels);
        runningVar.MustBeNonNegative = true;
    }

    /// <summary>Number of channels.</summary>
    public int Channels { get; }

    /// <summary>The ε added to the variance.</summary>
    public double Eps { get; }

    /// <summary>
    /// True when a parent folds this norm into the preceding conv: nothing is uploaded for it and
    /// <see cref="Forward"/> is not available.
    /// </summary>
    internal bool FoldedIntoConv { get; set; }

    /// <summary>
    /// The folded form, computed in float64 and rounded once: scale = γ/√(running_var + ε),
    /// shift = β − running_mean·scale.
    /// </summary>
    public (double[] Scale, double[] Shift) Fold()
    {
        var (s, t) = (new double[Channels], new double[Channels]);
        for (int c = 0; c < Channels; c++)
        {
            s[c] = weight.Value.Data[c] / Math.Sqrt(runningVar.Value.Data[c] + Eps);
            t[c] = bias.Value.Data[c] - runningMean.Value.Data[c] * s[c];
        }
        return (s, t);
    }

    /// <summary>
    /// Folds this norm into a preceding convolution with <see cref="Channels"/> output channels:
    /// <c>W'[o, ...] = W[o, ...]·scale[o]</c>, <c>b'[o] = b[o]·scale[o] + shift[o]</c> (float64, rounded once).
    /// <paramref name="convWeight"/> has the output channel outermost (OIHW or any [Cout, ...] layout).
    /// </summary>
    public (float[] Weight, float[] Bias) FoldInto(ReadOnlySpan<float> convWeight, ReadOnlySpan<float> convBias)
    {
        if (convBias.Length != Channels || convWeight.Length % Channels != 0)
        {
            throw new ArgumentException(TokenMapChecks.Text($"BatchNorm2d({Channels}): cannot fold into a conv with {convWeight.Length} weights and {convBias.Length} biases."));
        }
        var (s, t) = Fold();
        int per = convWeight.Length / Channels;
        var w = new float[convWeight.Length];
        var b = new float[Channels];
        for (int o = 0; o < Channels; o++)
        {
            for (int q = 0; q < per; q++)
            {
                w[o * per + q] = (float)(convWeight[o * per + q] * s[o]);
            }
            b[o] = (float)(convBias[o] * s[o] + t[o]);
        }
        return (w, b);
    }

    /// <summary>Applies the norm to channels-last <paramref name="x"/> (last dimension = channels), into a new tensor.</summary>
    public Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        TokenMapChecks.CheckDevice(nameof(BatchNorm2d), x, Device);
        if (FoldedIntoConv)
        {
            throw new InvalidOperationException("This BatchNorm2d is folded into the preceding convolution and has no kernel of its own.");
        }
        EnsurePrepared();
        if (x.Rank < 2 || x.Dim(-1) != Channels)
        {
            throw new ArgumentException(TokenMapChecks.Text($"BatchNorm2d({Channels}): expected channels-last data [..., {Channels}], got {x.ShapeText}."));
        }
        var y = Device.Allocate([.. x.Shape]);
        ChannelKernels.Affine(Device.Kernels, Device.Family, x.View, scale!.View, shift!.View, y.View, x.Length, Channels);
        return y;
    }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
        if (FoldedIntoConv)
        {
            return;
        }
        var (s, t) = Fold();
        scale = Upload(Array.ConvertAll(s, v => (float)v), Channels);
        shift = Upload(Array.ConvertAll(t, v => (float)v), Channels);
    }
}
