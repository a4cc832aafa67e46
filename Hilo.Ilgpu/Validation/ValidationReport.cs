using System.Globalization;
using System.Text.Json;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Validation;

/// <summary>
/// One image of a validation run: its position in the dataset's order, path, true class, and its top classes (most
/// likely first) or the error that kept it from being classified.
/// </summary>
public sealed record ValidatedImage(int Index, string Path, int Label, IReadOnlyList<int> Top, string? Error)
{
    /// <summary>Whether the image was classified (a bad image counts in no accuracy).</summary>
    public bool Succeeded => Error is null;
}

/// <summary>Accuracy of one class: its images classified and how many had the true class first / among the top 5.</summary>
public sealed record ClassAccuracy(int Class, string Name, int Images, int Top1, int Top5)
{
    /// <summary>Top-1 accuracy in percent (NaN without images).</summary>
    public double Top1Percent => Images == 0 ? double.NaN : 100.0 * Top1 / Images;

    /// <summary>Top-5 accuracy in percent (NaN without images).</summary>
    public double Top5Percent => Images == 0 ? double.NaN : 100.0 * Top5 / Images;
}

/// <summary>What a validation run covered: enough to check that shards belong together before merging them.</summary>
/// <param name="Dataset">The dataset folder (or labels CSV) as given.</param>
/// <param name="DatasetImages">Images in the whole dataset (all shards).</param>
/// <param name="Naming">How the dataset's classes were named.</param>
/// <param name="Model">The model's name.</param>
/// <param name="Classes">The model's classes.</param>
/// <param name="Weights">The weights file, or <c>random, seed N</c>.</param>
/// <param name="Shard">The part of the dataset this run did.</param>
public sealed record ValidationRun(string Dataset, int DatasetImages, string Naming, string Model, int Classes, string Weights, Shard Shard);

/// <summary>
/// Top-1 / top-5 accuracy of a validation run, as timm's <c>validate.py</c> reports it, over the images that were
/// classified: an image that could not be decoded is counted in <see cref="Errors"/> and in no denominator. Written as
/// JSON with every image's result (<see cref="WriteJson"/>), so that the JSON files of the shards of a dataset merge
/// exactly into the one-run result (<see cref="Merge"/>).
/// </summary>
public sealed class ValidationReport
{
    /// <summary>The report of <paramref name="images"/> (sorted by <see cref="ValidatedImage.Index"/>).</summary>
    public ValidationReport(IEnumerable<ValidatedImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        Images = [.. images.OrderBy(i => i.Index)];
        var good = Images.Where(i => i.Succeeded).ToList();
        Classified = good.Count;
        Errors = Images.Count - good.Count;
        Top1 = good.Count(IsTop1);
        Top5 = good.Count(IsTop5);
    }

    /// <summary>Every image, in the dataset's order.</summary>
    public IReadOnlyList<ValidatedImage> Images { get; }

    /// <summary>Images classified (the accuracies' denominator).</summary>
    public int Classified { get; }

    /// <summary>Images that could not be decoded (in no denominator).</summary>
    public int Errors { get; }

    /// <summary>Images whose first class is the true one.</summary>
    public int Top1 { get; }

    /// <summary>Images with the true class among their first five (among all, for a model of fewer classes).</summary>
    public int Top5 { get; }

    /// <summary>Top-1 accuracy in percent (NaN when nothing was classified).</summary>
    public double Top1Percent => Classified == 0 ? double.NaN : 100.0 * Top1 / Classified;

    /// <summary>Top-5 accuracy in percent (NaN when nothing was classified).</summary>
    public double Top5Percent => Classified == 0 ? double.NaN : 100.0 * Top5 / Classified;

    /// <summary>Whether <paramref name="image"/>'s first class is its true class.</summary>
    public static bool IsTop1(ValidatedImage image) => image is { Succeeded: true, Top.Count: > 0 } && image.Top[0] == image.Label;

    /// <summary>Whether <paramref name="image"/>'s true class is among its first five.</summary>
    public static bool IsTop5(ValidatedImage image) => image is { Succeeded: true } && image.Top.Take(5).Contains(image.Label);

    /// <summary>Accuracy of each class that has images, by class index.</summary>
    public IReadOnlyList<ClassAccuracy> PerClass(ClassLabels labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return [.. Images.Where(i => i.Succeeded).GroupBy(i => i.Label).OrderBy(g => g.Key)
            .Select(g => new ClassAccuracy(g.Key, labels[g.Key], g.Count(), g.Count(IsTop1), g.Count(IsTop5)))];
    }

