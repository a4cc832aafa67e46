using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Analysis;

/// <summary>
/// Counts the floating-point work of a module's forward pass in the convention of the LITv2 paper's numbers:
/// <b>multiply-adds</b>, as fvcore's <c>FlopCountAnalysis</c> counts them, with HiLo counted by the official
/// <c>HiLo.flops(H, W)</c> formula. One multiply-add is one "FLOP". Counted:
/// <list type="bullet">
/// <item>Linear: in · out per token.</item>
/// <item>Attention: q·kᵀ and attn·v, queries · keys · head_dim per head each (softmax and scaling not counted);
/// maps padded to a multiple of the window are counted padded, as the layers run them.</item>
/// <item>Convolutions: C_out · C_in / groups · k_h · k_w per output position; a deformable convolution counts as the
/// convolution it is plus its offset convolution (bilinear sampling not counted).</item>
/// <item>LayerNorm: 5 per element; BatchNorm (inference): 2 per element (fvcore's estimates). The published
/// LITv2-B-384 figure (39.7G) needs the norms; the other published figures hold either way.</item>
/// <item>Not counted: activations (GELU), softmax, residual additions, average pooling, the token mean.</item>
/// </list>
/// Reproduces: HiLo (14×14, C 768, 12 heads, s 2, α 0.9) 298.3M; LITv2-S 3.7G, M 7.5G, B 13.2G at 224², B 39.7G
/// at 384². Sizes are in tokens for token layers and in pixels for <see cref="Litv2Model"/> and <see cref="PatchEmbed"/>.
/// </summary>
public static class FlopCounter
{
    /// <summary>fvcore's estimate for an affine LayerNorm: 5 per element.</summary>
    public const int LayerNormPerElement = 5;

    /// <summary>fvcore's estimate for an affine BatchNorm at inference: 2 per element.</summary>
    public const int BatchNormPerElement = 2;

