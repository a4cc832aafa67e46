using Hilo.Ilgpu.Analysis;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Cli;

/// <summary>
/// <c>hilo classify --explain DIR</c>: for each classified image, the Hi-Fi and Lo-Fi attention of the chosen block and
/// the chosen merging's sampling points, as PNGs named after the image (docs/explain.md).
/// </summary>
internal static partial class ClassifyExplain
{
    /// <summary>The options of <c>--explain-stage/-block/-head/-hifi-head/-lofi-head</c>, checked against the model (and a font looked up) before any work.</summary>
    /// <exception cref="ArgumentException">An option out of range, named as on the command line (<c>--explain-stage</c>, not <c>ExplainOptions.Stage</c>).</exception>
    public static ExplainOptions Options(ClassifyOptions o, Litv2Config config, int side)
    {
        var options = new ExplainOptions { Stage = o.ExplainStage, Block = o.ExplainBlock, Head = o.ExplainHead, HiFiHead = o.ExplainHiFiHead, LoFiHead = o.ExplainLoFiHead };
        try
        {
            options.Validate(config, side, side);
        }
        catch (ArgumentException e) when (CliName(e.ParamName) is { } option)
        {
            string message = e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal)
                .Replace($"ExplainOptions.{e.ParamName}", option, StringComparison.Ordinal);
            // The library's hint names a property: the command line's option instead.
            throw new ArgumentException(HeadHint().Replace(message, m => $" ({CliName(m.Groups[1].Value)} chooses {m.Groups[2].Value} on its own)"), e);
        }
        SharedScale(o.ExplainScale);
        ExplainPictures.CheckFont();
        return options;
    }

    private static string? CliName(string? property) => property switch
    {
        nameof(ExplainOptions.Stage) => "--explain-stage",
        nameof(ExplainOptions.Block) => "--explain-block",
        nameof(ExplainOptions.Head) => "--explain-head",
        nameof(ExplainOptions.HiFiHead) => "--explain-hifi-head",
        nameof(ExplainOptions.LoFiHead) => "--explain-lofi-head",
        _ => null,
    };

    [System.Text.RegularExpressions.GeneratedRegex(@" \(set (\w+) to choose ([^)]*) on its own\)")]
    private static partial System.Text.RegularExpressions.Regex HeadHint();

    /// <summary>
    /// The pictures <c>--explain</c> writes for <paramref name="images"/> (in order; names made unique over all of them,
    /// so a picture's name does not depend on which images fail), for the output check before any work.
    /// </summary>
    public static IEnumerable<string> PicturePaths(IReadOnlyList<string> images, string directory) =>
        UniqueNames(images).SelectMany(name => ExplainPictures.Suffixes.Select(suffix => Path.Combine(directory, name + suffix)));

    private static List<string> UniqueNames(IEnumerable<string> images)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        return [.. images.Select(path => UniqueName(path, used))];
    }

    /// <summary>Writes the pictures of every classified image; an image that can no longer be read is reported and skipped.</summary>
    /// <summary><c>--explain-scale</c>: true for <c>shared</c>, false for <c>own</c>.</summary>
    /// <exception cref="ArgumentException">Any other value.</exception>
    public static bool SharedScale(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "own" => false,
        "shared" => true,
        _ => throw new ArgumentException($"--explain-scale {value}: use own (each map its own range) or shared (one range over every image)"),
    };

    /// <summary>
    /// Writes the pictures of every classified image; an image that can no longer be read is reported and skipped. With
    /// <paramref name="shared"/>, every image's maps are computed first and drawn on one colour scale (<see cref="ColourScales.Over"/>).
    /// </summary>
    public static void Write(ImageClassifier classifier, IReadOnlyList<ImageClassification> results, ExplainOptions options, string directory, TextWriter log, bool randomWeights = false, bool shared = false)
    {
        var names = UniqueNames(results.Select(r => r.Path));
        int written = 0, images = 0;
        string? note = null;
        var pending = new List<(HiLoMaps Maps, float[] Image, string Name, string Note)>();
        for (int i = 0; i < results.Count; i++)
        {
            var result = results[i];
            if (!result.Succeeded)
            {
                continue;
            }
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
            if (shared)
            {
                pending.Add((maps, image.ToArray(), names[i], Note(result, randomWeights))); // drawn once every range is known
            }
            else
            {
                written += ExplainPictures.Write(maps, image, directory, names[i], classifier.Preprocess, Note(result, randomWeights)).Count;
            }
            images++;
        }
        if (shared && pending.Count > 0)
        {
            var scales = ColourScales.Over(pending.Select(p => p.Maps));
            foreach (var (maps, image, name, text) in pending)
            {
                written += ExplainPictures.Write(maps, image, directory, name, classifier.Preprocess, text, scales).Count;
            }
        }
        if (note is not null)
        {
            log.WriteLine($"--explain: {note}");
        }
        log.WriteLine($"--explain: wrote {written} picture(s) of {images} image(s) (stage {options.Stage}, block {options.Block}) to {directory}");
    }

    /// <summary>Said on every picture when the weights are random (what the model attends to then means nothing).</summary>
    public const string RandomWeightsNote = "random weights: the class means nothing";

    /// <summary>The second title line of an image's pictures: its file name, the predicted class and its probability.</summary>
    internal static string Note(ImageClassification result, bool randomWeights)
    {
        var top = result.Top[0];
        string note = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Path.GetFileName(result.Path)} · predicted: {top.Label} ({top.Probability:0.0%})");
        return randomWeights ? note + " · " + RandomWeightsNote : note;
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
