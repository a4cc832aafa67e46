using System.Globalization;

namespace Hilo.Ilgpu.Models;

/// <summary>
/// The hyperparameters of a LITv2 classifier, named as in the official code and in <c>hilo infer</c>'s
/// CONFIG.json (<c>embed_dim, depths, num_heads, alpha, local_ws, num_classes, img_size, mlp_ratio, qkv_bias</c>).
/// Always four stages: stages 1–2 hold ConvFFN blocks, stages 3–4 HiLo blocks (the official <c>has_msa = [0, 0, 1, 1]</c>).
/// Use <see cref="Preset"/> for the released models, <see cref="Litv2ConfigJson"/> for files, or set the properties
/// and call <see cref="Validate"/>.
/// </summary>
public sealed record Litv2Config
{
    /// <summary>Number of stages (fixed by the architecture).</summary>
    public const int StageCount = 4;

    /// <summary>Patch size of the patch embedding (a 4×4, stride 4 convolution).</summary>
    public const int PatchSize = 4;

    /// <summary>Image channels (RGB).</summary>
    public const int InChannels = 3;

    /// <summary>Preset names, in size order: <c>litv2-s</c>, <c>litv2-m</c>, <c>litv2-b</c>, <c>litv2-b-384</c>.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["litv2-s", "litv2-m", "litv2-b", "litv2-b-384"];

    /// <summary>Name used in messages (preset name, config file name, or <c>litv2-custom</c>).</summary>
    public string Name { get; init; } = "litv2-custom";

    /// <summary>Channels of stage 1 (<c>embed_dim</c>); stage i has <c>embed_dim · 2^i</c>.</summary>
    public int EmbedDim { get; init; } = 96;

    /// <summary>Blocks per stage (<c>depths</c>), four entries.</summary>
    public IReadOnlyList<int> Depths { get; init; } = [2, 2, 6, 2];

    /// <summary>Attention heads per stage (<c>num_heads</c>), four entries; only stages 3–4 have attention.</summary>
    public IReadOnlyList<int> NumHeads { get; init; } = [3, 6, 12, 24];

    /// <summary>Share of Lo-Fi heads in HiLo (<c>alpha</c>), in [0, 1].</summary>
    public double Alpha { get; init; } = 0.9;

    /// <summary>HiLo window size s per stage (<c>local_ws</c>); entries of stages 1–2 are unused (0 officially).</summary>
    public IReadOnlyList<int> LocalWs { get; init; } = [0, 0, 2, 1];

    /// <summary>Classes of the head (<c>num_classes</c>).</summary>
    public int NumClasses { get; init; } = 1000;

    /// <summary>The training image size (<c>img_size</c>): informative, the model takes any size.</summary>
    public int ImgSize { get; init; } = 224;

    /// <summary>Hidden-size ratio of the ConvFFN (<c>mlp_ratio</c>): hidden = <c>int(dim · mlp_ratio)</c>.</summary>
    public double MlpRatio { get; init; } = 4.0;

    /// <summary>Whether HiLo's q/k/v projections have a bias (<c>qkv_bias</c>).</summary>
    public bool QkvBias { get; init; } = true;

    /// <summary>Channels of stage <paramref name="stage"/> (0-based): <c>embed_dim · 2^stage</c>.</summary>
    public int StageDim(int stage) => EmbedDim << stage;

    /// <summary>ConvFFN hidden channels of stage <paramref name="stage"/>: <c>int(dim · mlp_ratio)</c> as Python computes it.</summary>
    public int HiddenDim(int stage) => (int)(StageDim(stage) * MlpRatio);

    /// <summary>Whether stage <paramref name="stage"/> has HiLo attention blocks (stages 3 and 4).</summary>
    public static bool HasAttention(int stage) => stage >= 2;

    /// <summary>Channels of the final features (the head's input): <c>embed_dim · 8</c>.</summary>
    public int NumFeatures => StageDim(StageCount - 1);

