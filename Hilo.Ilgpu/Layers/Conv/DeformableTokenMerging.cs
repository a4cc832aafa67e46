using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// LITv2's deformable token merging (<c>DTM</c>, between stages): <c>dconv</c>, a
/// <see cref="DeformableConv2d"/> with learned offsets (Cin → Cout, k = s = 2), then <c>norm_layer</c>
/// (<see cref="BatchNorm2d"/>, eval statistics) and GELU. B × H·W × Cin → B × ⌊H/2⌋·⌊W/2⌋ × Cout: no padding,
/// an odd last row/column is dropped, as in the official detection backbone. Keys <c>dconv.weight</c>,
/// <c>dconv.bias</c>, <c>dconv.conv_offset.weight</c>, <c>dconv.conv_offset.bias</c>,
/// <c>norm_layer.{weight, bias, running_mean, running_var}</c> (<c>num_batches_tracked</c> ignored). The
/// BatchNorm is folded into the deformable conv's weight and bias when weights are prepared.
/// </summary>
public sealed class DeformableTokenMerging : Module
{
    /// <summary>Creates the merging.</summary>
    /// <param name="device">The device it runs on.</param>
    /// <param name="inChannels">Channels in (the stage's dim).</param>
    /// <param name="outChannels">Channels out (the next stage's dim; default 2·in).</param>
    public DeformableTokenMerging(ComputeDevice device, int inChannels, int outChannels = 0) : base(device)
    {
        int cout = outChannels > 0 ? outChannels : 2 * inChannels;
        Dconv = AddChild("dconv", new DeformableConv2d(device, inChannels, cout, kernelSize: 2, learnedOffsets: true));
        NormLayer = AddChild("norm_layer", new BatchNorm2d(device, cout));
        Dconv.FoldedNorm = NormLayer;
        NormLayer.FoldedIntoConv = true;
    }

    /// <summary>The deformable conv (key <c>dconv</c>).</summary>
    public DeformableConv2d Dconv { get; }

    /// <summary>The BatchNorm (key <c>norm_layer</c>), folded into <see cref="Dconv"/>.</summary>
    public BatchNorm2d NormLayer { get; }

    /// <summary>Channels in.</summary>
    public int InChannels => Dconv.InChannels;

    /// <summary>Channels out.</summary>
    public int OutChannels => Dconv.OutChannels;

    /// <summary>Output map size: ⌊H/2⌋ × ⌊W/2⌋.</summary>
    public (int Height, int Width) OutputSize(int height, int width) => Dconv.OutputSize(height, width);

    /// <summary>
    /// Merges <paramref name="x"/> (B × H·W × Cin, H and W ≥ 2); returns the new tokens (B × ⌊H/2⌋·⌊W/2⌋ × Cout, a
    /// new tensor the caller owns) and the new map size.
    /// </summary>
    public (Tensor Tokens, int Height, int Width) Forward(Tensor x, int height, int width)
    {
        TokenMapChecks.Check("DeformableTokenMerging (DTM)", x, Device, height, width, InChannels, 2);
        var y = Dconv.ForwardGelu(x, height, width);
        var (h, w) = OutputSize(height, width);
        return (y, h, w);
    }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
    }
}
