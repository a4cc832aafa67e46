using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu;

/// <summary>
/// How a result was made, written next to it so that a JSON or CSV file found later still says it: the command line,
/// the model, the weights (file and SHA-256, or "random, seed N"), the device, the kernel family, this library's version,
/// the date (UTC, ISO-8601), the preprocessing and the machine. The JSON form is one <c>"provenance"</c> object; the
/// CSV form is extra columns at the end of every row (pandas and spreadsheets read them with no option, unlike
/// <c>#</c> comment lines; a row copied elsewhere or a merged shard keeps them). The machine is the CPU, the number of
/// logical CPUs, the OS and the .NET runtime, never the host name or user: result files are shared.
/// </summary>
public sealed record RunProvenance
{
    /// <summary>The keys of <see cref="Fields"/> in their order: JSON property names and CSV column names.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["command", "model", "weights", "weights_sha256", "random_weights", "device", "kernels", "preprocessing", "hilo_version", "date", "machine"];

    /// <summary>What was run, e.g. <c>hilo classify photos/ --weights litv2_s.pth</c> (the arguments as given, shell-quoted).</summary>
    public required string Command { get; init; }

    /// <summary>The model (<c>litv2-s</c>, a config's name, or the subjects of a comparison); null where none.</summary>
    public string? Model { get; init; }

    /// <summary>The checkpoint file as given; null for random weights or none.</summary>
    public string? WeightsFile { get; init; }

    /// <summary>SHA-256 of <see cref="WeightsFile"/>, lowercase hex (<see cref="Sha256Of"/>); null without a file.</summary>
    public string? WeightsSha256 { get; init; }

    /// <summary>The seed of deterministic random weights (<c>--random-weights</c>); null for a checkpoint.</summary>
    public int? RandomSeed { get; init; }

    /// <summary>Whether the weights are random: the classes, probabilities and accuracies then mean nothing.</summary>
    public bool RandomWeights => RandomSeed is not null;

    /// <summary>The weights in words: the file, or <c>random, seed N</c>, or null where a run has none.</summary>
    public string? Weights => RandomSeed is { } seed ? string.Create(CultureInfo.InvariantCulture, $"random, seed {seed}") : WeightsFile;

    /// <summary>The device, e.g. <c>cpu: ILGPU CPU accelerator (…)</c>, or several separated by <c>; </c>; null where none.</summary>
    public string? Device { get; init; }

    /// <summary>The kernel family asked for: <c>auto</c> (the tuner chooses per layer), <c>cpu</c> or <c>ilgpu</c>.</summary>
    public string Kernels { get; init; } = "auto";

    /// <summary>The image transform (<see cref="Describe(Preprocess)"/>), or what the inputs were; null where none.</summary>
    public string? Preprocessing { get; init; }

    /// <summary>This library's version (<see cref="HiloInfo.Version"/>).</summary>
    public string HiloVersion { get; init; } = HiloInfo.Version;

    /// <summary>When the run started, in UTC.</summary>
    public DateTimeOffset Date { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The machine: CPU, logical CPUs, OS, .NET (<see cref="DescribeMachine"/>).</summary>
    public string Machine { get; init; } = DescribeMachine();

    /// <summary><see cref="Date"/> as ISO-8601 UTC to the second, e.g. <c>2026-12-07T17:30:05Z</c>.</summary>
    public string DateText => Date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Every field as text in <see cref="Keys"/> order (absent ones empty; <c>random_weights</c> is <c>true</c>/<c>false</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields =>
    [
        new("command", Command), new("model", Model ?? ""), new("weights", Weights ?? ""), new("weights_sha256", WeightsSha256 ?? ""),
        new("random_weights", RandomWeights ? "true" : "false"), new("device", Device ?? ""), new("kernels", Kernels),
        new("preprocessing", Preprocessing ?? ""), new("hilo_version", HiloVersion), new("date", DateText), new("machine", Machine),
    ];

    /// <summary>One line for a chart or a page: the date, the command and the machine.</summary>
    public string Caption => $"{DateText} · {Command} · {Machine}";

    /// <summary>Writes the <c>"provenance"</c> property (an object of <see cref="Keys"/>; absent fields are null) into the open object.</summary>
    public void WriteJson(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject("provenance");
        foreach (var (key, value) in Fields)
        {
            if (key == "random_weights")
            {
                json.WriteBoolean(key, RandomWeights);
            }
            else if (value.Length == 0 && key is not "command")
            {
                json.WriteNull(key);
            }
            else
            {
                json.WriteString(key, value);
            }
        }
        json.WriteEndObject();
    }

    /// <summary>
    /// The provenance columns that <paramref name="header"/> (a CSV header line) lacks, in <see cref="Keys"/> order:
    /// a table that already has e.g. a <c>device</c> column per row keeps its own.
    /// </summary>
    public static IReadOnlyList<string> ExtraColumns(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var existing = header.Split(',').ToHashSet(StringComparer.Ordinal);
        return Keys.Where(k => !existing.Contains(k)).ToList();
    }

    /// <summary>The values of <paramref name="columns"/> (keys of <see cref="Keys"/>) as text, in that order.</summary>
    public IReadOnlyList<string> Values(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var fields = Fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        return columns.Select(c => fields.TryGetValue(c, out var v) ? v : throw new ArgumentException($"'{c}' is not a provenance key", nameof(columns))).ToList();
    }

    /// <summary>SHA-256 of a file's bytes, lowercase hex (what <c>sha256sum</c> prints).</summary>
    public static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>A transform in words: resize and crop, then <c>ToTensor</c> and the normalisation.</summary>
    public static string Describe(Preprocess preprocess)
    {
        ArgumentNullException.ThrowIfNull(preprocess);
        string List(IReadOnlyList<float> values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        return $"{preprocess.Source}; ToTensor; Normalize(mean [{List(preprocess.Mean)}], std [{List(preprocess.Std)}])";
    }

    /// <summary>The machine in words: the CPU model (Linux: /proc/cpuinfo), logical CPUs, the OS and the .NET runtime.</summary>
    public static string DescribeMachine() => MachineText.Value;

    private static readonly Lazy<string> MachineText = new(() => string.Create(CultureInfo.InvariantCulture,
        $"{Benchmarks.FmaPeak.CpuModel()}, {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.FrameworkDescription} {RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}"));
}
