using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Cli;

/// <summary>What <c>hilo infer</c> was asked to do (one property per option).</summary>
internal sealed record InferOptions
{
    public required string Model { get; init; }
    public string? Weights { get; init; }
    public string? Input { get; init; }
    public string? Output { get; init; }
    public string? Device { get; init; }
    public int? Batch { get; init; }
    public bool RandomWeights { get; init; }
    public int Seed { get; init; }
    public int Benchmark { get; init; }
    public bool Profile { get; init; }
    public bool ProfileShapes { get; init; }
    public string? Kernels { get; init; }
    public string? Json { get; init; }
    public string? Labels { get; init; }
    public string? CommandLine { get; init; }
}

/// <summary>
/// <c>hilo infer --model M --weights FILE --input X.npy [--output Y.npy] [--device D] [--batch N]</c>: LITv2 logits
/// for a float32 NCHW batch of images. Also <c>--random-weights</c> and <c>--benchmark RUNS</c> for timing without a
/// checkpoint (docs/litv2.md). Every bad input ends in one line <c>error: …</c> on stderr and exit code 1; the output
/// file is written atomically, only after every image succeeded.
/// </summary>
internal static partial class InferCommand
{
    /// <summary>Images per forward pass when <c>--batch</c> is not given.</summary>
    public const int DefaultBatch = 8;

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "litv2-s, litv2-m, litv2-b, litv2-b-384, or a CONFIG.json file.", Required = true };
        var weights = CliOptions.WeightsOption();
        var input = new Option<string?>("--input", "-i") { Description = "Images: float32 .npy, NCHW (B × 3 × H × W), normalised as in training." };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the logits (.npy, float32, B × classes); without it the top-5 classes per image are printed." };
        var device = CliOptions.DeviceOption();
        var batch = new Option<int?>("--batch", "-b") { CustomParser = CliOptions.ParseWholeNumber, Description = $"Images per forward pass (default {DefaultBatch}; 1 with --benchmark and no --input)." };
        var random = new Option<bool>("--random-weights") { Description = "Use deterministic random weights instead of --weights (for timing)." };
        var seed = new Option<int>("--seed") { Description = "Seed of --random-weights and of the benchmark's random images.", DefaultValueFactory = _ => 0 };
        var benchmark = new Option<int>("--benchmark") { Description = "Time RUNS forward passes of one batch after one warm-up and print the time per image (random images at img_size without --input).", DefaultValueFactory = _ => 0 };
        var profile = new Option<bool>("--profile") { Description = "With --benchmark: also time every kernel launch (waiting for each) and print the slowest kernels." };
        var profileShapes = new Option<bool>("--profile-shapes") { Description = "With --benchmark: --profile with each shape of a kernel on its own line (a GEMM's MxKxN, a launch's grid x group), GFLOP/s and % of the measured FMA peak where the op states its FLOPs." };
        var json = new Option<string?>("--json") { Description = "Write the top-5 classes per image and how they were made (model, weights and SHA-256, device, ...) as JSON to FILE ('-' for stdout, instead of the printed classes)." };
        var labels = new Option<string?>("--labels") { Description = "Class names, one per line in class order (default: ImageNet-1k's for 1000 classes)." };
        var command = new Command("infer", "Run a LITv2 classifier on a batch of images (.npy) and write or print the logits.");
        var kernels = CliOptions.KernelsOption();
        foreach (var option in new Option[] { model, weights, input, output, device, batch, random, seed, benchmark, profile, profileShapes, json, labels, kernels })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => Run(new InferOptions
        {
            Model = parse.GetValue(model)!,
            Weights = parse.GetValue(weights),
            Input = parse.GetValue(input),
            Output = parse.GetValue(output),
            Device = parse.GetValue(device),
            Batch = parse.GetValue(batch),
            RandomWeights = parse.GetValue(random),
            Seed = parse.GetValue(seed),
            Benchmark = parse.GetValue(benchmark),
            Profile = parse.GetValue(profile) || parse.GetValue(profileShapes),
            ProfileShapes = parse.GetValue(profileShapes),
            Kernels = parse.GetValue(kernels),
            Json = parse.GetValue(json),
            Labels = parse.GetValue(labels),
            CommandLine = CliProvenance.CommandLine(parse),
        }, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Runs the command; returns the exit code (0, or 1 after printing one <c>error:</c> line to <paramref name="error"/>).</summary>
    public static int Run(InferOptions options, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            Execute(options, output, error);
            return 0;
        }
        catch (Exception e) when (IsUserError(e))
        {
            error.WriteLine("error: " + OneLine(e.Message));
            return 1;
        }
    }

    private static void Execute(InferOptions o, TextWriter output, TextWriter log)
    {
        var config = ResolveModel(o.Model);
        CheckOptions(o);
        // Before any work: the output can be written and is none of the inputs (docs/errors.md, "Outputs").
        CliOutputs.Check([new("--output", o.Output), new("--json", o.Json, StdoutAllowed: true)],
            [CliOutputs.ModelInput(o.Model), CliOutputs.Input("--weights", o.Weights), CliOutputs.Input("--input", o.Input),
             CliOutputs.Input("--labels", o.Labels), CliOutputs.TuningCacheInput]);
        var labels = o.Labels is null ? ClassLabels.For(config.NumClasses) : ClassLabels.Read(o.Labels, config.NumClasses);
        HostTensor? images = o.Input is null ? null : ReadImages(o.Input, config);
        if (!o.RandomWeights)
        {
            CheckWeightsPath(o.Weights!);
        }

        string deviceId = o.Device ?? ComputeDevice.FastestDeviceId();
        using var device = ComputeDevice.Open(deviceId, CliOptions.Family(o.Kernels));
        using var model = new Litv2Model(device, config);
        // Sizes before weights and images reach the device: a batch the device cannot hold, a tensor past 32-bit
        // indexing, or a window larger than its stage's map is one clear error now.
        int height = images?.Shape[2] ?? config.ImgSize, width = images?.Shape[3] ?? config.ImgSize;
        int largestBatch = o.Batch ?? (images is null ? 1 : DefaultBatch);
        model.EnsureFits(images is null ? largestBatch : Math.Min(largestBatch, images.Shape[0]), height, width);
        if (o.RandomWeights)
        {
            model.InitializeRandom(o.Seed);
        }
        else
        {
            // Keys and shapes are checked against the model before any tensor is read, and only the model's are read.
            model.LoadWeights(o.Weights!);
        }
        string parameters = model.ParameterCount.ToString("N0", CultureInfo.InvariantCulture);
        log.WriteLine($"{config.Name} ({parameters} parameters) on {device}");

        if (o.Benchmark > 0)
        {
            Benchmark(model, images, o, output);
            if (o.Output is null && o.Json is null)
            {
                return;
            }
            images ??= RandomImages(o.Batch ?? 1, config.ImgSize, o.Seed);
        }
        if (images is null)
        {
            throw new ArgumentException("--input is required (a float32 NCHW .npy file)");
        }

        int batch = o.Batch ?? DefaultBatch;
        var timer = Stopwatch.StartNew();
        var logits = Classify(model, images, batch);
        timer.Stop();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{images.Shape[0]} image(s) of {images.Shape[2]}×{images.Shape[3]} in batches of {batch}: {timer.Elapsed.TotalMilliseconds:0.0} ms"));
        var provenance = CliProvenance.ForModel(o.CommandLine, "infer", config, o.Weights, o.RandomWeights ? o.Seed : null, device, o.Kernels,
            o.Input is null
                ? string.Create(CultureInfo.InvariantCulture, $"none: random images, uniform in [-2, 2), seed {o.Seed}")
                : $"none here: {o.Input} as given (float32 NCHW, already normalised)");
        if (o.Output is not null)
        {
            NpyFile.Write(o.Output, logits);
            log.WriteLine($"wrote logits {logits.ShapeText} to {o.Output}");
        }
        if (o.Json is not null)
        {
            CliOutputs.WriteUtf8(o.Json, output, s => WriteJson(s, logits, labels, o, provenance));
        }
        if (o.Output is null && o.Json != "-")
        {
            PrintTop5(logits, labels, output);
            if (provenance.RandomWeights)
            {
                output.WriteLine($"({provenance.Weights}: random weights, the classes mean nothing; see hilo models for the official checkpoints)");
            }
        }
    }

    /// <summary><c>{"model", "provenance": {...}, "input", "output", "logits_shape", "images": [{"index", "top": [...]}]}</c>: the top-5 of every image.</summary>
    internal static void WriteJson(Stream stream, HostTensor logits, ClassLabels labels, InferOptions o, RunProvenance provenance)
    {
        int n = logits.Shape[0];
        var top = Imaging.ImageClassifier.TopOfLogits(logits.Data, n, labels, Math.Min(5, logits.Shape[1]));
        using var json = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("model", provenance.Model);
        provenance.WriteJson(json);
        json.WriteString("input", o.Input);
        json.WriteString("output", o.Output);
        json.WriteStartArray("logits_shape");
        foreach (int d in logits.Shape)
        {
            json.WriteNumberValue(d);
        }
        json.WriteEndArray();
        json.WriteStartArray("images");
        for (int i = 0; i < n; i++)
        {
            json.WriteStartObject();
            json.WriteNumber("index", i);
            ClassifyCommand.WriteTop(json, top[i]);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A preset name, or a path to a CONFIG.json file.</summary>
    internal static Litv2Config ResolveModel(string model)
    {
        if (Litv2Config.IsPreset(model))
        {
            return Litv2Config.Preset(model);
        }
        if (File.Exists(model))
        {
            return Litv2ConfigJson.Read(model);
        }
        string hint = model.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? $"config file not found: {model}" : $"unknown model '{model}'";
        throw new ArgumentException($"{hint}: use {string.Join(", ", Litv2Config.PresetNames)} or the path of a CONFIG.json file");
    }

    private static void CheckOptions(InferOptions o)
    {
        if (o.RandomWeights && o.Weights is not null)
        {
            throw new ArgumentException("give either --weights or --random-weights, not both");
        }
        if (!o.RandomWeights && o.Weights is null)
        {
            throw new ArgumentException("--weights is required (a .pth or .safetensors checkpoint: 'hilo models' lists the official ones and where to download them), or --random-weights for timing");
        }
        if (o.Batch is < 1)
        {
            throw new ArgumentException($"--batch must be at least 1, got {o.Batch}");
        }
        if (o.Benchmark < 0)
        {
            throw new ArgumentException($"--benchmark must be a number of runs ≥ 1, got {o.Benchmark}");
        }
        if (o.Profile && o.Benchmark == 0)
        {
            throw new ArgumentException($"{(o.ProfileShapes ? "--profile-shapes" : "--profile")} profiles the timed runs: give --benchmark RUNS too");
        }
        if (o.Input is null && o.Benchmark == 0)
        {
            throw new ArgumentException("--input is required (a float32 NCHW .npy file)");
        }
    }

    internal static void CheckWeightsPath(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ArgumentException($"--weights {path} is a directory, not a weights file");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"weights file not found: {path}", path);
        }
    }

    /// <summary>Reads and checks the input images: float .npy, rank 4, 3 channels, big enough for the model.</summary>
    internal static HostTensor ReadImages(string path, Litv2Config config)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"input file not found: {path}", path);
        }
        var images = NpyFile.Read(path);
        var s = images.Shape;
        if (images.Rank != 4)
        {
            throw new ArgumentException($"{path}: expected images of rank 4 (B × 3 × H × W, NCHW), got shape {images.ShapeText}");
        }
        if (s[1] != Litv2Config.InChannels)
        {
            throw new ArgumentException($"{path}: expected {Litv2Config.InChannels} channels in dimension 1 (NCHW), got shape {images.ShapeText}" +
                (s[3] == Litv2Config.InChannels ? " (this looks like NHWC: transpose to NCHW)" : ""));
        }
        int min = Litv2Config.MinImageSide;
        if (s[0] < 1 || s[2] < min || s[3] < min)
        {
            throw new ArgumentException($"{path}: {config.Name} needs at least one image of at least {min}×{min} pixels, got shape {images.ShapeText}");
        }
        int bad = Array.FindIndex(images.Data, v => !float.IsFinite(v));
        if (bad >= 0)
        {
            throw new ArgumentException($"{path}: the images contain NaN or infinity (first at flat index {bad})");
        }
        return images;
    }

    /// <summary>Logits of every image (N × classes), computed <paramref name="batch"/> images at a time.</summary>
    internal static HostTensor Classify(Litv2Model model, HostTensor images, int batch)
    {
        int n = images.Shape[0], c = images.Shape[1], h = images.Shape[2], w = images.Shape[3];
        int perImage = c * h * w, classes = model.Config.NumClasses;
        var logits = new float[(long)n * classes];
        for (int start = 0; start < n; start += batch)
        {
            int count = Math.Min(batch, n - start);
            using var chunk = model.Device.Upload(images.Data.AsSpan(start * perImage, count * perImage), count, c, h, w);
            using var result = model.Forward(chunk);
            result.ToArray().CopyTo(logits, (long)start * classes);
        }
        return new HostTensor([n, classes], logits);
    }

    private static void Benchmark(Litv2Model model, HostTensor? images, InferOptions o, TextWriter output)
    {
        int batch = o.Batch ?? (images is null ? 1 : DefaultBatch);
        images ??= RandomImages(batch, model.Config.ImgSize, o.Seed);
        int count = Math.Min(batch, images.Shape[0]);
        int c = images.Shape[1], h = images.Shape[2], w = images.Shape[3];
        using var chunk = model.Device.Upload(images.Data.AsSpan(0, count * c * h * w), count, c, h, w);
        var kernels = model.Device.Kernels;
        int loadedBefore = kernels.LoadedKernelCount;
        double compileBefore = kernels.CompileSeconds;
        var first = Stopwatch.StartNew();
        model.Forward(chunk).Dispose(); // warm-up: builds every kernel (and tunes, in measure mode)
        model.Device.Synchronize();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first pass {first.Elapsed.TotalSeconds:0.00} s: {kernels.LoadedKernelCount - loadedBefore} ILGPU kernel(s) compiled for {model.Device.Info.Id} in {kernels.CompileSeconds - compileBefore:0.00} s"));
        Hilo.Ilgpu.Benchmarks.BenchmarkSettle.Now();
        var times = new List<double>();
        for (int run = 0; run < o.Benchmark; run++)
        {
            var timer = Stopwatch.StartNew();
            using (var logits = model.Forward(chunk))
            {
                model.Device.Synchronize();
            }
            times.Add(timer.Elapsed.TotalMilliseconds / count);
        }
        times.Sort();
        double mean = times.Average(), best = times[0], median = times[times.Count / 2];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{model.Architecture} on {model.Device.Info.Id} ({model.Device.Info.Name}), batch {count}, {h}×{w}, {o.Benchmark} run(s) after 1 warm-up: " +
            $"{mean:0.0} ms per image (median {median:0.0}, best {best:0.0}), {1000 / mean:0.00} images/s"));
        if (o.Profile)
        {
            Profile(model, chunk, o.Benchmark, o.ProfileShapes, output);
        }
    }

    // Separate runs: a profiler waits for every launch, so the timed runs above stay unprofiled.
    private static void Profile(Litv2Model model, Tensor chunk, int runs, bool byShape, TextWriter output)
    {
        var profiler = new KernelProfiler { ByLaunchShape = byShape };
        var kernels = model.Device.Kernels;
        kernels.Profiler = profiler;
        try
        {
            for (int run = 0; run < runs; run++)
            {
                model.Forward(chunk).Dispose();
            }
        }
        finally
        {
            kernels.Profiler = null;
        }
        // The yardstick for "% of peak": the FMA peak with the CPU family's threads, measured now (after the runs, on
        // the same machine state); GPUs state no peak here.
        var peak = kernels.IsCpuAccelerator ? Benchmarks.FmaPeak.Measure(Kernels.Cpu.CpuParallel.Workers, TimeSpan.FromSeconds(0.3)) : null;
        PrintProfile(profiler, runs, peak?.GflopsPerSecond, output);
        if (peak is not null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  % of peak: of {peak.GflopsPerSecond:0} GFLOP/s, this CPU's fp32 FMA peak with {peak.Threads} thread(s) ({peak.Instruction}, {peak.CpuModel}), measured after the profiled runs."));
        }
    }

    /// <summary>
    /// The profile table: per kernel (per shape when the profiler keeps shapes apart) launches and milliseconds per run,
    /// share of the total, and where the op states its FLOPs, GFLOP/s and % of <paramref name="peakGflops"/>.
    /// </summary>
    internal static void PrintProfile(KernelProfiler profiler, int runs, double? peakGflops, TextWriter output)
    {
        double total = profiler.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Kernel profile ({runs} profiled run(s), {1000 * total / runs:0.0} ms of kernels per run):"));
        output.WriteLine("  kernel                                    family   launches   ms/run   share   GFLOP/s  % peak");
        foreach (var e in profiler.Entries)
        {
            double? rate = e.GflopsPerSecond;
            string speed = rate is null ? "" : string.Create(CultureInfo.InvariantCulture, $" {rate,9:0.0}")
                + (peakGflops is > 0 ? string.Create(CultureInfo.InvariantCulture, $" {100 * rate / peakGflops,6:0.0}%") : "");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {ShortName(e.Kernel),-40} {e.Family,-6} {e.Launches / runs,9} {1000 * e.TotalSeconds / runs,8:0.00} {100 * e.TotalSeconds / total,6:0.0}%{speed}"));
        }
    }

    private static string ShortName(string kernel)
    {
        int space = kernel.IndexOf(' ', StringComparison.Ordinal);
        int dot = kernel.LastIndexOf('.', space < 0 ? kernel.Length - 1 : space);
        return dot < 0 ? kernel : kernel[(dot + 1)..];
    }

    private static HostTensor RandomImages(int batch, int size, int seed)
    {
        var random = new Random(seed);
        var data = new float[(long)batch * Litv2Config.InChannels * size * size];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 4 - 2);
        }
        return new HostTensor([batch, Litv2Config.InChannels, size, size], data);
    }

    /// <summary>Prints, for every image, the five most likely classes: index, label and softmax probability.</summary>
    internal static void PrintTop5(HostTensor logits, ClassLabels labels, TextWriter output)
    {
        int n = logits.Shape[0], classes = logits.Shape[1];
        var top = Imaging.ImageClassifier.TopOfLogits(logits.Data, n, labels, Math.Min(5, classes));
        bool named = labels.Source != "numbered"; // "7 class 7" says nothing more than "7"
        for (int i = 0; i < n; i++)
        {
            output.WriteLine($"image {i}: {string.Join("  ", top[i].Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Index}{(named ? " " + c.Label : "")} ({c.Probability:0.0000})")))}");
        }
    }

    internal static bool IsUserError(Exception e) => e is CheckpointException or Litv2ConfigException or ArgumentException or Models.NonFiniteActivationsException
        or IOException or UnauthorizedAccessException or DeviceNotFoundException or DeviceOutOfMemoryException or ILGPU.Runtime.AcceleratorException or KernelCompilationException;

    /// <summary>The message on one line: line breaks (e.g. of a key-mismatch list) become "; " (a space after a colon).</summary>
    internal static string OneLine(string message)
    {
        string text = message.Trim();
        return LineBreaks().Replace(text, m => m.Index > 0 && text[m.Index - 1] == ':' ? " " : "; ");
    }

    [GeneratedRegex(@"\s*\r?\n\s*")]
    private static partial Regex LineBreaks();
}
