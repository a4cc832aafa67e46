using System.Globalization;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>One row of the published α sweep: α, the Lo-Fi/Hi-Fi heads it gives in stage 3 (of 12), and ImageNet top-1 (%).</summary>
/// <param name="Alpha">Share of Lo-Fi heads.</param>
/// <param name="LoFiHeads">Lo-Fi heads of stage 3 (<c>int(12 · α)</c>).</param>
/// <param name="HiFiHeads">Hi-Fi heads of stage 3.</param>
/// <param name="Top1">Published ImageNet-1K top-1 accuracy in percent.</param>
public sealed record PlanAlphaPoint(double Alpha, int LoFiHeads, int HiFiHeads, double Top1);

/// <summary>
/// The published α sweep of LITv2-S (the paper's ablation, released as checkpoints by the official repository
/// ziplab/LITv2): the only published top-1 figures for other head splits. Every point was trained with the
/// preset's windows (<c>local_ws [0, 0, 2, 1]</c>) at 224². The medium and base models have no sweep: they exist
/// only with α = 0.9 (see <see cref="PresetTop1"/>).
/// </summary>
public static class AlphaSweep
{
    /// <summary>The architecture the sweep was trained with (LITv2-S; name, classes and image size aside).</summary>
    public static Litv2Config SweepArchitecture { get; } = Litv2Config.Preset("litv2-s");

    /// <summary>The sweep, by increasing α: 0.0 81.16 · 0.2 81.89 · 0.4 81.81 · 0.5 81.88 · 0.7 81.94 · 0.9 82.03 · 1.0 81.89.</summary>
    public static IReadOnlyList<PlanAlphaPoint> LitV2S { get; } =
    [
        Point(0.0, 81.16), Point(0.2, 81.89), Point(0.4, 81.81), Point(0.5, 81.88), Point(0.7, 81.94), Point(0.9, 82.03), Point(1.0, 81.89),
    ];

    /// <summary>The α values of the sweep (also the grid a freshly initialised model is planned over).</summary>
    public static IReadOnlyList<double> Alphas { get; } = LitV2S.Select(p => p.Alpha).ToList();

    private static PlanAlphaPoint Point(double alpha, double top1)
    {
        int lo = LoFiHeads(12, alpha);
        return new PlanAlphaPoint(alpha, lo, 12 - lo, top1);
    }

    /// <summary>Lo-Fi heads of <paramref name="numHeads"/> at <paramref name="alpha"/>: <c>int(num_heads * alpha)</c> in float64, as the official code.</summary>
    public static int LoFiHeads(int numHeads, double alpha) => HiLoAttention.LoFiHeadCount(numHeads, alpha, windowSize: 2);

    /// <summary>
    /// True when the sweep's top-1 figures apply to <paramref name="config"/>: the LITv2-S architecture (embed_dim,
    /// depths, heads, trained windows, mlp ratio, qkv bias and 1000 classes).
    /// </summary>
    public static bool AppliesTo(Litv2Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var s = SweepArchitecture;
        return config.EmbedDim == s.EmbedDim && config.Depths.SequenceEqual(s.Depths) && config.NumHeads.SequenceEqual(s.NumHeads) &&
            config.LocalWs.Skip(2).SequenceEqual(s.LocalWs.Skip(2)) && config.MlpRatio.Equals(s.MlpRatio) && config.QkvBias == s.QkvBias &&
            config.NumClasses == s.NumClasses;
    }

    /// <summary>The published top-1 of <paramref name="alpha"/> in the sweep, or null when α is not a sweep point.</summary>
    public static double? Top1(double alpha) => LitV2S.FirstOrDefault(p => p.Alpha.Equals(alpha))?.Top1;