    /// <summary>
    /// Multiply-adds of one forward pass of <paramref name="module"/> on a <paramref name="height"/> × <paramref name="width"/>
    /// map (tokens; pixels for models and patch embeddings) for <paramref name="batch"/> inputs.
    /// </summary>
    /// <exception cref="NotSupportedException">A module type the counter does not know.</exception>
    public static long Count(Module module, int height, int width, int batch = 1)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (height < 1 || width < 1 || batch < 0)
        {
            throw new ArgumentException($"FlopCounter: a {height}×{width} map and batch {batch} cannot be counted.");
        }
        return batch * PerInput(module, height, width);
    }

    private static long PerInput(Module module, int h, int w)
    {
        long n = (long)h * w;
        return module switch
        {
            Linear l => n * l.InFeatures * l.OutFeatures,
            LayerNorm norm => LayerNormPerElement * n * norm.Dim,
            BatchNorm2d bn => BatchNormPerElement * n * bn.Channels,
            AvgPool2d => 0,
            HiLoAttention a => HiLo(a, h, w),
            MultiHeadAttention a => Linears(n, a.Qkv, a.Proj) + 2 * n * n * a.Dim,
            SpatialReductionAttention a => Sra(a, h, w),
            WindowAttention a => Window(a, h, w),
            PatchConv2d c => Conv(c.OutputSize(h, w), c.OutChannels, c.InChannels, c.KernelSize),
            DepthwiseConv3x3 c => n * c.Channels * 9,
            DWConv c => n * c.Conv.Channels * 9,
            DeformableConv2d d => Deformable(d, h, w),
            DeformableTokenMerging m => Deformable(m.Dconv, h, w) + PerInput(m.NormLayer, m.OutputSize(h, w).Height, m.OutputSize(h, w).Width),
            PatchEmbed p => PatchEmbed(p, h, w),
            DWMlp mlp => PerInput(mlp.Fc1, h, w) + PerInput(mlp.DwConv, h, w) + PerInput(mlp.Fc2, h, w),
            ConvFfnBlock b => PerInput(b.Norm2, h, w) + PerInput(b.Mlp, h, w),
            HiLoBlock b => PerInput(b.Norm1, h, w) + PerInput(b.Attn, h, w) + PerInput(b.Norm2, h, w) + PerInput(b.Mlp, h, w),
            Litv2Stage s => s.Blocks.Items.Sum(b => PerInput(b, h, w)) + (s.Downsample is { } d ? PerInput(d, h, w) : 0),
            Litv2Model m => Litv2(m, h, w),
            _ => throw new NotSupportedException($"FlopCounter: no rule for {module.GetType().Name}."),
        };
    }

    private static long Linears(long tokens, params Linear?[] layers) =>
        layers.Sum(l => l is null ? 0 : tokens * l.InFeatures * l.OutFeatures);

    private static long Conv((int Height, int Width) output, int outChannels, int inChannels, int kernel) =>
        (long)output.Height * output.Width * outChannels * inChannels * kernel * kernel;

    // The official HiLo.flops(H, W): the map padded to multiples of s; Hi-Fi qkv, window attention and projection;
    // Lo-Fi q on every token, kv on the pooled tokens, global attention to them and projection.
    private static long HiLo(HiLoAttention a, int h, int w)
    {
        int s = a.WindowSize;
        long hp = s * (long)((h + s - 1) / s), wp = s * (long)((w + s - 1) / s), np = hp * wp;
        long windows = (hp / s) * (wp / s), area = (long)s * s;
        long flops = 0;
        if (a.HiFiHeads > 0)
        {
            flops += Linears(np, a.HQkv, a.HProj) + windows * area * area * a.HiFiDim * 2;
        }
        if (a.LoFiHeads > 0)
        {
            long keys = s == 1 ? np : windows;
            flops += Linears(np, a.LQ, a.LProj) + Linears(keys, a.LKv) + np * keys * a.LoFiDim * 2;
        }
        return flops;
    }

    private static long Sra(SpatialReductionAttention a, int h, int w)
    {
        long n = (long)h * w;
        long keys = (long)(h / a.SrRatio) * (w / a.SrRatio);
        long flops = Linears(n, a.Q, a.Proj) + Linears(keys, a.Kv) + 2 * n * keys * a.Dim;
        if (a.Sr is not null)
        {
            flops += PerInput(a.Sr, h, w) + LayerNormPerElement * keys * a.Dim;
        }
        return flops;
    }

    // Swin W-MSA without shift: the map padded to multiples of the window, attention inside each window.
    private static long Window(WindowAttention a, int h, int w)
    {
        int s = a.WindowSize;
        long hp = s * (long)((h + s - 1) / s), wp = s * (long)((w + s - 1) / s), np = hp * wp;
        long area = (long)s * s;
        return Linears(np, a.Qkv, a.Proj) + np * area * a.Dim * 2;
    }

    private static long Deformable(DeformableConv2d d, int h, int w)
    {
        var output = d.OutputSize(h, w);
        long flops = Conv(output, d.OutChannels, d.InChannels, d.KernelSize);
        return d.ConvOffset is null ? flops : flops + PerInput(d.ConvOffset, h, w);
    }

    // h, w in pixels: the image is padded to a multiple of the patch size.
    private static long PatchEmbed(PatchEmbed p, int h, int w)
    {
        int k = p.Proj.KernelSize;
        (int oh, int ow) = ((h + k - 1) / k, (w + k - 1) / k);
        return Conv((oh, ow), p.Proj.OutChannels, p.Proj.InChannels, k) + PerInput(p.Norm, oh, ow);
    }

    private static long Litv2(Litv2Model m, int h, int w)
    {
        long flops = PerInput(m.PatchEmbed, h, w);
        var sizes = Litv2Model.StageSizes(h, w);
        for (int i = 0; i < m.Layers.Items.Count; i++)
        {
            flops += PerInput(m.Layers.Items[i], sizes[i].Height, sizes[i].Width);
        }
        var last = sizes[^1];
        return flops + PerInput(m.Norm, last.Height, last.Width) + PerInput(m.Head, 1, 1);
    }
}
