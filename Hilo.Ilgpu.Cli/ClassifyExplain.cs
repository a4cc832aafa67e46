using Hilo.Ilgpu.Analysis;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Cli;

/// <summary>
/// <c>hilo classify --explain DIR</c>: for each classified image, the Hi-Fi and Lo-Fi attention of the chosen block and
/// the chosen merging's sampling points, as PNGs named after the image (docs/explain.md).
/// </summary>
internal static class ClassifyExplain
{
    /// <summary>The options of <c>--explain-stage/-block/-head</c>, checked against the model before any work.</summary>
    public static ExplainOptions Options(ClassifyOptions o, Litv2Config config, int side)
    {
        var options = new ExplainOptions { Stage = o.ExplainStage, Block = o.ExplainBlock, Head = o.ExplainHead };
        options.Validate(config, side, side);
        return options;
    }

    /// <summary>Writes the pictures of every classified image; an image that can no longer be read is reported and skipped.</summary>
    public static void Write(ImageClassifier classifier, IReadOnlyList<ImageClassification> results, ExplainOptions options, string directory, TextWriter log)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        int written = 0, images = 0;
        string? note = null;
        foreach (var result in results.Where(r => r.Succeeded))
        {
            RgbImage decoded;
            try
            {
                decoded = ImageFile.Load(result.Path, classifier.Limits);
            }
            catch (ImageDecodeException e)
            {
                log.WriteLine($"--explain: skipped {e.Message}");
                continue;
            }
            using var image = classifier.Preprocessor.Run([decoded]);
            var maps = HiLoExplainer.Compute(classifier.Model, image, options);
            note ??= maps.HiFiAbsentReason ?? maps.LoFiAbsentReason;
            written += ExplainPictures.Write(maps, image, directory, UniqueName(result.Path, used), classifier.Preprocess).Count;
            images++;
        }
        if (note is not null)
        {
            log.WriteLine($"--explain: {note}");
        }
        log.WriteLine($"--explain: wrote {written} picture(s) of {images} image(s) (stage {options.Stage}, block {options.Block}) to {directory}");
    }

    // photos/a.jpg and more/a.png would both be "a": the second becomes "a-2".
    private static string UniqueName(string path, HashSet<string> used)
    {
        string stem = Path.GetFileNameWithoutExtension(path), name = stem;
        for (int k = 2; !used.Add(name); k++)
        {
            name = $"{stem}-{k}";
        }
        return name;
    }
}
