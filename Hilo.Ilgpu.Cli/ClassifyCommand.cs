using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Cli;

/// <summary>What <c>hilo classify</c> was asked to do (one property per option).</summary>
internal sealed record ClassifyOptions
{
    public required IReadOnlyList<string> Images { get; init; }
    public string Model { get; init; } = "litv2-s";
    public string? Weights { get; init; }
    public bool RandomWeights { get; init; }
    public int Seed { get; init; }
    public string? Device { get; init; }
    public int Batch { get; init; } = 8;
    public int Top { get; init; } = 5;
    public string? Json { get; init; }
    public string? Csv { get; init; }
    public string? Logits { get; init; }
    public string? Labels { get; init; }
    public string? Explain { get; init; }
    public int ExplainStage { get; init; } = 3;
    public int ExplainBlock { get; init; }
    public int ExplainHead { get; init; }
    public int? ExplainHiFiHead { get; init; }
    public int? ExplainLoFiHead { get; init; }
    public string ExplainScale { get; init; } = "own";
    public string? Kernels { get; init; }
    public string? CommandLine { get; init; }
    public string? Shard { get; init; }
    public bool Resume { get; init; }

    /// <summary>Called after each batch's results are in the journal: the seam tests interrupt a run through at an exact batch.</summary>
    public Action? AfterBatch { get; init; }
}