    /// <summary>
    /// Smallest image side the model takes: every deformable token merging needs a map of at least 2×2, so the
    /// patch map must be at least 2^(stages−1) = 8 tokens on a side, i.e. 4·7 + 1 = 29 pixels.
    /// </summary>
    public static int MinImageSide => PatchSize * ((1 << (StageCount - 1)) - 1) + 1;

    /// <summary>
    /// The one rule for HiLo window sizes, used by the model and the planner alike: a window s fits a token map of
    /// <paramref name="mapHeight"/> × <paramref name="mapWidth"/> when it is at most the map's longer side. HiLo pads a map
    /// to multiples of s (as the official detection code does), so s need not divide a side; a larger s would be a window
    /// of padding only along both sides, which the official code cannot run either.
    /// </summary>
    public static bool WindowFits(int s, int mapHeight, int mapWidth) => s >= 1 && s <= Math.Max(mapHeight, mapWidth);

    /// <summary>Checks every HiLo stage's <c>local_ws</c> against its token map for images of <paramref name="height"/> × <paramref name="width"/> (see <see cref="WindowFits"/>).</summary>
    /// <exception cref="ArgumentException">A window larger than its stage's map; the message names the entry, the map and the image size.</exception>
    public void CheckWindows(int height, int width)
    {
        var sizes = Litv2Model.StageSizes(height, width);
        for (int i = 0; i < StageCount; i++)
        {
            if (HasAttention(i) && Depths[i] > 0 && !WindowFits(LocalWs[i], sizes[i].Height, sizes[i].Width))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"LITv2 config {Name}: 'local_ws' entry {i} (stage {i + 1}) is {LocalWs[i]}, larger than the stage's {sizes[i].Height}×{sizes[i].Width} token map at {height}×{width} pixels."));
            }
        }
    }

    /// <summary>The released configuration <paramref name="name"/> (see <see cref="PresetNames"/>, case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the presets).</exception>
    public static Litv2Config Preset(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "litv2-s" => new Litv2Config { Name = "litv2-s" },
            "litv2-m" => new Litv2Config { Name = "litv2-m", Depths = [2, 2, 18, 2] },
            "litv2-b" => new Litv2Config { Name = "litv2-b", EmbedDim = 128, Depths = [2, 2, 18, 2], NumHeads = [4, 8, 16, 32] },
            "litv2-b-384" => new Litv2Config { Name = "litv2-b-384", EmbedDim = 128, Depths = [2, 2, 18, 2], NumHeads = [4, 8, 16, 32], ImgSize = 384 },
            _ => throw new ArgumentException($"Unknown LITv2 preset '{name}': use one of {string.Join(", ", PresetNames)} or a CONFIG.json file.", nameof(name)),
        };
    }

    /// <summary>True when <paramref name="name"/> is a preset name.</summary>
    public static bool IsPreset(string name) => PresetNames.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Checks every hyperparameter; the message names the first bad one with its config key.</summary>
    /// <exception cref="ArgumentException">A value the architecture cannot take.</exception>
    public void Validate()
    {
        Require(EmbedDim >= 1 && EmbedDim <= Litv2ConfigLimits.MaxEmbedDim, "embed_dim", $"must be in [1, {Litv2ConfigLimits.MaxEmbedDim}], got {EmbedDim}");
        RequireList(Depths, "depths", 0, Litv2ConfigLimits.MaxDepth);
        RequireList(NumHeads, "num_heads", 1, Litv2ConfigLimits.MaxHeads);
        RequireList(LocalWs, "local_ws", 0, Litv2ConfigLimits.MaxWindow);
        Require(Alpha >= 0 && Alpha <= 1, "alpha", $"must be in [0, 1], got {Format(Alpha)}");
        Require(NumClasses >= 1 && NumClasses <= Litv2ConfigLimits.MaxClasses, "num_classes", $"must be in [1, {Litv2ConfigLimits.MaxClasses}], got {NumClasses}");
        Require(ImgSize >= MinImageSide && ImgSize <= Litv2ConfigLimits.MaxImageSize, "img_size", $"must be in [{MinImageSide}, {Litv2ConfigLimits.MaxImageSize}], got {ImgSize}");
        Require(MlpRatio > 0 && MlpRatio <= Litv2ConfigLimits.MaxMlpRatio, "mlp_ratio", $"must be a number in (0, {Litv2ConfigLimits.MaxMlpRatio}], got {Format(MlpRatio)}");
        for (int i = 0; i < StageCount; i++)
        {
            Require(HiddenDim(i) >= 1, "mlp_ratio", $"gives no hidden channels in stage {i + 1} (int({StageDim(i)} · {Format(MlpRatio)}) = 0)");
            if (HasAttention(i))
            {
                Require(StageDim(i) % NumHeads[i] == 0, "num_heads",
                    $"stage {i + 1} has {StageDim(i)} channels, not divisible by its {NumHeads[i]} heads");
                Require(LocalWs[i] >= 1, "local_ws", $"stage {i + 1} has HiLo attention and needs a window size of at least 1, got {LocalWs[i]}");
            }
        }
        long parameters = ApproximateParameterCount;
        Require(parameters <= Litv2ConfigLimits.MaxParameters, "depths",
            string.Create(CultureInfo.InvariantCulture, $"with embed_dim {EmbedDim} and mlp_ratio {Format(MlpRatio)} give about {parameters:N0} parameters, more than the limit of {Litv2ConfigLimits.MaxParameters:N0}"));
    }

    /// <summary>
    /// The parameter count to within a few percent, from the config alone (no model is built): per block the
    /// attention's four dim² projections and the ConvFFN's two dim·hidden ones, per merging its 2×2 convolution, and
    /// the head. Used to bound a config before any memory is allocated; the model's exact count is
    /// <see cref="Modules.Module.ParameterCount"/>.
    /// </summary>
    public long ApproximateParameterCount
    {
        get
        {
            double total = (double)NumFeatures * NumClasses + 16.0 * InChannels * EmbedDim;
            for (int i = 0; i < StageCount; i++)
            {
                double dim = StageDim(i);
                total += Depths[i] * ((HasAttention(i) ? 4 : 0) * dim * dim + 2 * dim * HiddenDim(i));
                if (i + 1 < StageCount)
                {
                    total += 4 * dim * StageDim(i + 1);
                }
            }
            return total >= long.MaxValue ? long.MaxValue : (long)total;
        }
    }

    private static void RequireList(IReadOnlyList<int>? list, string key, int min, int max)
    {
        Require(list is not null && list.Count == StageCount, key,
            $"must list {StageCount} values (one per stage), got {(list is null ? "none" : list.Count.ToString(CultureInfo.InvariantCulture))}");
        for (int i = 0; i < StageCount; i++)
        {
            Require(list![i] >= min && list[i] <= max, key, $"entry {i} must be in [{min}, {max}], got {list[i]}");
        }
    }

    private static void Require(bool condition, string key, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"LITv2 config: '{key}' {problem}.");
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Equality by value, including the list contents.</summary>
    public bool Equals(Litv2Config? other) =>
        other is not null && Name == other.Name && EmbedDim == other.EmbedDim && Depths.SequenceEqual(other.Depths) &&
        NumHeads.SequenceEqual(other.NumHeads) && Alpha.Equals(other.Alpha) && LocalWs.SequenceEqual(other.LocalWs) &&
        NumClasses == other.NumClasses && ImgSize == other.ImgSize && MlpRatio.Equals(other.MlpRatio) && QkvBias == other.QkvBias;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, EmbedDim, Depths.Sum(), NumHeads.Sum(), Alpha, NumClasses, ImgSize, MlpRatio);

    /// <summary>A one-line summary with the config keys.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: embed_dim {EmbedDim}, depths [{string.Join(", ", Depths)}], num_heads [{string.Join(", ", NumHeads)}], alpha {Alpha}, " +
        $"local_ws [{string.Join(", ", LocalWs)}], num_classes {NumClasses}, img_size {ImgSize}, mlp_ratio {MlpRatio}, qkv_bias {(QkvBias ? "true" : "false")}");
}
