using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// PVT spatial-reduction attention: queries from every token; keys and values from the map reduced by
/// <c>sr</c> (Conv2d C → C, kernel = stride = sr_ratio) and <c>norm</c> (LayerNorm), so every query attends to
/// ⌊H/r⌋·⌊W/r⌋ tokens (the conv floors sizes not divisible by r, as PVT does). Parameters <c>q</c>, <c>kv</c>
/// (<c>[k | v]</c>), <c>proj</c>, and for sr_ratio &gt; 1 <c>sr</c>, <c>norm</c>; sr_ratio 1 is no reduction.
/// With the CPU family (head dim a multiple of 16; other head dims: its scalar kernel) it runs the register-blocked CPU-family global attention kernel; q, k/v, the
/// attended tokens and the kernel's scratch are kept across calls, and the norm runs in place on the conv output.
/// </summary>
public sealed class SpatialReductionAttention : Module
{
    private readonly WorkBuffers buffers;

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
        buffers = new WorkBuffers(device);
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
        var q = buffers.Get("q", batch, tokens, Dim);
        Q.ForwardInto(x, q.View, Dim, 0);
        var kv = buffers.Get("kv", batch, keys, 2 * Dim);
        if (Sr is null)
        {
            Kv.ForwardInto(x, kv.View, 2 * Dim, 0);
        }
        else
        {
            using var reduced = Sr.Forward(x, height, width);
            Norm!.ForwardInto(reduced, reduced);
            Kv.ForwardInto(reduced, kv.View, 2 * Dim, 0);
        }
        var attended = buffers.Get("attended", batch, tokens, Dim);
        var args = new GlobalAttentionArgs
        {
            Batch = batch, Queries = tokens, Keys = keys, Heads = NumHeads, HeadDim = HeadDim,
            QStride = Dim, QOffset = 0, KvStride = 2 * Dim, KOffset = 0, VOffset = Dim,
            OutStride = Dim, OutOffset = 0, Scale = Scale,
        };
        if (Device.Family == KernelFamily.Cpu && AttentionCpu.VectorSupports(HeadDim))
        {
            var scratch = buffers.Get("scratch", checked((int)AttentionCpu.GlobalBlockedScratchLength(args)));
            AttentionCpu.GlobalBlockedCpu(Device.Kernels, q.View, kv.View, attended.View, scratch.View, args);
        }
        else if (Device.Family == KernelFamily.Cpu)
        {
            AttentionCpu.GlobalScalar(Device.Kernels, q.View, kv.View, attended.View, args);
        }
        else
        {
            AttentionKernels.Global(Device.Kernels, q.View, kv.View, attended.View, args);
        }
        return Proj.Forward(attended);
    }

    /// <inheritdoc />
    protected override void DisposeCore() => buffers.Dispose();

    /// <inheritdoc />
    protected override void PrepareCore()
    {
    }
}