/// <summary>
/// <c>hilo classify IMAGE|DIR|GLOB … --model M --weights W</c>: decodes the images (untrusted: headers and limits
/// first), preprocesses them on the device as the official evaluation does, and prints the top-k ImageNet classes as a
/// table, or writes them as JSON/CSV; a progress bar on a terminal, the throughput at the end. A bad image gets its own
/// <c>error:</c> line and exit code 1, after the others are classified; the JSON/CSV files are written whole or not at all.
/// </summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "Image files (PNG, JPEG, BMP, GIF, WebP), folders (their images) or globs (photos/*.jpg).", Arity = ArgumentArity.OneOrMore };
        var model = CliOptions.ModelOption();
        var weights = CliOptions.WeightsOption();
        var random = new Option<bool>("--random-weights") { Description = "Deterministic random weights instead of --weights (for trying the command; the classes mean nothing)." };
        var seed = new Option<int>("--seed") { Description = "Seed of --random-weights.", DefaultValueFactory = _ => 0 };
        var device = CliOptions.DeviceOption();
        var batch = new Option<int>("--batch", "-b") { CustomParser = r => CliOptions.ParseWholeNumber(r) ?? 8, Description = "Images per forward pass.", DefaultValueFactory = _ => 8 };
        var top = new Option<int>("--top", "-k") { CustomParser = r => CliOptions.ParseWholeNumber(r) ?? 5, Description = "Classes listed per image.", DefaultValueFactory = _ => 5 };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON to FILE ('-' for stdout, instead of the table)." };
        var csv = new Option<string?>("--csv") { Description = "Write the results as CSV to FILE ('-' for stdout, instead of the table)." };
        var logits = new Option<string?>("--logits") { Description = "Also write every image's logits to FILE.npy (float32, images × classes, in the order classified; only when every image was classified)." };
        var labels = new Option<string?>("--labels") { Description = "Class names, one per line in class order (default: ImageNet-1k's for 1000 classes)." };
        var explain = new Option<string?>("--explain") { Description = "Write PNGs of the Hi-Fi and Lo-Fi attention and the token-merging offsets of each image into DIR (docs/explain.md)." };
        var explainStage = new Option<int>("--explain-stage") { Description = "HiLo stage drawn by --explain (3 or 4).", DefaultValueFactory = _ => 3 };
        var explainBlock = new Option<int>("--explain-block") { Description = "Block of that stage drawn by --explain (0-based).", DefaultValueFactory = _ => 0 };
        var explainHead = new Option<int>("--explain-head") { Description = "Head of each branch drawn by --explain (0-based), unless the next two say otherwise.", DefaultValueFactory = _ => 0 };
        var explainHiFiHead = new Option<int?>("--explain-hifi-head") { Description = "Hi-Fi head drawn by --explain (0-based among the block's Hi-Fi heads)." };
        var explainLoFiHead = new Option<int?>("--explain-lofi-head") { Description = "Lo-Fi head drawn by --explain (0-based among the block's Lo-Fi heads)." };
        var explainScale = new Option<string>("--explain-scale") { Description = "Colour scale of --explain's maps: own (each map from its minimum to its maximum) or shared (one scale per kind of map over every image, so colours compare).", DefaultValueFactory = _ => "own" };
        var kernels = CliOptions.KernelsOption();
        var shard = new Option<string?>("--shard") { Description = "Classify only part i of n (0 <= i < n) of the images: a contiguous range of the ordered list (docs/validate.md)." };
        var resume = new Option<bool>("--resume") { Description = "Go on from the journal FILE.journal of an interrupted run with the same --json or --csv FILE (written whenever one names a file)." };
        var command = new Command("classify", "Classify images (top-k ImageNet classes), optionally drawing what HiLo attends to.");
        command.Arguments.Add(images);
        foreach (var option in new Option[] { model, weights, random, seed, device, batch, top, json, csv, logits, labels, explain, explainStage, explainBlock, explainHead, explainHiFiHead, explainLoFiHead, explainScale, kernels, shard, resume })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellation) => Task.FromResult(Run(new ClassifyOptions
        {
            Images = parse.GetValue(images)!,
            Model = parse.GetValue(model)!,
            Weights = parse.GetValue(weights),
            RandomWeights = parse.GetValue(random),
            Seed = parse.GetValue(seed),
            Device = parse.GetValue(device),
            Batch = parse.GetValue(batch),
            Top = parse.GetValue(top),
            Json = parse.GetValue(json),
            Csv = parse.GetValue(csv),
            Logits = parse.GetValue(logits),
            Labels = parse.GetValue(labels),
            Explain = parse.GetValue(explain),
            ExplainStage = parse.GetValue(explainStage),
            ExplainBlock = parse.GetValue(explainBlock),
            ExplainHead = parse.GetValue(explainHead),
            ExplainHiFiHead = parse.GetValue(explainHiFiHead),
            ExplainLoFiHead = parse.GetValue(explainLoFiHead),
            ExplainScale = parse.GetValue(explainScale)!,
            Kernels = parse.GetValue(kernels),
            CommandLine = CliProvenance.CommandLine(parse),
            Shard = parse.GetValue(shard),
            Resume = parse.GetValue(resume),
        }, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellation)));
        return command;
    }

    /// <summary>
    /// Runs the command: 0 when every image was classified, 1 after <c>error:</c> lines otherwise. Cancelling
    /// <paramref name="cancellation"/> (Ctrl+C, SIGTERM) stops it after the batch on the device, its journal kept.
    /// </summary>
    public static int Run(ClassifyOptions options, TextWriter output, TextWriter error, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return BatchedRun.Report(error, () => Execute(options, output, error, cancellation).Select(r => r.Error));
    }

    private static IReadOnlyList<ImageClassification> Execute(ClassifyOptions o, TextWriter output, TextWriter log, CancellationToken cancellation)
    {
        var config = InferCommand.ResolveModel(o.Model);
        CheckOptions(o);
        var shard = o.Shard is null ? Validation.Shard.All : Validation.Shard.Parse(o.Shard);
        var listed = ImageSource.Expand(o.Images);
        var (first, end) = shard.Range(listed.Count);
        var paths = listed.Skip(first).Take(end - first).ToList();
        string? resultFile = new[] { o.Json, o.Csv }.FirstOrDefault(f => f is not null and not "-");
        string? journalPath = resultFile is null ? null : BatchedRun.JournalPath(resultFile);
        if (o.Explain is not null)
        {
            if (File.Exists(o.Explain))
            {
                throw new IOException($"--explain {o.Explain} is a file; give a folder for the pictures");
            }
            Directory.CreateDirectory(o.Explain);
        }
        // Before any work: every output can be written and none is an input — an image, the weights, the labels.
        CliOutputs.Check(
            [new("--json", o.Json, StdoutAllowed: true), new("--csv", o.Csv, StdoutAllowed: true), new("--logits", o.Logits), new("the journal", journalPath),
             .. o.Explain is null ? [] : ClassifyExplain.PicturePaths(paths, o.Explain).Select(p => new CliOutput("--explain", p))],
            [CliOutputs.ModelInput(o.Model), CliOutputs.Input("--weights", o.Weights), CliOutputs.Input("--labels", o.Labels),
             .. paths.Select(p => new CliInput("an input image", p)), CliOutputs.TuningCacheInput]);

        using var device = ComputeDevice.Open(o.Device ?? ComputeDevice.FastestDeviceId(), CliOptions.Family(o.Kernels));
        using var model = new Litv2Model(device, config);
        var labels = o.Labels is null ? ClassLabels.For(config.NumClasses) : ClassLabels.Read(o.Labels, config.NumClasses);
        var classifier = new ImageClassifier(model, labels);
        int side = classifier.Preprocess.CropSize;
        model.EnsureFits(Math.Max(1, Math.Min(o.Batch, paths.Count)), side, side);
        var explain = o.Explain is null ? null : ClassifyExplain.Options(o, config, side);
        if (o.RandomWeights)
        {
            model.InitializeRandom(o.Seed);
        }
        else
        {
            model.LoadWeights(o.Weights!);
        }
        var provenance = CliProvenance.ForModel(o.CommandLine, "classify", config, o.Weights, o.RandomWeights ? o.Seed : null,
            device, o.Kernels, RunProvenance.Describe(classifier.Preprocess));
        string part = o.Shard is null ? "" : $" (shard {shard}: {first}…{end - 1} of {listed.Count})";
        log.WriteLine($"{config.Name} on {device}; {paths.Count} image(s){part}; {classifier.Preprocess.Source}");

        // --logits needs every class's logit: ask for all of them, then keep --top for the other outputs.
        int ranked = o.Logits is null ? o.Top : config.NumClasses;
        var pipeline = new Validation.DecodePipeline(classifier.Limits, capacity: 2, decoders: ValidateOptions.DefaultDecoders);
        using var journal = journalPath is null ? null : Validation.ResultJournal.Open(journalPath,
            $"classify {string.Join(' ', listed.Select(Path.GetFullPath))}; {config.Name}; {BatchedRun.WeightsIdentity(provenance)}; labels {labels.Source}; shard {shard}; batch {o.Batch}; top {ranked}",
            o.Resume, labels);
        var run = CliProgress.Run(log, "classifying", paths.Count, progress =>
            BatchedRun.RunOrStop(classifier, paths, o.Batch, ranked, pipeline, journal, progress, cancellation, o.AfterBatch));
        var all = run.Results;
        var results = ranked == o.Top ? all : all.Select(r => r with { Top = r.Top.Take(o.Top).ToList() }).ToList();
        int classified = results.Count(r => r.Succeeded);
        double seconds = run.Stats.Elapsed.TotalSeconds;
        int ran = results.Count - run.Resumed;
        string resumed = run.Resumed > 0 ? $" ({run.Resumed} from the journal)" : "";
        log.WriteLine(classified == 0
            ? $"no image classified: {results.Count} error(s) below"
            : string.Create(CultureInfo.InvariantCulture,
                $"{classified} of {results.Count} image(s) classified{resumed}; {ran} in {seconds:0.00} s: {(seconds > 0 ? ran / seconds : 0):0.0} images/s on {device.Info.Id} (decoding overlapped with preprocessing and the model)"));

        if (o.Logits is not null)
        {
            WriteLogits(o.Logits, all, config.NumClasses, log);
        }
        bool table = true;
        if (o.Json is not null)
        {
            CliOutputs.WriteText(o.Json, output, w => WriteJson(w, results, config.Name, provenance));
            table &= o.Json != "-";
        }
        if (o.Csv is not null)
        {
            CliOutputs.WriteText(o.Csv, output, w => WriteCsv(w, results, provenance));
            table &= o.Csv != "-";
        }
        if (table)
        {
            WriteTable(output, results, provenance);
        }
        journal?.Delete();
        // After the results are out: the pictures take a pass per image, and nothing they do can lose the results.
        if (explain is not null)
        {
            ClassifyExplain.Write(classifier, results, explain, o.Explain!, log, o.RandomWeights, ClassifyExplain.SharedScale(o.ExplainScale));
        }
        return results;
    }

    // One row per input image or no file: rows that skip a failed image would be misread as the next image's.
    private static void WriteLogits(string path, IReadOnlyList<ImageClassification> all, int classes, TextWriter log)
    {
        int failed = all.Count(r => !r.Succeeded);
        if (failed > 0)
        {
            log.WriteLine($"error: --logits {path} not written: {failed} of {all.Count} image(s) failed, and the array must have one row per input image");
            return;
        }
        var data = new float[(long)all.Count * classes];
        for (int i = 0; i < all.Count; i++)
        {
            foreach (var c in all[i].Top)
            {
                data[(long)i * classes + c.Index] = c.Logit;
            }
        }
        IO.NpyFile.Write(path, new IO.HostTensor([all.Count, classes], data));
        log.WriteLine($"wrote logits [{all.Count}, {classes}] to {path}");
    }

    private static void CheckOptions(ClassifyOptions o)
    {
        CliOptions.CheckWeights(o.RandomWeights, o.Weights);
        if (o.Batch < 1)
        {
            throw new ArgumentException($"--batch must be at least 1, got {o.Batch}");
        }
        if (o.Top < 1)
        {
            throw new ArgumentException($"--top must be at least 1, got {o.Top}");
        }
        if (o.Resume && new[] { o.Json, o.Csv }.All(f => f is null or "-"))
        {
            throw new ArgumentException("--resume needs --json FILE or --csv FILE: the run's journal is FILE.journal, next to it");
        }
        if (o.Json == "-" && o.Csv == "-")
        {
            throw new ArgumentException("--json - and --csv - both ask for stdout: give one of them a file");
        }
    }

    /// <summary>
    /// One row per image and rank: image, rank, class index, probability, label; nothing when no image was classified
    /// (the errors say why), and a footer line when the weights are random.
    /// </summary>
    internal static void WriteTable(TextWriter output, IReadOnlyList<ImageClassification> results, RunProvenance provenance)
    {
        if (!results.Any(r => r.Succeeded))
        {
            return;
        }
        int width = Math.Min(48, results.Select(r => DisplayName(r.Path).Length).DefaultIfEmpty(5).Max());
        output.WriteLine($"{"image".PadRight(width)}  rank  class  probability  label");
        foreach (var r in results.Where(r => r.Succeeded))
        {
            string name = DisplayName(r.Path);
            name = name.Length > width ? "…" + name[^(width - 1)..] : name.PadRight(width);
            for (int k = 0; k < r.Top.Count; k++)
            {
                var c = r.Top[k];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(k == 0 ? name : new string(' ', width))}  {k + 1,4}  {c.Index,5}  {c.Probability,11:0.0000}  {c.Label}"));
            }
        }
        if (provenance.RandomWeights)
        {
            output.WriteLine($"({provenance.Weights}: random weights, the classes mean nothing; see hilo models for the official checkpoints)");
        }
    }

    private static string DisplayName(string path) => Path.GetRelativePath(Environment.CurrentDirectory, path);

    /// <summary><c>{"model", "provenance": {...}, "images": [{"path", "top": [...]} or {"path", "error"}]}</c>.</summary>
    internal static void WriteJson(TextWriter writer, IReadOnlyList<ImageClassification> results, string model, RunProvenance provenance)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            provenance.WriteJson(json);
            json.WriteStartArray("images");
            foreach (var r in results)
            {
                json.WriteStartObject();
                json.WriteString("path", r.Path);
                if (!r.Succeeded)
                {
                    json.WriteString("error", r.Error);
                }
                else
                {
                    WriteTop(json, r.Top);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>The CSV header: the results' columns, then the provenance's (<see cref="RunProvenance.Keys"/>) on every row.</summary>
    internal const string CsvHeader = "path,rank,class,label,probability,logit,error";

    /// <summary>One row per image and rank (one per failed image, with its error), each ending in the provenance columns.</summary>
    internal static void WriteCsv(TextWriter writer, IReadOnlyList<ImageClassification> results, RunProvenance provenance)
    {
        var columns = RunProvenance.ExtraColumns(CsvHeader);
        string tail = "," + string.Join(",", provenance.Values(columns).Select(CsvText.Cell));
        writer.WriteLine(CsvHeader + "," + string.Join(",", columns));
        foreach (var r in results)
        {
            if (!r.Succeeded)
            {
                writer.WriteLine($"{CsvText.Cell(r.Path)},,,,,,{CsvText.Cell(r.Error!)}{tail}");
                continue;
            }
            for (int k = 0; k < r.Top.Count; k++)
            {
                var c = r.Top[k];
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{CsvText.Cell(r.Path)},{k + 1},{c.Index},{CsvText.Cell(c.Label)},{c.Probability:R},{c.Logit:R},{tail}"));
            }
        }
    }

    /// <summary>The <c>"top"</c> array of one image's JSON (classify and infer write the same shape).</summary>
    internal static void WriteTop(Utf8JsonWriter json, IEnumerable<ClassScore> top)
    {
        json.WriteStartArray("top");
        foreach (var c in top)
        {
            json.WriteStartObject();
            json.WriteNumber("class", c.Index);
            json.WriteString("label", c.Label);
            json.WriteNumber("probability", c.Probability);
            json.WriteNumber("logit", c.Logit);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
