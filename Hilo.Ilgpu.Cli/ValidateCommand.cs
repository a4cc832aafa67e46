using System.CommandLine;
using System.Globalization;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Validation;

namespace Hilo.Ilgpu.Cli;

/// <summary>What <c>hilo validate</c> was asked to do (one property per option).</summary>
internal sealed record ValidateOptions
{
    public string? Dataset { get; init; }
    public string Model { get; init; } = "litv2-s";
    public string? Weights { get; init; }
    public bool RandomWeights { get; init; }
    public int Seed { get; init; }
    public string? Device { get; init; }
    public int Batch { get; init; } = 32;
    public string? LabelsCsv { get; init; }
    public string? Json { get; init; }
    public string? PerClass { get; init; }
    public string? Shard { get; init; }
    public bool Resume { get; init; }

    /// <summary>Called after each batch's results are in the journal: the seam tests interrupt a run through at an exact batch.</summary>
    public Action? AfterBatch { get; init; }
    public IReadOnlyList<string> Merge { get; init; } = [];
    public bool NoOverlap { get; init; }
    public int Decoders { get; init; } = DefaultDecoders;
    public string? Kernels { get; init; }
    public string? CommandLine { get; init; }

    /// <summary>Decoding threads by default: the cores less one for the thread that drives the device (at least 1).</summary>
    public static int DefaultDecoders => Math.Max(1, Environment.ProcessorCount - 1);
}

