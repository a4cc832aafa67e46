using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// ViT multi-head self-attention: every token attends to every token, per head. Parameters <c>qkv</c>
/// (C → 3C, <c>[q | k | v]</c> each split by head) and <c>proj</c>; the attention kernel reads q, k and v straight
/// from the packed qkv output. With the CPU family (head dim a multiple of 16; other head dims: its scalar kernel) it runs the register-blocked CPU-family global
/// attention kernel; the qkv output, the attended tokens and the kernel's scratch are kept across calls.
/// </summary>
public sealed class MultiHeadAttention : Module
{
    private readonly WorkBuffers buffers;

    /// <summary>Creates the layer; weights are zero until loaded or initialised.</summary>
    /// <param name="device">The device to run on.</param>
    /// <param name="dim">Channels C (a multiple of <paramref name="numHeads"/>).</param>
    /// <param name="numHeads">Heads.</param>
    /// <param name="qkvBias">Whether <c>qkv</c> has a bias (<c>proj</c> always does).</param>
    public MultiHeadAttention(ComputeDevice device, int dim, int numHeads = 8, bool qkvBias = false) : base(device)
    {
        HeadDim = AttentionChecks.HeadDim(nameof(MultiHeadAttention), dim, numHeads);
        Dim = dim;
        NumHeads = numHeads;
        Scale = AttentionChecks.Scale(HeadDim);
        buffers = new WorkBuffers(device);
        Qkv = AddChild("qkv", new Linear(device, dim, 3 * dim, qkvBias));
        Proj = AddChild("proj", new Linear(device, dim, dim, true));
    }

    /// <summary>Channels C.</summary>
    public int Dim { get; }

    /// <summary>Heads.</summary>
    public int NumHeads { get; }

    /// <summary>Channels per head.</summary>
    public int HeadDim { get; }

    /// <summary>The logit scale, head_dim^-0.5.</summary>
    public float Scale { get; }

    /// <summary><c>qkv</c> (C → 3C).</summary>
    public Linear Qkv { get; }

    /// <summary><c>proj</c> (C → C).</summary>
    public Linear Proj { get; }

    /// <summary>Applies the layer to tokens <paramref name="x"/> (B × N × C); returns a new B × N × C tensor.</summary>
    public Tensor Forward(Tensor x)
    {
        int batch = AttentionChecks.Tokens(nameof(MultiHeadAttention), x, Dim);
        return Run(x, batch);
    }

    /// <summary>As <see cref="Forward(Tensor)"/>, checking that N = H·W (the map layout does not matter to MSA).</summary>
    public Tensor Forward(Tensor x, int height, int width)
    {
        int batch = AttentionChecks.TokenMap(nameof(MultiHeadAttention), x, Dim, height, width);
        return Run(x, batch);
    }

    private Tensor Run(Tensor x, int batch)
    {
        EnsurePrepared();
        int tokens = x.Dim(1);
        var qkv = buffers.Get("qkv", batch, tokens, 3 * Dim);
        Qkv.ForwardInto(x, qkv.View, 3 * Dim, 0);
        var attended = buffers.Get("attended", batch, tokens, Dim);
        if (tokens > 0)
        {
            var args = new GlobalAttentionArgs
            {
                Batch = batch, Queries = tokens, Keys = tokens, Heads = NumHeads, HeadDim = HeadDim,
                QStride = 3 * Dim, QOffset = 0, KvStride = 3 * Dim, KOffset = Dim, VOffset = 2 * Dim,
                OutStride = Dim, OutOffset = 0, Scale = Scale,
            };
            if (Device.Family == KernelFamily.Cpu && AttentionCpu.VectorSupports(HeadDim))
            {
                var scratch = buffers.Get("scratch", checked((int)AttentionCpu.GlobalBlockedScratchLength(args)));
                AttentionCpu.GlobalBlockedCpu(Device.Kernels, qkv.View, qkv.View, attended.View, scratch.View, args);
            }
            else if (Device.Family == KernelFamily.Cpu)
            {
                AttentionCpu.GlobalScalar(Device.Kernels, qkv.View, qkv.View, attended.View, args);
            }
            else
            {
                AttentionKernels.Global(Device.Kernels, qkv.View, qkv.View, attended.View, args);
            }
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
