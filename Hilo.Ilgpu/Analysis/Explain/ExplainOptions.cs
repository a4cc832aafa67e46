using System.Globalization;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Analysis;

/// <summary>
/// What <see cref="HiLoExplainer"/> looks at: one HiLo block (<see cref="Stage"/>, <see cref="Block"/>), one head of
/// each branch, one Lo-Fi query token and one deformable token merging. Indices follow the paper's wording for stages
/// (1-based) and Python's for everything else (0-based).
/// </summary>
public sealed record ExplainOptions
{
    /// <summary>The stage, 1-based: a HiLo stage (3 or 4 in LITv2; 3, window 2, by default).</summary>
    public int Stage { get; init; } = 3;

    /// <summary>The block within the stage, 0-based (default 0).</summary>
    public int Block { get; init; }

    /// <summary>The head, 0-based within its branch, for both branches unless <see cref="HiFiHead"/> or <see cref="LoFiHead"/> says otherwise (default 0).</summary>
    public int Head { get; init; }

    /// <summary>The Hi-Fi head, 0-based among the Hi-Fi heads; null: <see cref="Head"/>.</summary>
    public int? HiFiHead { get; init; }

    /// <summary>The Lo-Fi head, 0-based among the Lo-Fi heads; null: <see cref="Head"/>.</summary>
    public int? LoFiHead { get; init; }

    /// <summary>The Lo-Fi query token (row, column) in the stage's token map, 0-based; null: the map's centre (⌊H/2⌋, ⌊W/2⌋).</summary>
    public (int Row, int Column)? Query { get; init; }

    /// <summary>The deformable token merging, 0-based: <c>layers.{Merge}.downsample</c>, after stage Merge + 1 (default 2, into stage 4).</summary>
    public int Merge { get; init; } = 2;

    /// <summary>The Hi-Fi head used.</summary>
    public int EffectiveHiFiHead => HiFiHead ?? Head;

    /// <summary>The Lo-Fi head used.</summary>
    public int EffectiveLoFiHead => LoFiHead ?? Head;

    /// <summary>The query used on a <paramref name="height"/> × <paramref name="width"/> stage map: <see cref="Query"/> or the centre.</summary>
    public (int Row, int Column) QueryOn(int height, int width) => Query ?? (height / 2, width / 2);

    /// <summary>
    /// Checks every option against <paramref name="config"/> for one image of <paramref name="imageHeight"/> ×
    /// <paramref name="imageWidth"/> pixels (the query must lie in the stage's token map at that size).
    /// </summary>
    /// <exception cref="ArgumentException">An option out of range: the message names it, its value and the valid range.</exception>
    public void Validate(Litv2Config config, int imageHeight, int imageWidth)
    {
        ArgumentNullException.ThrowIfNull(config);
        var hiloStages = Enumerable.Range(1, Litv2Config.StageCount).Where(s => Litv2Config.HasAttention(s - 1) && config.Depths[s - 1] > 0).ToList();
        if (!hiloStages.Contains(Stage))
        {
            Fail(nameof(Stage), $"is {Stage}; {config.Name} has HiLo blocks in stage{(hiloStages.Count == 1 ? "" : "s")} {string.Join(" and ", hiloStages)} (1-based)");
        }
        int stage = Stage - 1;
        int depth = config.Depths[stage];
        if (Block < 0 || Block >= depth)
        {
            Fail(nameof(Block), $"is {Block}; stage {Stage} of {config.Name} has blocks 0..{depth - 1}");
        }
        int heads = config.NumHeads[stage];
        int window = config.LocalWs[stage];
        int loFi = HiLoAttention.LoFiHeadCount(heads, config.Alpha, window);
        int hiFi = heads - loFi;
        CheckHead(HiFiHead is null ? nameof(Head) : nameof(HiFiHead), EffectiveHiFiHead, hiFi, "Hi-Fi", HiFiHead is null ? nameof(HiFiHead) : null);
        CheckHead(LoFiHead is null ? nameof(Head) : nameof(LoFiHead), EffectiveLoFiHead, loFi, "Lo-Fi", LoFiHead is null ? nameof(LoFiHead) : null);
        if (imageHeight < Litv2Config.MinImageSide || imageWidth < Litv2Config.MinImageSide)
        {
            throw new ArgumentException(Text($"ExplainOptions: the image is {imageHeight}×{imageWidth} pixels; LITv2 needs at least {Litv2Config.MinImageSide} per side."));
        }
        var (h, w) = Litv2Model.StageSizes(imageHeight, imageWidth)[stage];
        if (Query is { } q && (q.Row < 0 || q.Row >= h || q.Column < 0 || q.Column >= w))
        {
            Fail(nameof(Query), $"is (row {q.Row}, column {q.Column}); stage {Stage}'s token map is {h}×{w} at {imageHeight}×{imageWidth} pixels: rows 0..{h - 1}, columns 0..{w - 1}");
        }
        int merges = Litv2Config.StageCount - 1;
        if (Merge < 0 || Merge >= merges)
        {
            Fail(nameof(Merge), $"is {Merge}; LITv2 has deformable token mergings 0..{merges - 1} (layers.i.downsample, after stage i + 1)");
        }

        void CheckHead(string option, int head, int count, string branch, string? overrideOption)
        {
            // A branch without heads has no map to draw: any head index is fine there (the maps say the branch is absent).
            if (count > 0 && (head < 0 || head >= count))
            {
                string hint = overrideOption is null ? "" : $" (set {overrideOption} to choose the {branch} head on its own)";
                Fail(option, $"is {head}; block {Block} of stage {Stage} has {count} {branch} head{(count == 1 ? "" : "s")}: 0..{count - 1}{hint}");
            }
        }
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void Fail(string option, string problem) =>
        throw new ArgumentException(Text($"ExplainOptions.{option} {problem}."), option);
}
