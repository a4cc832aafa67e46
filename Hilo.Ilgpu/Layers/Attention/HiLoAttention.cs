using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// HiLo attention (LITv2): <see cref="HiFiHeads"/> heads attend inside s×s windows (high frequencies),
/// <see cref="LoFiHeads"/> heads attend from every token to the s×s average-pooled map (low frequencies); the
/// output is the Hi-Fi projection's channels followed by the Lo-Fi projection's. Parameters under the official
/// names <c>l_q</c>, <c>l_kv</c>, <c>l_proj</c>, <c>h_qkv</c>, <c>h_proj</c>, present only for a non-empty branch.
/// <para>
/// Any H×W: a map not divisible by s is zero-padded at the bottom/right before the projections and the output
/// cropped, as the official detection backbone does. Padded tokens are not masked: in Hi-Fi windows their keys
/// and values are the <c>h_qkv</c> biases (read from the bias, no padded tensor is built), and Lo-Fi pooling
/// counts their zeros. s = 1 is plain multi-head attention over all heads (Lo-Fi only, no pooling).
/// </para>
/// </summary>
public sealed partial class HiLoAttention : Module
{
    private readonly AvgPool2d? pool;
    private readonly WorkBuffers buffers;
    private Tensor? paddedKv;

    /// <summary>Creates HiLo attention; weights are zero until loaded or initialised.</summary>
    /// <param name="device">The device to run on.</param>
    /// <param name="dim">Channels C (a multiple of <paramref name="numHeads"/>).</param>
    /// <param name="numHeads">Total heads.</param>
    /// <param name="windowSize">Window side s (≥ 1); 1 makes every head Lo-Fi with no pooling.</param>
    /// <param name="alpha">Share of Lo-Fi heads in [0, 1]: <c>int(num_heads * alpha)</c> computed in float64, as Python does.</param>
    /// <param name="qkvBias">Whether <c>h_qkv</c>, <c>l_q</c> and <c>l_kv</c> have a bias (projections always do).</param>
    public HiLoAttention(ComputeDevice device, int dim, int numHeads = 8, int windowSize = 2, double alpha = 0.5, bool qkvBias = false)
        : base(device)
    {
        HeadDim = AttentionChecks.HeadDim(nameof(HiLoAttention), dim, numHeads);
        if (windowSize < 1)
        {
            throw new ArgumentException($"{nameof(HiLoAttention)}: window size must be at least 1, got {windowSize}.", nameof(windowSize));
        }
        if (!(alpha >= 0 && alpha <= 1))
        {
            throw new ArgumentException($"{nameof(HiLoAttention)}: alpha must be in [0, 1], got {alpha}.", nameof(alpha));
        }
        buffers = new WorkBuffers(device);
        Dim = dim;
        NumHeads = numHeads;
        WindowSize = windowSize;
        Alpha = alpha;
        QkvBias = qkvBias;
        LoFiHeads = LoFiHeadCount(numHeads, alpha, windowSize);
        HiFiHeads = numHeads - LoFiHeads;
        Scale = AttentionChecks.Scale(HeadDim);
        // Registration order of the official module: Lo-Fi first (its AvgPool2d `sr` has no parameters).
        if (LoFiHeads > 0)
        {
            if (windowSize > 1)
            {
                pool = AddChild("sr", new AvgPool2d(device, windowSize));
            }
            LQ = AddChild("l_q", new Linear(device, dim, LoFiDim, qkvBias));
            LKv = AddChild("l_kv", new Linear(device, dim, 2 * LoFiDim, qkvBias));
            LProj = AddChild("l_proj", new Linear(device, LoFiDim, LoFiDim, true));
        }
        if (HiFiHeads > 0)
        {
            HQkv = AddChild("h_qkv", new Linear(device, dim, 3 * HiFiDim, qkvBias));
            HProj = AddChild("h_proj", new Linear(device, HiFiDim, HiFiDim, true));
        }
    }

    /// <summary>Lo-Fi heads of a HiLo layer: all heads when s = 1, else <c>int(num_heads * alpha)</c> with the product in float64 (50 × 0.58 → 28).</summary>
    public static int LoFiHeadCount(int numHeads, double alpha, int windowSize) =>
        windowSize == 1 ? numHeads : (int)(numHeads * alpha);

    /// <summary>Channels C.</summary>
    public int Dim { get; }

    /// <summary>Total heads.</summary>
    public int NumHeads { get; }

    /// <summary>Channels per head, C / heads.</summary>
    public int HeadDim { get; }

    /// <summary>Window side s.</summary>
    public int WindowSize { get; }

    /// <summary>The α the layer was created with.</summary>
    public double Alpha { get; }

    /// <summary>Whether the q/k/v projections have a bias.</summary>
    public bool QkvBias { get; }

    /// <summary>Heads of the Lo-Fi branch (attend to the pooled map).</summary>
    public int LoFiHeads { get; }

