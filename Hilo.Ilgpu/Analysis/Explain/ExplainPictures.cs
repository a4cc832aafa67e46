using System.Globalization;
using Hilo.Ilgpu.Analysis.Drawing;
using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Analysis;

/// <summary>
/// Draws <see cref="HiLoMaps"/> over the image as PNG files (docs/explain.md): <c>NAME.hifi.png</c> (the Hi-Fi head's
/// attention inside each window, window grid lines), <c>NAME.lofi.png</c> (the Lo-Fi head's attention from the query,
/// marked, and from all queries, over the pooled key grid) and <c>NAME.dtm.png</c> (the merging's sampling points and
/// their shift from the regular 2×2 grid). The image is shown in grey, scaled by a whole factor so that each panel is
/// at least 224 pixels on a side; maps are coloured with a viridis-like map. Each file is written atomically.
/// </summary>
public static class ExplainPictures
{
    /// <summary>
    /// Throws <see cref="FileNotFoundException"/> (saying how to get one) when no font can draw the pictures' text
    /// (DejaVu Sans or another system font, or <c>HILO_CHART_FONT</c>): call it before long work.
    /// </summary>
    public static void CheckFont() => PictureFont.Check();

    /// <summary>The suffixes of the files written, in order.</summary>
    public static IReadOnlyList<string> Suffixes { get; } = [".hifi.png", ".lofi.png", ".dtm.png"];

    /// <summary>
    /// Writes the three pictures of <paramref name="maps"/> into <paramref name="directory"/> (created if missing),
    /// named <paramref name="name"/> + <see cref="Suffixes"/>, over <paramref name="preprocessedImage"/>: the image the
    /// maps were computed from (1 × 3 × H × W or 3 × H × W, any device), shown after undoing the normalisation of
    /// <paramref name="preprocess"/> (ImageNet mean and std when null). A block without a Hi-Fi (or Lo-Fi) branch
    /// still gets its file, saying why there is no map. <paramref name="note"/>, when given, is a second title line on
    /// every picture (e.g. the file name and its predicted class). <paramref name="scales"/> fixes the maps' colour ranges
    /// (<see cref="ColourScales.Over"/>: one scale across several images); null scales each map to its own range. Returns
    /// the paths written.
    /// </summary>
    /// <exception cref="ArgumentException">The image does not match the maps' size, or the name is not a plain file name.</exception>
    public static IReadOnlyList<string> Write(HiLoMaps maps, Tensor preprocessedImage, string directory, string name, Preprocess? preprocess = null, string? note = null, ColourScales? scales = null)
    {
        ArgumentNullException.ThrowIfNull(preprocessedImage);
        return Write(maps, preprocessedImage.ToArray(), preprocessedImage.ShapeText, directory, name, preprocess, note, scales);
    }

    /// <summary>As <see cref="Write(HiLoMaps, Tensor, string, string, Preprocess?, string?, ColourScales?)"/> with the image as host values (3·H·W, channel-major RGB).</summary>
    public static IReadOnlyList<string> Write(HiLoMaps maps, float[] preprocessedImage, string directory, string name, Preprocess? preprocess = null, string? note = null, ColourScales? scales = null)
    {
        ArgumentNullException.ThrowIfNull(preprocessedImage);
        return Write(maps, preprocessedImage, $"{preprocessedImage.Length} values", directory, name, preprocess, note, scales);
    }

    private static List<string> Write(HiLoMaps maps, float[] image, string shape, string directory, string name, Preprocess? preprocess, string? note, ColourScales? scales)
    {
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new ArgumentException($"ExplainPictures: the name '{name}' must be a plain file name (no folders, no path characters); the folder is the directory argument.", nameof(name));
        }
        int h = maps.ImageHeight, w = maps.ImageWidth;
        if (image.Length != 3 * h * w)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"ExplainPictures: the image ({shape}) is not the {h}×{w} RGB image the maps were computed from (3·{h}·{w} = {3 * h * w} values)."), "preprocessedImage");
        }
        double[] grey = Grey(image, h, w, preprocess?.Mean ?? Preprocess.ImageNetMean, preprocess?.Std ?? Preprocess.ImageNetStd);
        Directory.CreateDirectory(directory);
        var pictures = new[] { Overlays.HiFi(maps, grey, note, scales), Overlays.LoFi(maps, grey, note, scales), Overlays.Dtm(maps, grey, note) };
        var paths = new List<string>();
        for (int i = 0; i < pictures.Length; i++)
        {
            string path = Path.Combine(directory, name + Suffixes[i]);
            pictures[i].SavePng(path);
            paths.Add(path);
        }
        return paths;
    }

    // Undo Normalize (x·std + mean), then Rec. 601 luma: the photo as a grey backdrop under the colour maps.
    private static double[] Grey(float[] image, int h, int w, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        int plane = h * w;
        double[] luma = [0.299, 0.587, 0.114];
        var grey = new double[plane];
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < plane; i++)
            {
                grey[i] += luma[c] * Math.Clamp(image[c * plane + i] * std[c] + mean[c], 0, 1);
            }
        }
        return grey;
    }
}