/// <summary>
/// <c>hilo validate DIR</c>, as timm's <c>validate.py</c>: top-1 / top-5 accuracy of a model over an ImageFolder
/// (class folders named by synset or class index, or a <c>--labels-csv</c>), decoding overlapped with the forward
/// passes; <c>--shard i/n</c> and <c>--resume</c> for job arrays, <c>--merge</c> to join the shards' JSON files
/// (docs/validate.md).
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string?>("dataset") { Description = "The dataset: a folder with one sub-folder per class (synset ids such as n01440764, or class indices 0, 1, …), or the folder --labels-csv paths start from.", Arity = ArgumentArity.ZeroOrOne };
        var model = CliOptions.ModelOption();
        var weights = CliOptions.WeightsOption();
        var random = new Option<bool>("--random-weights") { Description = "Deterministic random weights instead of --weights (for trying the command; the accuracy means nothing)." };
        var seed = new Option<int>("--seed") { Description = "Seed of --random-weights.", DefaultValueFactory = _ => 0 };
        var device = CliOptions.DeviceOption();
        var batch = new Option<int>("--batch", "-b") { CustomParser = r => CliOptions.ParseWholeNumber(r) ?? 32, Description = "Images per forward pass.", DefaultValueFactory = _ => 32 };
        var labelsCsv = new Option<string?>("--labels-csv") { Description = "path,label rows (label: class index or synset; paths relative to DATASET) instead of class folders." };
        var json = new Option<string?>("--json") { Description = "Write the accuracy and every image's result as JSON to FILE ('-' for stdout); --merge reads these." };
        var perClass = new Option<string?>("--per-class") { Description = "Write each class's top-1/top-5 accuracy as CSV to FILE ('-' for stdout)." };
        var shard = new Option<string?>("--shard") { Description = "Validate only part i of n (0 <= i < n) of the dataset: a contiguous range of its ordered images (docs/validate.md)." };
        var resume = new Option<bool>("--resume") { Description = "Go on from the journal FILE.journal of an interrupted run with the same --json FILE (the journal is written whenever --json names a file)." };
        var merge = new Option<string[]>("--merge") { Description = "Merge the --json files of all shards of a run (instead of validating).", AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };
        var noOverlap = new Option<bool>("--no-overlap") { Description = "Decode only the batch the model is on, not ahead of it (to measure what decoding ahead gains)." };
        var decoders = new Option<int>("--decoders") { CustomParser = r => CliOptions.ParseWholeNumber(r) ?? ValidateOptions.DefaultDecoders, Description = "Threads decoding images.", DefaultValueFactory = _ => ValidateOptions.DefaultDecoders };
        var kernels = CliOptions.KernelsOption();
        var command = new Command("validate", "Top-1/top-5 accuracy over an ImageFolder (as timm's validate.py), shardable and resumable.");
        command.Arguments.Add(dataset);
        foreach (var option in new Option[] { model, weights, random, seed, device, batch, labelsCsv, json, perClass, shard, resume, merge, noOverlap, decoders, kernels })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellation) => Task.FromResult(Run(new ValidateOptions
        {
            Dataset = parse.GetValue(dataset),
            Model = parse.GetValue(model)!,
            Weights = parse.GetValue(weights),
            RandomWeights = parse.GetValue(random),
            Seed = parse.GetValue(seed),
            Device = parse.GetValue(device),
            Batch = parse.GetValue(batch),
            LabelsCsv = parse.GetValue(labelsCsv),
            Json = parse.GetValue(json),
            PerClass = parse.GetValue(perClass),
            Shard = parse.GetValue(shard),
            Resume = parse.GetValue(resume),
            Merge = parse.GetValue(merge) ?? [],
            NoOverlap = parse.GetValue(noOverlap),
            Decoders = parse.GetValue(decoders),
            Kernels = parse.GetValue(kernels),
            CommandLine = CliProvenance.CommandLine(parse),
        }, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellation)));
        return command;
    }

    /// <summary>
    /// Runs the command: 0 when every image was classified, 1 after <c>error:</c> lines otherwise. Cancelling
    /// <paramref name="cancellation"/> (Ctrl+C, SIGTERM) stops it after the batch on the device, its journal kept.
    /// </summary>
    public static int Run(ValidateOptions options, TextWriter output, TextWriter error, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return BatchedRun.Report(error, () =>
            (options.Merge.Count > 0 ? MergeShards(options, output, error) : Execute(options, output, error, cancellation)).Images.Select(i => i.Error));
    }

    private static ValidationReport Execute(ValidateOptions o, TextWriter output, TextWriter log, CancellationToken cancellation)
    {
        var config = InferCommand.ResolveModel(o.Model);
        CheckOptions(o);
        var shard = o.Shard is null ? Validation.Shard.All : Validation.Shard.Parse(o.Shard);
        var dataset = o.LabelsCsv is null ? ImageFolder.Open(o.Dataset!, config.NumClasses) : ImageFolder.FromLabelsCsv(o.LabelsCsv, o.Dataset!, config.NumClasses);
        var (start, end) = shard.Range(dataset.Images.Count);
        var images = dataset.Images.Skip(start).Take(end - start).ToList();
        string? journalPath = o.Json is null or "-" ? null : BatchedRun.JournalPath(o.Json);
        // Before any work: every output can be written and none is an input.
        CliOutputs.Check(
            [new("--json", o.Json, StdoutAllowed: true), new("--per-class", o.PerClass, StdoutAllowed: true), new("the journal", journalPath)],
            [CliOutputs.ModelInput(o.Model), CliOutputs.Input("--weights", o.Weights), CliOutputs.Input("--labels-csv", o.LabelsCsv),
             .. images.Select(i => new CliInput("an input image", i.Path)), CliOutputs.TuningCacheInput]);

        using var device = ComputeDevice.Open(o.Device ?? ComputeDevice.FastestDeviceId(), CliOptions.Family(o.Kernels));
        using var model = new Litv2Model(device, config);
        var labels = ClassLabels.For(config.NumClasses);
        var classifier = new ImageClassifier(model, labels);
        int side = classifier.Preprocess.CropSize;
        model.EnsureFits(Math.Max(1, Math.Min(o.Batch, images.Count)), side, side);
        if (o.RandomWeights)
        {
            model.InitializeRandom(o.Seed);
        }
        else
        {
            model.LoadWeights(o.Weights!);
        }
        var provenance = CliProvenance.ForModel(o.CommandLine, "validate", config, o.Weights, o.RandomWeights ? o.Seed : null,
            device, o.Kernels, RunProvenance.Describe(classifier.Preprocess));
        var run = new ValidationRun(o.LabelsCsv ?? o.Dataset!, dataset.Images.Count, dataset.Naming.ToString().ToLowerInvariant(), config.Name, config.NumClasses,
            o.RandomWeights ? $"random, seed {o.Seed}" : o.Weights!, shard);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{config.Name} on {device}; {images.Count} image(s) of {dataset.Images.Count} (shard {shard}: {start}…{end - 1}) in {run.Dataset} ({run.Naming}); {classifier.Preprocess.Source}"));

        var pipeline = new DecodePipeline(classifier.Limits, capacity: 2, decoders: o.Decoders, overlap: !o.NoOverlap);
        using var journal = journalPath is null ? null : ResultJournal.Open(journalPath,
            $"validate {Path.GetFullPath(run.Dataset)} ({dataset.Images.Count} images); {config.Name}; {BatchedRun.WeightsIdentity(provenance)}; shard {shard}; batch {o.Batch}",
            o.Resume, labels);
        int topK = Math.Min(5, config.NumClasses);
        var result = CliProgress.Run(log, "validating", images.Count, progress =>
            BatchedRun.RunOrStop(classifier, [.. images.Select(i => i.Path)], o.Batch, topK, pipeline, journal, progress, cancellation, o.AfterBatch));
        log.WriteLine(BatchedRun.Throughput(result, pipeline, device.Info.Id));

        var report = new ValidationReport(result.Results.Select((r, k) => new ValidatedImage(
            start + k, r.Path, images[k].Label, [.. r.Top.Select(c => c.Index)], r.Error)));
        WriteOutputs(o, output, report, run, labels, provenance, json =>
        {
            provenance.WriteJson(json);
            json.WriteStartObject("throughput");
            json.WriteNumber("images", result.Results.Count - result.Resumed);
            json.WriteNumber("seconds", result.Stats.Elapsed.TotalSeconds);
            json.WriteNumber("images_per_second", result.Stats.Elapsed.TotalSeconds > 0 ? (result.Results.Count - result.Resumed) / result.Stats.Elapsed.TotalSeconds : 0);
            json.WriteBoolean("overlap", pipeline.Overlap);
            json.WriteNumber("decoders", pipeline.Decoders);
            json.WriteNumber("model_waited_seconds", result.Stats.ConsumerWaited.TotalSeconds);
            json.WriteString("device", device.Info.Id);
            json.WriteEndObject();
        });
        journal?.Delete();
        return report;
    }

    private static ValidationReport MergeShards(ValidateOptions o, TextWriter output, TextWriter log)
    {
        if (o.Dataset is not null || o.Shard is not null || o.Resume || o.LabelsCsv is not null)
        {
            throw new ArgumentException("--merge reads the shards' --json files only: give no DATASET, --shard, --resume or --labels-csv with it");
        }
        CliOutputs.Check([new("--json", o.Json, StdoutAllowed: true), new("--per-class", o.PerClass, StdoutAllowed: true)],
            o.Merge.Select(m => CliOutputs.Input("--merge", m)));
        CheckStdout(o);
        var parts = o.Merge.Select(m => File.Exists(m) ? m : throw new FileNotFoundException($"--merge: no such file {m}", m))
            .Select(m => { var (run, report) = ValidationReport.ReadJson(m); return (m, run, report); }).ToList();
        var (merged, whole) = ValidationReport.Merge(parts);
        var shards = o.Merge.Select(ShardProvenance).ToList();
        var hashes = shards.Select(p => p?.WeightsSha256).Distinct().ToList();
        if (hashes.Count > 1)
        {
            throw new ArgumentException($"--merge: the shards ran different weights files (SHA-256 {string.Join(" vs ", hashes.Select(h => h ?? "unknown"))}): not shards of one run");
        }
        var provenance = new RunProvenance
        {
            Command = o.CommandLine ?? "hilo validate --merge",
            Model = merged.Model,
            WeightsFile = shards[0]?.WeightsFile ?? merged.Weights,
            WeightsSha256 = hashes[0],
            RandomSeed = shards[0]?.RandomSeed,
            Device = string.Join(", ", shards.Select(p => p?.Device).Where(d => d is not null).Distinct()),
            Kernels = shards[0]?.Kernels ?? "auto",
            Preprocessing = shards[0]?.Preprocessing,
        };
        log.WriteLine($"merged {parts.Count} shard(s) of {merged.Dataset}: {whole.Images.Count} image(s)");
        WriteOutputs(o, output, whole, merged, ClassLabels.For(merged.Classes), provenance, json =>
        {
            provenance.WriteJson(json);
            json.WriteStartArray("merged_from");
            foreach (string file in o.Merge)
            {
                json.WriteStringValue(file);
            }
            json.WriteEndArray();
        });
        return whole;
    }

    // The provenance a shard's JSON file carries (null when it has none).
    private static RunProvenance? ShardProvenance(string file)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(file));
        if (!document.RootElement.TryGetProperty("provenance", out var p) || p.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return null;
        }
        string? Text(string key) => p.TryGetProperty(key, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
        string? weights = Text("weights");
        bool random = p.TryGetProperty("random_weights", out var r) && r.ValueKind == System.Text.Json.JsonValueKind.True;
        return new RunProvenance
        {
            Command = Text("command") ?? "",
            WeightsFile = random ? null : weights,
            WeightsSha256 = Text("weights_sha256"),
            RandomSeed = random && weights is not null && int.TryParse(weights.AsSpan(weights.LastIndexOf(' ') + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed) ? seed : null,
            Device = Text("device"),
            Kernels = Text("kernels") ?? "auto",
            Preprocessing = Text("preprocessing"),
        };
    }

    private static void WriteOutputs(ValidateOptions o, TextWriter output, ValidationReport report, ValidationRun run, ClassLabels labels, RunProvenance provenance, Action<System.Text.Json.Utf8JsonWriter> extra)
    {
        bool summary = true;
        if (o.Json is not null)
        {
            CliOutputs.WriteUtf8(o.Json, output, stream => report.WriteJson(stream, run, extra));
            summary &= o.Json != "-";
        }
        if (o.PerClass is not null)
        {
            CliOutputs.WriteText(o.PerClass, output, w => report.WritePerClassCsv(w, labels, provenance));
            summary &= o.PerClass != "-";
        }
        if (summary)
        {
            WriteSummary(output, report, run);
        }
    }

    /// <summary>The lines printed: accuracies (over the images classified), and the images left out.</summary>
    internal static void WriteSummary(TextWriter output, ValidationReport report, ValidationRun run)
    {
        output.WriteLine($"{run.Model} on {run.Dataset}, shard {run.Shard}: {report.Classified} image(s) classified");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"top-1 {report.Top1Percent,7:0.000} %  ({report.Top1} of {report.Classified})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"top-5 {report.Top5Percent,7:0.000} %  ({report.Top5} of {report.Classified})"));
        if (report.Errors > 0)
        {
            output.WriteLine($"{report.Errors} image(s) could not be read (errors below; counted in neither accuracy)");
        }
    }

    private static void CheckOptions(ValidateOptions o)
    {
        if (o.Dataset is null)
        {
            throw new ArgumentException("give the dataset folder (one sub-folder per class), or --merge with the shards' JSON files");
        }
        CliOptions.CheckWeights(o.RandomWeights, o.Weights);
        if (o.Batch < 1)
        {
            throw new ArgumentException($"--batch must be at least 1, got {o.Batch}");
        }
        if (o.Decoders < 1)
        {
            throw new ArgumentException($"--decoders must be at least 1, got {o.Decoders}");
        }
        if (o.Resume && o.Json is null or "-")
        {
            throw new ArgumentException("--resume needs --json FILE: the run's journal is FILE.journal, next to it");
        }
        CheckStdout(o);
    }

    private static void CheckStdout(ValidateOptions o)
    {
        if (o.Json == "-" && o.PerClass == "-")
        {
            throw new ArgumentException("--json - and --per-class - both ask for stdout: give one of them a file");
        }
    }
}
