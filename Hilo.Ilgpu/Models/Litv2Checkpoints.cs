namespace Hilo.Ilgpu.Models;

/// <summary>One of the official LITv2 ImageNet-1k classifiers and where its weights are published.</summary>
/// <param name="Preset">The preset that runs it (<see cref="Litv2Config.Preset"/>).</param>
/// <param name="ImageSize">The input side it was trained and evaluated at.</param>
/// <param name="Top1">Published ImageNet-1k validation top-1, in percent.</param>
/// <param name="File">The checkpoint's file name in the release.</param>
/// <param name="Url">Where to download it.</param>
public sealed record PublishedCheckpoint(string Preset, int ImageSize, double Top1, string File, string Url);

/// <summary>
/// The official LITv2 checkpoints (ziplab/LITv2, release v1.0, as its README's "Image Classification on ImageNet-1K"
/// table lists them) and the α sweep of LITv2-S the paper reports. Every file is a <c>torch.save</c> zip that
/// <see cref="Litv2Model.LoadWeights"/> reads (bare or <c>{'model': …}</c>). The release page and the authors' Google
/// Drive folder hold the same files.
/// </summary>
public static class Litv2Checkpoints
{
    /// <summary>The repository whose README lists the checkpoints.</summary>
    public const string Repository = "https://github.com/ziplab/LITv2";

    /// <summary>The release that holds the files.</summary>
    public const string Release = Repository + "/releases/tag/v1.0";

    /// <summary>The authors' Google Drive folder of every model and log (the README's alternative to the release).</summary>
    public const string DriveFolder = "https://drive.google.com/drive/folders/1VAtrPWEqxi-6q6luwEVdYvkBYedApwbU";

    private const string Download = Repository + "/releases/download/v1.0/";

    /// <summary>LITv2-S, -M, -B at 224² and LITv2-B fine-tuned at 384², in the order of the paper's table.</summary>
    public static IReadOnlyList<PublishedCheckpoint> Presets { get; } =
    [
        new("litv2-s", 224, 82.0, "litv2_s.pth", Download + "litv2_s.pth"),
        new("litv2-m", 224, 83.3, "litv2_m.pth", Download + "litv2_m.pth"),
        new("litv2-b", 224, 83.6, "litv2_b.pth", Download + "litv2_b.pth"),
        new("litv2-b-384", 384, 84.7, "litv2_b_384.pth", Download + "litv2_b_384.pth"),
    ];

    /// <summary>The published checkpoint of <paramref name="preset"/> (case-insensitive), or null for a name without one.</summary>
    public static PublishedCheckpoint? For(string preset) =>
        Presets.FirstOrDefault(p => p.Preset.Equals(preset, StringComparison.OrdinalIgnoreCase));
}