    /// <summary>
    /// Published top-1 of a released model at its own α and windows, for architectures without a sweep: LITv2-M 83.3,
    /// LITv2-B 83.6 (the paper's main table, 224²). Null for anything else (LITv2-S: use <see cref="Top1"/>).
    /// </summary>
    public static double? PresetTop1(Litv2Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var defaults = Litv2Config.Preset("litv2-m");
        bool sameRest = config.Alpha.Equals(0.9) && config.LocalWs.Skip(2).SequenceEqual(defaults.LocalWs.Skip(2)) &&
            config.MlpRatio.Equals(4.0) && config.QkvBias && config.NumClasses == 1000;
        if (!sameRest || !config.Depths.SequenceEqual(defaults.Depths))
        {
            return null;
        }
        if (config.EmbedDim == 96 && config.NumHeads.SequenceEqual(defaults.NumHeads) && config.ImgSize == 224)
        {
            return 83.3;
        }
        var b = Litv2Config.Preset("litv2-b");
        return config.EmbedDim == b.EmbedDim && config.NumHeads.SequenceEqual(b.NumHeads) && config.ImgSize == 224 ? 83.6 : null;
    }

    /// <summary>
    /// The α a state dict was trained with, read from the shapes of the first block's attention in every stage with
    /// window s &gt; 1: Lo-Fi heads = rows of <c>attn.l_q.weight</c> / head_dim (0 without <c>l_q</c>). Returns
    /// <paramref name="config"/>'s α when it gives those heads, else the sweep point that does, else heads / num_heads.
    /// </summary>
    /// <exception cref="ArgumentException">The state dict lacks the attention weights, or its splits fit no single α.</exception>
    public static double AlphaOf(StateDict weights, Litv2Config config)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(config);
        var split = new List<(int Stage, int Heads, int LoFi)>();
        for (int i = 0; i < Litv2Config.StageCount; i++)
        {
            if (!Litv2Config.HasAttention(i) || config.LocalWs[i] <= 1 || config.Depths[i] == 0)
            {
                continue;
            }
            split.Add((i, config.NumHeads[i], LoFiHeadsIn(weights, config, i)));
        }
        if (split.Count == 0)
        {
            return config.Alpha;   // no stage splits heads: α has no effect
        }
        var candidates = new List<double> { config.Alpha };
        candidates.AddRange(Alphas);
        var (_, heads, loFi) = split[0];
        double ratio = (double)loFi / heads;
        candidates.Add(ratio);
        candidates.Add(Math.BitIncrement(ratio));   // int(h · l/h) can round down by one ulp
        foreach (double alpha in candidates)
        {
            if (alpha <= 1 && split.All(s => LoFiHeads(s.Heads, alpha) == s.LoFi))
            {
                return alpha;
            }
        }
        throw new ArgumentException("the weights' head splits fit no single alpha: " +
            string.Join(", ", split.Select(s => string.Create(CultureInfo.InvariantCulture, $"stage {s.Stage + 1} has {s.LoFi} Lo-Fi heads of {s.Heads}"))));
    }

    private static int LoFiHeadsIn(StateDict weights, Litv2Config config, int stage)
    {
        int dim = config.StageDim(stage), heads = config.NumHeads[stage], headDim = dim / heads;
        string prefix = $"layers.{stage}.blocks.0.attn.";
        bool hasLo = weights.TryGetValue(prefix + "l_q.weight", out var lq);
        bool hasHi = weights.TryGetValue(prefix + "h_qkv.weight", out var hqkv);
        if (!hasLo && !hasHi)
        {
            throw new ArgumentException($"the weights have neither '{prefix}l_q.weight' nor '{prefix}h_qkv.weight': not the weights of a LITv2 with HiLo in stage {stage + 1}");
        }
        int loFi = hasLo ? Rows(lq!, prefix + "l_q.weight", dim, headDim) : 0;
        int hiFi = hasHi ? Rows(hqkv!, prefix + "h_qkv.weight", dim, 3 * headDim) : 0;
        if (loFi + hiFi != heads)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"the weights of stage {stage + 1} hold {loFi} Lo-Fi + {hiFi} Hi-Fi heads, the model {heads}: the weights are of another architecture"));
        }
        return loFi;
    }

    private static int Rows(HostTensor weight, string key, int dim, int rowsPerHead)
    {
        if (weight.Rank != 2 || weight.Shape[1] != dim || weight.Shape[0] % rowsPerHead != 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"'{key}' has shape {weight.ShapeText}, expected [k·{rowsPerHead}, {dim}]: the weights are of another architecture"));
        }
        return weight.Shape[0] / rowsPerHead;
    }
}
