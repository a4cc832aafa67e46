using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// PVT spatial-reduction attention: queries from every token; keys and values from the map reduced by
/// <c>sr</c> (Conv2d C → C, kernel = stride = sr_ratio) and <c>norm</c> (LayerNorm), so every query attends to
/// ⌊H/r⌋·⌊W/r⌋ tokens (the conv floors sizes not divisible by r, as PVT does). Parameters <c>q</c>, <c>kv</c>
/// (<c>[k | v]</c>), <c>proj</c>, and for sr_ratio &gt; 1 <c>sr</c>, <c>norm</c>; sr_ratio 1 is no reduction.
/// </summary>
public sealed class SpatialReductionAttention : Module
{
    /// <summary>Creates the layer; weights are zero until loaded or initialised.</summary>
    /// <param name="device">The device to run on.</param>
    /// <param name="dim">Channels C (a multiple of <paramref name="numHeads"/>).</param>
    /// <param name="numHeads">Heads.</param>
    /// <param name="qkvBias">Whether <c>q</c> and <c>kv</c> have a bias.</param>
    /// <param name="srRatio">Reduction ratio r ≥ 1.</param>
    public SpatialReductionAttention(ComputeDevice device, int dim, int numHeads = 8, bool qkvBias = false, int srRatio = 1) : base(device)
    {
        HeadDim = AttentionChecks.HeadDim(nameof(SpatialReductionAttention), dim, numHeads);
        if (srRatio < 1)
        {
            throw new ArgumentException($"{nameof(SpatialReductionAttention)}: sr_ratio must be at least 1, got {srRatio}.", nameof(srRatio));
        }
        Dim = dim;
        NumHeads = numHeads;
        SrRatio = srRatio;
        Scale = AttentionChecks.Scale(HeadDim);
        // PVT's registration order: q, kv, proj, then sr and norm.
        Q = AddChild("q", new Linear(device, dim, dim, qkvBias));
        Kv = AddChild("kv", new Linear(device, dim, 2 * dim, qkvBias));
        Proj = AddChild("proj", new Linear(device, dim, dim, true));
        if (srRatio > 1)
        {
            Sr = AddChild("sr", new PatchConv2d(device, dim, dim, srRatio));
            Norm = AddChild("norm", new LayerNorm(device, dim));
        }
    }

    /// <summary>Channels C.</summary>
    public int Dim { get; }

    /// <summary>Heads.</summary>
    public int NumHeads { get; }

    /// <summary>Channels per head.</summary>
    public int HeadDim { get; }

    /// <summary>The reduction ratio r.</summary>
    public int SrRatio { get; }

    /// <summary>The logit scale, head_dim^-0.5.</summary>
    public float Scale { get; }

    /// <summary><c>q</c> (C → C).</summary>
    public Linear Q { get; }

    /// <summary><c>kv</c> (C → 2C).</summary>
    public Linear Kv { get; }

    /// <summary><c>proj</c> (C → C).</summary>
    public Linear Proj { get; }

    /// <summary><c>sr</c>, the reducing conv, or null when sr_ratio is 1.</summary>
    public PatchConv2d? Sr { get; }

    /// <summary><c>norm</c> on the reduced tokens, or null when sr_ratio is 1.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>Applies the layer to <paramref name="x"/> (B × H·W × C) over an H×W map; returns a new B × H·W × C tensor.</summary>
    public Tensor Forward(Tensor x, int height, int width)
    {
        int batch = AttentionChecks.TokenMap(nameof(SpatialReductionAttention), x, Dim, height, width);
        if (height < SrRatio || width < SrRatio)
        {
            throw new ArgumentException($"{nameof(SpatialReductionAttention)}: a {height}×{width} map is smaller than sr_ratio {SrRatio}: no key would remain.");
        }
        EnsurePrepared();
        int tokens = height * width;
        int keys = (height / SrRatio) * (width / SrRatio);
        using var q = Q.Forward(x);
        Tensor? reduced = null;
        if (Sr is not null)
        {
            using var conv = Sr.Forward(x, height, width);
            reduced = Norm!.Forward(conv);
        }
        try
        {
            using var kv = Kv.Forward(reduced ?? x);
            using var attended = Device.Allocate(batch, tokens, Dim);
            var args = new GlobalAttentionArgs
            {
                Batch = batch, Queries = tokens, Keys = keys, Heads = NumHeads, HeadDim = HeadDim,
                QStride = Dim, QOffset = 0, KvStride = 2 * Dim, KOffset = 0, VOffset = Dim,
                OutStride = Dim, OutOffset = 0, Scale = Scale,
            };
            AttentionKernels.Global(Device.Stream, q.View, kv.View, attended.View, args);
            return Proj.Forward(attended);
        }
        finally
        {
            reduced?.Dispose();
        }
    }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
    }
}
