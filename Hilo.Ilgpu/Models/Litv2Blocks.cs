using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Models;

/// <summary>A LITv2 block: updates a token map B × H·W × C in place (its residual connections add into it).</summary>
public abstract class TokenBlock : Module
{
    /// <summary>Creates the block on <paramref name="device"/>.</summary>
    protected TokenBlock(ComputeDevice device) : base(device)
    {
    }

    /// <summary>Applies the block to <paramref name="x"/> (B × H·W × C) in place.</summary>
    public abstract void Apply(Tensor x, int height, int width);

    /// <inheritdoc />
    protected override void PrepareCore()
    {
    }
}

/// <summary>
/// LITv2's ConvFFN (<c>DWMlp</c>, classification <c>blocks.py</c>): <c>fc1</c> (C → hidden) → depthwise 3×3
/// convolution over the H×W map (<c>dwconv.dwconv</c>, pad 1, bias) → GELU (erf form) → <c>fc2</c> (hidden → C).
/// </summary>
public sealed class DWMlp : Module
{
    /// <summary>Creates the ConvFFN with <paramref name="hidden"/> hidden channels.</summary>
    public DWMlp(ComputeDevice device, int dim, int hidden) : base(device)
    {
        Fc1 = AddChild("fc1", new Linear(device, dim, hidden));
        DwConv = AddChild("dwconv", new DWConv(device, hidden));
        Fc2 = AddChild("fc2", new Linear(device, hidden, dim));
    }

    /// <summary><c>fc1</c>.</summary>
    public Linear Fc1 { get; }

    /// <summary><c>dwconv</c> (its convolution is <c>dwconv.dwconv</c>).</summary>
    public DWConv DwConv { get; }

    /// <summary><c>fc2</c>.</summary>
    public Linear Fc2 { get; }

    /// <summary>Returns a new tensor: the ConvFFN of <paramref name="x"/> (B × H·W × C).</summary>
    public Tensor Forward(Tensor x, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Device.Allocate([.. x.Shape]);
        try
        {
            Run(x, height, width, y, accumulate: false);
            return y;
        }
        catch
        {
            y.Dispose();
            throw;
        }
    }

    /// <summary>Adds the ConvFFN of <paramref name="x"/> to <paramref name="target"/> (the fused residual connection).</summary>
    public void ForwardAdd(Tensor x, int height, int width, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(target);
        target.ExpectShape("DWMlp residual", [.. x.Shape]);
        Run(x, height, width, target, accumulate: true);
    }

    /// <summary>
    /// Whether the CPU family may run the ConvFFN as one fused kernel over strips of rows (<c>ConvFfnCpu</c>: the hidden
    /// map stays in cache) rather than <c>fc1</c>, <c>dwconv</c> + GELU and <c>fc2</c> in turn, where fusing pays
    /// (<c>ConvFfnCpu.Pays</c>: maps of at least 8·C tokens, LITv2's stage 1). Its results are the same bits as the three
    /// layers' with the panel GEMM (the tuner may pick another GEMM variant for them in turn: then within float rounding).
    /// Default true; ILGPU kernels always run the three in turn, and so does a layer whose GEMM variant was set to a
    /// non-panel one.
    /// </summary>
    public bool FuseOnCpu { get; set; } = true;

    private void Run(Tensor x, int height, int width, Tensor output, bool accumulate)
    {
        if (FuseOnCpu && DwConv.Conv.Family == KernelFamily.Cpu && ConvFfnCpu.Pays(height, width, Fc1.InFeatures)
            && Fc1.PanelOperands() is { } fc1 && Fc2.PanelOperands() is { } fc2)
        {
            int batch = TokenMapChecks.Check(nameof(DWMlp), x, Device, height, width, Fc1.InFeatures);
            var (taps, dwBias) = DwConv.Conv.DeviceOperands();
            ConvFfnCpu.Forward(Device.Kernels, x.View, Fc1.InFeatures, fc1.PackedWeight, fc1.PaddedBias, taps, dwBias, fc2.PackedWeight, fc2.PaddedBias,
                output.View, Fc2.OutFeatures, batch, height, width, Fc1.InFeatures, Fc1.OutFeatures, accumulate);
            return;
        }
        Tensor hidden;
        using (var expanded = Fc1.Forward(x))
        {
            hidden = DwConv.ForwardGelu(expanded, height, width);
        }
        using (hidden)
        {
            Fc2.ForwardInto(hidden, output.View, Fc2.OutFeatures, 0, accumulate);
        }
    }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
    }
}

