using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// LITv2's patch embedding as in the official detection backbone (<c>PatchEmbed.forward</c>): the NCHW image is
/// zero-padded on the right, then at the bottom, to multiples of the patch size, then <c>proj</c>
/// (<c>nn.Conv2d(in_chans, embed_dim, kernel_size=patch, stride=patch)</c>), flattened to tokens, and <c>norm</c>
/// (<c>nn.LayerNorm(embed_dim)</c>). Keys <c>proj.weight</c>, <c>proj.bias</c>, <c>norm.weight</c>, <c>norm.bias</c>.
/// </summary>
public sealed class PatchEmbed : Module
{
    /// <summary>Creates the embedding.</summary>
    /// <param name="device">The device it runs on.</param>
    /// <param name="embedDim">Channels of the tokens.</param>
    /// <param name="inChannels">Image channels (3).</param>
    /// <param name="patchSize">Patch size and stride (4).</param>
    public PatchEmbed(ComputeDevice device, int embedDim, int inChannels = 3, int patchSize = 4) : base(device)
    {
        Proj = AddChild("proj", new PatchConv2d(device, inChannels, embedDim, patchSize));
        Norm = AddChild("norm", new LayerNorm(device, embedDim));
    }

    /// <summary>The patch convolution (key <c>proj</c>).</summary>
    public PatchConv2d Proj { get; }

    /// <summary>The LayerNorm on the tokens (key <c>norm</c>).</summary>
    public LayerNorm Norm { get; }

    /// <summary>Token map size for an image of <paramref name="height"/> × <paramref name="width"/>: ⌈H/p⌉ × ⌈W/p⌉.</summary>
    public (int Height, int Width) OutputSize(int height, int width) =>
        ((height + Proj.KernelSize - 1) / Proj.KernelSize, (width + Proj.KernelSize - 1) / Proj.KernelSize);

    /// <summary>
    /// Embeds <paramref name="image"/> (B × in_chans × H × W); returns the tokens (B × ⌈H/p⌉·⌈W/p⌉ × embed_dim, a new
    /// tensor the caller owns) and the token map's size.
    /// </summary>
    public (Tensor Tokens, int Height, int Width) Forward(Tensor image)
    {
        var tokens = Proj.ForwardImage(image);
        try
        {
            Norm.ForwardInto(tokens, tokens);
        }
        catch
        {
            tokens.Dispose();
            throw;
        }
        var (h, w) = OutputSize(image.Dim(2), image.Dim(3));
        return (tokens, h, w);
    }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
    }
}