    /// <summary>
    /// The per-class CSV: <c>class,name,images,top1,top5,top1_accuracy,top5_accuracy</c> (accuracies in percent), then
    /// <paramref name="provenance"/>'s columns (<see cref="RunProvenance.ExtraColumns"/>) on every row when given.
    /// </summary>
    public void WritePerClassCsv(TextWriter writer, ClassLabels labels, RunProvenance? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        const string Header = "class,name,images,top1,top5,top1_accuracy,top5_accuracy";
        var columns = provenance is null ? [] : RunProvenance.ExtraColumns(Header);
        string tail = provenance is null ? "" : "," + string.Join(",", provenance.Values(columns).Select(CsvText.Cell));
        writer.WriteLine(provenance is null ? Header : Header + "," + string.Join(",", columns));
        foreach (var c in PerClass(labels))
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Class},{CsvText.Cell(c.Name)},{c.Images},{c.Top1},{c.Top5},{c.Top1Percent:0.###},{c.Top5Percent:0.###}{tail}"));
        }
    }

    /// <summary>
    /// Writes the run and the report as JSON: the run's fields, the counts and accuracies, <paramref name="extra"/>'s
    /// fields (throughput, provenance…), and <c>results</c>: every image's index, path, label, top classes or error.
    /// </summary>
    public void WriteJson(Stream stream, ValidationRun run, Action<Utf8JsonWriter>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(run);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("dataset", run.Dataset);
        json.WriteNumber("dataset_images", run.DatasetImages);
        json.WriteString("naming", run.Naming);
        json.WriteString("model", run.Model);
        json.WriteNumber("classes", run.Classes);
        json.WriteString("weights", run.Weights);
        json.WriteString("shard", run.Shard.ToString());
        json.WriteNumber("images", Images.Count);
        json.WriteNumber("classified", Classified);
        json.WriteNumber("errors", Errors);
        json.WriteNumber("top1", Top1);
        json.WriteNumber("top5", Top5);
        WritePercent(json, "top1_accuracy", Top1Percent);
        WritePercent(json, "top5_accuracy", Top5Percent);
        extra?.Invoke(json);
        json.WriteStartArray("results");
        foreach (var i in Images)
        {
            json.WriteStartObject();
            json.WriteNumber("index", i.Index);
            json.WriteString("path", i.Path);
            json.WriteNumber("label", i.Label);
            if (i.Error is not null)
            {
                json.WriteString("error", i.Error);
            }
            else
            {
                json.WriteStartArray("top");
                foreach (int k in i.Top)
                {
                    json.WriteNumberValue(k);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Reads a JSON file <see cref="WriteJson"/> wrote.</summary>
    /// <exception cref="ArgumentException">Not such a file (a field missing or of the wrong type); the message names it.</exception>
    public static (ValidationRun Run, ValidationReport Report) ReadJson(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var run = new ValidationRun(root.GetProperty("dataset").GetString()!, root.GetProperty("dataset_images").GetInt32(),
                root.GetProperty("naming").GetString()!, root.GetProperty("model").GetString()!, root.GetProperty("classes").GetInt32(), root.GetProperty("weights").GetString()!,
                Shard.Parse(root.GetProperty("shard").GetString()!));
            var images = root.GetProperty("results").EnumerateArray().Select(r => new ValidatedImage(
                r.GetProperty("index").GetInt32(), r.GetProperty("path").GetString()!, r.GetProperty("label").GetInt32(),
                r.TryGetProperty("top", out var top) ? [.. top.EnumerateArray().Select(t => t.GetInt32())] : [],
                r.TryGetProperty("error", out var error) ? error.GetString() : null));
            return (run, new ValidationReport(images));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new ArgumentException($"{path} is not a `hilo validate --json` file ({e.Message})", e);
        }
    }

    /// <summary>
    /// Merges the shards of one dataset into the report of one run over it: the shards must be of the same dataset,
    /// model and weights, cut into the same number of shards, each given once and all present, each holding exactly
    /// its range of the dataset.
    /// </summary>
    /// <exception cref="ArgumentException">The parts do not make one whole; the message says which and why.</exception>
    public static (ValidationRun Run, ValidationReport Report) Merge(IReadOnlyList<(string Name, ValidationRun Run, ValidationReport Report)> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            throw new ArgumentException("nothing to merge");
        }
        var first = parts[0];
        foreach (var part in parts.Skip(1))
        {
            var (a, b) = (first.Run, part.Run);
            string? differs = a.Dataset != b.Dataset || a.DatasetImages != b.DatasetImages ? $"dataset {a.Dataset} ({a.DatasetImages} images) vs {b.Dataset} ({b.DatasetImages} images)"
                : a.Model != b.Model || a.Classes != b.Classes ? $"model {a.Model} ({a.Classes} classes) vs {b.Model} ({b.Classes} classes)"
                : a.Weights != b.Weights ? $"weights {a.Weights} vs {b.Weights}"
                : a.Naming != b.Naming ? $"class naming {a.Naming} vs {b.Naming}"
                : a.Shard.Count != b.Shard.Count ? $"shard {a.Shard} vs {b.Shard} (cut into different numbers of shards)"
                : null;
            if (differs is not null)
            {
                throw new ArgumentException($"{first.Name} and {part.Name} are not shards of one run: {differs}");
            }
        }
        int count = first.Run.Shard.Count;
        var duplicate = parts.GroupBy(p => p.Run.Shard.Index).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"shard {duplicate.First().Run.Shard} is given twice ({string.Join(", ", duplicate.Select(p => p.Name))})");
        }
        var missing = Enumerable.Range(0, count).Except(parts.Select(p => p.Run.Shard.Index)).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"shard(s) {string.Join(", ", missing.Select(m => $"{m}/{count}"))} missing: merging needs all {count}");
        }
        foreach (var part in parts)
        {
            var (start, end) = part.Run.Shard.Range(part.Run.DatasetImages);
            if (!part.Report.Images.Select(i => i.Index).SequenceEqual(Enumerable.Range(start, end - start)))
            {
                throw new ArgumentException($"{part.Name} (shard {part.Run.Shard}) does not hold exactly images {start}…{end - 1} of the dataset: an unfinished run?");
            }
        }
        return (first.Run with { Shard = Shard.All }, new ValidationReport(parts.SelectMany(p => p.Report.Images)));
    }

    private static void WritePercent(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsNaN(value))
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteNumber(name, value);
        }
    }
}