/// <summary>Stages 1–2 of LITv2 (<c>ConvFFNBlock</c>): <c>x + mlp(norm2(x))</c>.</summary>
public sealed class ConvFfnBlock : TokenBlock
{
    /// <summary>Creates the block.</summary>
    public ConvFfnBlock(ComputeDevice device, int dim, int hidden) : base(device)
    {
        Norm2 = AddChild("norm2", new LayerNorm(device, dim));
        Mlp = AddChild("mlp", new DWMlp(device, dim, hidden));
    }

    /// <summary><c>norm2</c>.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary><c>mlp</c>.</summary>
    public DWMlp Mlp { get; }

    /// <inheritdoc />
    public override void Apply(Tensor x, int height, int width)
    {
        using var normed = Norm2.Forward(x);
        Mlp.ForwardAdd(normed, height, width, x);
    }
}

/// <summary>Stages 3–4 of LITv2 (<c>Block</c>): <c>x + attn(norm1(x))</c> with HiLo attention, then <c>x + mlp(norm2(x))</c>.</summary>
public sealed class HiLoBlock : TokenBlock
{
    /// <summary>Creates the block.</summary>
    public HiLoBlock(ComputeDevice device, int dim, int numHeads, int hidden, int windowSize, double alpha, bool qkvBias) : base(device)
    {
        Norm1 = AddChild("norm1", new LayerNorm(device, dim));
        Attn = AddChild("attn", new HiLoAttention(device, dim, numHeads, windowSize, alpha, qkvBias));
        Norm2 = AddChild("norm2", new LayerNorm(device, dim));
        Mlp = AddChild("mlp", new DWMlp(device, dim, hidden));
    }

    /// <summary><c>norm1</c>.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary><c>attn</c>.</summary>
    public HiLoAttention Attn { get; }

    /// <summary><c>norm2</c>.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary><c>mlp</c>.</summary>
    public DWMlp Mlp { get; }

    /// <inheritdoc />
    public override void Apply(Tensor x, int height, int width)
    {
        Tensor normed2;
        using (var normed = Norm1.Forward(x))
        using (var attended = Attn.Forward(normed, height, width))
        {
            // x += attn(norm1(x)) and norm2(x) in one pass over x (ILGPU family; the CPU family adds, then normalises).
            normed2 = Norm2.AddForward(x, attended);
        }
        using (normed2)
        {
            Mlp.ForwardAdd(normed2, height, width, x);
        }
    }
}

/// <summary>One LITv2 stage (<c>layers.i</c>): its <c>blocks</c> and, except for the last stage, the DTM <c>downsample</c>.</summary>
public sealed class Litv2Stage : Module
{
    /// <summary>Creates stage <paramref name="index"/> (0-based) of <paramref name="config"/>.</summary>
    public Litv2Stage(ComputeDevice device, Litv2Config config, int index) : base(device)
    {
        ArgumentNullException.ThrowIfNull(config);
        Index = index;
        Dim = config.StageDim(index);
        Blocks = AddChild("blocks", new ModuleList<TokenBlock>(device));
        for (int j = 0; j < config.Depths[index]; j++)
        {
            Blocks.Add(Litv2Config.HasAttention(index)
                ? new HiLoBlock(device, Dim, config.NumHeads[index], config.HiddenDim(index), config.LocalWs[index], config.Alpha, config.QkvBias)
                : new ConvFfnBlock(device, Dim, config.HiddenDim(index)));
        }
        if (index < Litv2Config.StageCount - 1)
        {
            Downsample = AddChild("downsample", new DeformableTokenMerging(device, Dim, 2 * Dim));
        }
    }

    /// <summary>0-based stage index.</summary>
    public int Index { get; }

    /// <summary>Channels of the stage.</summary>
    public int Dim { get; }

    /// <summary><c>blocks</c>.</summary>
    public ModuleList<TokenBlock> Blocks { get; }

    /// <summary><c>downsample</c>: the deformable token merging after the stage, or null for the last stage.</summary>
    public DeformableTokenMerging? Downsample { get; }

    /// <summary>Applies every block to <paramref name="x"/> (B × H·W × C) in place.</summary>
    public void Apply(Tensor x, int height, int width) => Apply(x, height, width, null);

    /// <summary>Applies every block in place; <paramref name="afterBlock"/>, if given, is called with each block's index once it has run.</summary>
    internal void Apply(Tensor x, int height, int width, Action<int>? afterBlock)
    {
        for (int j = 0; j < Blocks.Items.Count; j++)
        {
            Blocks.Items[j].Apply(x, height, width);
            afterBlock?.Invoke(j);
        }
    }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
    }
}