    /// <summary>Heads of the Hi-Fi branch (attend inside windows).</summary>
    public int HiFiHeads { get; }

    /// <summary>Lo-Fi channels, <see cref="LoFiHeads"/> · <see cref="HeadDim"/>.</summary>
    public int LoFiDim => LoFiHeads * HeadDim;

    /// <summary>Hi-Fi channels, <see cref="HiFiHeads"/> · <see cref="HeadDim"/> (output channels 0 … HiFiDim−1).</summary>
    public int HiFiDim => HiFiHeads * HeadDim;

    /// <summary>The logit scale, head_dim^-0.5.</summary>
    public float Scale { get; }

    /// <summary><c>l_q</c> (C → Lo-Fi dim), or null without Lo-Fi heads.</summary>
    public Linear? LQ { get; }

    /// <summary><c>l_kv</c> (C → 2·Lo-Fi dim, <c>[k | v]</c>), or null without Lo-Fi heads.</summary>
    public Linear? LKv { get; }

    /// <summary><c>l_proj</c>, or null without Lo-Fi heads.</summary>
    public Linear? LProj { get; }

    /// <summary><c>h_qkv</c> (C → 3·Hi-Fi dim, <c>[q | k | v]</c>), or null without Hi-Fi heads.</summary>
    public Linear? HQkv { get; }

    /// <summary><c>h_proj</c>, or null without Hi-Fi heads.</summary>
    public Linear? HProj { get; }

    /// <summary>Applies the layer to <paramref name="x"/> (B × H·W × C) over an H×W map; returns a new B × H·W × C tensor.</summary>
    public Tensor Forward(Tensor x, int height, int width)
    {
        int batch = AttentionChecks.TokenMap(nameof(HiLoAttention), x, Dim, height, width);
        EnsurePrepared();
        var output = Device.Allocate(batch, height * width, Dim);
        try
        {
            if (HiFiHeads > 0)
            {
                HiFi(x, batch, height, width, output);
            }
            if (LoFiHeads > 0)
            {
                LoFi(x, batch, height, width, output);
            }
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    private void HiFi(Tensor x, int batch, int height, int width, Tensor output)
    {
        var qkv = buffers.Get("h_qkv", batch, height * width, 3 * HiFiDim);
        HQkv!.ForwardInto(x, qkv.View, 3 * HiFiDim, 0);
        var attended = buffers.Get("h_attended", batch, height * width, HiFiDim);
        var args = new WindowAttentionArgs
        {
            Batch = batch, Height = height, Width = width, Window = WindowSize, Heads = HiFiHeads, HeadDim = HeadDim,
            QkvStride = 3 * HiFiDim, OutStride = HiFiDim, OutOffset = 0, HasBias = 0, Scale = Scale,
        };
        LaunchHiFi(ChooseHiFi(qkv.View, args), qkv.View, attended.View, args, 0);
        HProj!.ForwardInto(attended, output.View, Dim, 0);
    }

    private void LoFi(Tensor x, int batch, int height, int width, Tensor output)
    {
        int tokens = height * width;
        var q = buffers.Get("l_q", batch, tokens, LoFiDim);
        LQ!.ForwardInto(x, q.View, LoFiDim, 0);
        int keys = tokens;
        var source = x;
        if (pool is not null)
        {
            var (ph, pw) = pool.OutputSize(height, width);
            keys = ph * pw;
            source = buffers.Get("pooled", batch, keys, Dim);
            PoolKernels.AvgPool(Device.Kernels, Device.Family, x.View, source.View, batch, height, width, Dim, WindowSize);
        }
        var kv = buffers.Get("l_kv", batch, keys, 2 * LoFiDim);
        LKv!.ForwardInto(source, kv.View, 2 * LoFiDim, 0);
        var attended = buffers.Get("l_attended", batch, tokens, LoFiDim);
        var args = new GlobalAttentionArgs
        {
            Batch = batch, Queries = tokens, Keys = keys, Heads = LoFiHeads, HeadDim = HeadDim,
            QStride = LoFiDim, QOffset = 0, KvStride = 2 * LoFiDim, KOffset = 0, VOffset = LoFiDim,
            OutStride = LoFiDim, OutOffset = 0, Scale = Scale,
        };
        LaunchLoFi(ChooseLoFi(q.View, kv.View, args, height, width), q.View, kv.View, attended.View, args, 0);
        LProj!.ForwardInto(attended, output.View, Dim, HiFiDim);
    }

    /// <inheritdoc />
    protected override void DisposeCore() => buffers.Dispose();

    /// <inheritdoc />
    protected override void PrepareCore()
    {
        paddedKv = HQkv is null ? null : Upload(AttentionChecks.PaddedKv(HQkv, HiFiDim), 2 * HiFiDim);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"HiLoAttention(dim {Dim}, heads {NumHeads} = {HiFiHeads} Hi-Fi + {LoFiHeads} Lo-Fi, window {WindowSize}, alpha {Alpha})";
}
