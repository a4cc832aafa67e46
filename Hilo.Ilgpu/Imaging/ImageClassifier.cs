using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Imaging;

/// <summary>One class of a prediction: its index, name, softmax probability and logit.</summary>
public sealed record ClassScore(int Index, string Label, double Probability, float Logit);

/// <summary>
/// The result for one image file: the <see cref="Top"/> classes, most likely first, or the <see cref="Error"/> that
/// kept it from being classified (a file that is not an image, too large, truncated…; the message names the file).
/// </summary>
public sealed record ImageClassification(string Path, IReadOnlyList<ClassScore> Top, string? Error)
{
    /// <summary>Whether the image was classified.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>Progress of <see cref="ImageClassifier.Classify(IReadOnlyList{string}, int, int, IProgress{ClassifyProgress})"/>: images done of all.</summary>
public readonly record struct ClassifyProgress(int Done, int Total);

/// <summary>
/// Image files in, top-k classes out: decodes each file (<see cref="ImageFile"/>, untrusted: headers and limits first),
/// preprocesses batches on the model's device as the official evaluation does (<see cref="Preprocess.ForModel"/>), runs
/// the model and turns logits into softmax probabilities. A bad file becomes a result with its error; the others are
/// still classified.
/// </summary>
/// <example>
/// <code>
/// using var device = ComputeDevice.Open("cpu");
/// using var model = new Litv2Model(device, Litv2Config.Preset("litv2-s"));
/// model.LoadWeights("litv2_s.pth");
/// var classifier = new ImageClassifier(model);
/// foreach (var r in classifier.Classify(ImageSource.Expand(["photos/"]), topK: 5))
///     Console.WriteLine($"{r.Path}: {r.Top[0].Label} ({r.Top[0].Probability:P1})");
/// </code>
/// </example>
public sealed class ImageClassifier
{

    /// <summary>A classifier running <paramref name="model"/> (weights loaded) on its device.</summary>
    /// <param name="model">The model.</param>
    /// <param name="labels">Class names (default: ImageNet-1k's for 1000 classes, else <c>class N</c>).</param>
    /// <param name="preprocess">The transform (default: the official evaluation transform of the model's config).</param>
    /// <param name="limits">Limits on the files read (default <see cref="ImageLimits.Default"/>).</param>
    /// <exception cref="ArgumentException">Labels of another count than the model's classes.</exception>
    public ImageClassifier(Litv2Model model, ClassLabels? labels = null, Preprocess? preprocess = null, ImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Labels = labels ?? ClassLabels.For(model.Config.NumClasses);
        if (Labels.Count != model.Config.NumClasses)
        {
            throw new ArgumentException($"{Labels.Count} labels ({Labels.Source}) for a model of {model.Config.NumClasses} classes.", nameof(labels));
        }
        Preprocess = preprocess ?? Preprocess.ForModel(model.Config);
        Limits = limits ?? ImageLimits.Default;
        Preprocessor = new ImagePreprocessor(model.Device, Preprocess);
    }

    /// <summary>The model.</summary>
    public Litv2Model Model { get; }

    /// <summary>The class names.</summary>
    public ClassLabels Labels { get; }

    /// <summary>The preprocessing transform.</summary>
    public Preprocess Preprocess { get; }

    /// <summary>The transform on the model's device (decoded images in, the model's input out).</summary>
    public ImagePreprocessor Preprocessor { get; }

    /// <summary>Limits on the files read.</summary>
    public ImageLimits Limits { get; }

    /// <summary>
    /// Classifies the files <paramref name="paths"/>, <paramref name="batch"/> images per forward pass; one result per
    /// path, in order. Files are decoded one at a time, each checked (size, format, header limits) before its pixels
    /// are decoded and resized into its batch slot before the next is decoded, so host memory holds one decoded
    /// image at a time; a file that fails is that file's result, and the others are still classified.
    /// </summary>
    /// <exception cref="ArgumentException">topK or batch below 1, or a batch too large for the device (before any work).</exception>
    public IReadOnlyList<ImageClassification> Classify(IReadOnlyList<string> paths, int topK = 5, int batch = 8, IProgress<ClassifyProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        int side = Preprocess.CropSize;
        Model.EnsureFits(Math.Max(1, Math.Min(batch, paths.Count)), side, side);
        var results = new List<ImageClassification>(paths.Count);
        progress?.Report(new ClassifyProgress(0, paths.Count));
        for (int start = 0; start < paths.Count; start += batch)
        {
            int count = Math.Min(batch, paths.Count - start);
            // Lazily: each file is decoded when the batch asks for it, after the one before was resized into its slot.
            var files = Enumerable.Range(start, count).Select(i => DecodedImage.Load(i, paths[i], Limits));
            results.AddRange(ClassifyBatch(count, files, topK));
            progress?.Report(new ClassifyProgress(start + count, paths.Count));
        }
        return results;
    }

    /// <summary>
    /// Classifies one batch of <paramref name="count"/> files handed one at a time: each decoded image is resized into
    /// its slot of the device batch as it comes (and may be dropped before the next is decoded), then one forward pass
    /// runs the images that decoded. One result per file, in order: its top classes or its error.
    /// </summary>
    internal IReadOnlyList<ImageClassification> ClassifyBatch(int count, IEnumerable<DecodedImage> files, int topK)
    {
        var results = new List<ImageClassification?>(count);
        var classified = new List<(int Slot, string Path)>(count);
        using (var images = Preprocessor.Begin(count))
        {
            foreach (var file in files)
            {
                if (file.Image is null)
                {
                    results.Add(new ImageClassification(file.Path, [], file.Error));
                    continue;
                }
                images.Add(file.Image);
                classified.Add((results.Count, file.Path));
                results.Add(null);
            }
            if (classified.Count > 0)
            {
                using var input = images.Finish();
                using var logits = Model.Forward(input);
                var top = TopOfLogits(logits.ToArray(), classified.Count, Labels, topK);
                for (int k = 0; k < classified.Count; k++)
                {
                    results[classified[k].Slot] = new ImageClassification(classified[k].Path, top[k], null);
                }
            }
        }
        return results.Select(r => r!).ToList();
    }

    /// <summary>The <paramref name="topK"/> classes of each decoded image (one forward pass for all of them).</summary>
    public IReadOnlyList<IReadOnlyList<ClassScore>> Top(IReadOnlyList<RgbImage> images, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        using var input = Preprocessor.Run(images);
        using var logits = Model.Forward(input);
        return TopOfLogits(logits.ToArray(), images.Count, Labels, topK);
    }

    /// <summary>Softmax top-k of a row-major <paramref name="rows"/> × classes logits array (ties: lower index first).</summary>
    public static IReadOnlyList<IReadOnlyList<ClassScore>> TopOfLogits(float[] logits, int rows, ClassLabels labels, int topK)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        int classes = labels.Count;
        if (rows < 0 || logits.Length != (long)rows * classes)
        {
            throw new ArgumentException($"{logits.Length} logits are not {rows} row(s) of {classes} classes.", nameof(logits));
        }
        var result = new List<IReadOnlyList<ClassScore>>(rows);
        for (int r = 0; r < rows; r++)
        {
            var row = new ArraySegment<float>(logits, r * classes, classes);
            double max = row.Max();
            double sum = row.Sum(v => Math.Exp(v - max));
            result.Add(Enumerable.Range(0, classes).OrderByDescending(k => row[k]).ThenBy(k => k).Take(Math.Min(topK, classes))
                .Select(k => new ClassScore(k, labels[k], Math.Exp(row[k] - max) / sum, row[k])).ToList());
        }
        return result;
    }
}
