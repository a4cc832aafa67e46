using System.CommandLine;
using System.Globalization;
using Hilo.Ilgpu.Benchmarks;
using Hilo.Ilgpu.IO;

using Hilo.Ilgpu.Scheduling;

namespace Hilo.Ilgpu.Cli;

/// <summary>What <c>hilo tune</c> was asked to do (one property per option).</summary>
internal sealed record TuneOptions
{
    public IReadOnlyList<string> Devices { get; init; } = [];
    public string? Models { get; init; }
    public string Protocol { get; init; } = "all";
    public int Batch { get; init; } = 64;
    public int Seed { get; init; }
    public bool Show { get; init; }
    public bool Clear { get; init; }
    public string? Cache { get; init; }
    public string? Kernels { get; init; }
    public bool AllFamilies { get; init; }
}

/// <summary>
/// <c>hilo tune</c>: measures the kernel variants of every layer shape that the compare protocols meet, ahead of
/// time, and stores the choices in the tuning cache (docs/scheduler.md); <c>--show</c> lists the cache,
/// <c>--clear</c> removes the selected devices' entries. Errors end in one line <c>error: …</c> and exit code 1.
/// </summary>
internal static class TuneCommand
{
    public static Command Create()
    {
        var devices = new Option<string[]>("--device", "-d") { Description = "Device strings (cpu, opencl:0, cuda:0, ...; repeat or comma-separate) or all; default all.", AllowMultipleArgumentsPerToken = true };
        var models = new Option<string?>("--models", "-m") { Description = "LITv2 presets for the model protocol (litv2-s,litv2-m,litv2-b,litv2-b-384); default the first three." };
        var protocol = new Option<string>("--protocol", "-p") { Description = "attention, model or all.", DefaultValueFactory = _ => "all" };
        var batch = new Option<int>("--batch", "-b") { Description = "Inputs per forward pass (the shapes tuned for; hilo compare's default is 64).", DefaultValueFactory = _ => 64 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random weights.", DefaultValueFactory = _ => 0 };
        var show = new Option<bool>("--show") { Description = "List the cached choices (of the selected devices) and do nothing else." };
        var clear = new Option<bool>("--clear") { Description = "Remove the cached choices of the selected devices (all entries without --device)." };
        var cache = new Option<string?>("--cache") { Description = $"The tuning cache file; default ${TuningCache.PathVariable}, else $XDG_CACHE_HOME/hilo/tuning.json, else ~/.cache/hilo/tuning.json." };
        var command = new Command("tune", "Measure and cache the fastest kernel variant of every layer shape of the compare protocols, per device.");
        var kernels = CliOptions.KernelsOption();
        var allFamilies = new Option<bool>("--all-families") { Description = "On a device with several kernel families (cpu): measure every family's variants at every shape, not only the families that pass the one-off family screen." };
        foreach (var option in new Option[] { devices, models, protocol, batch, seed, show, clear, cache, kernels, allFamilies })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => Run(new TuneOptions
        {
            Devices = parse.GetValue(devices) ?? [],
            Models = parse.GetValue(models),
            Protocol = parse.GetValue(protocol)!,
            Batch = parse.GetValue(batch),
            Seed = parse.GetValue(seed),
            Show = parse.GetValue(show),
            Clear = parse.GetValue(clear),
            Cache = parse.GetValue(cache),
            Kernels = parse.GetValue(kernels),
            AllFamilies = parse.GetValue(allFamilies),
        }, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Runs the command; returns 0, or 1 after one <c>error:</c> line on <paramref name="error"/>.</summary>
    /// <param name="options">The parsed options.</param>
    /// <param name="output">Receives the table.</param>
    /// <param name="error">Receives progress lines, cache problems and errors.</param>
    /// <param name="adjust">Tests only: changes the protocol settings (e.g. a smaller shape) before the run.</param>
    public static int Run(TuneOptions options, TextWriter output, TextWriter error, Func<CompareSettings, CompareSettings>? adjust = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            if (options.Show && options.Clear)
            {
                throw new ArgumentException("--show and --clear cannot be combined");
            }
            var cache = new TuningCache(options.Cache ?? TuningCache.DefaultPath());
            var selected = DeviceList(options.Devices);
            if (!options.Show)
            {
                // Tuning exists to fill the cache: an unwritable one is an error now, not a note after the measurements.
                EnsureWritable(cache);
            }
            if (options.Show || options.Clear)
            {
                return ShowOrClear(options, cache, selected, output, error);
            }
            var protocols = Protocols(options).Select(p => adjust is null ? p : adjust(p)).ToList();
            var deviceIds = selected ?? CompareRunner.AllDevices();
            var report = CliProgress.Run(error, "tune", deviceIds.Count * protocols.Sum(p => p.EffectiveNames.Count),
                progress => TuneRunner.Run(deviceIds, protocols, cache, progress.Line, options.AllFamilies));
            foreach (var s in report.Skipped)
            {
                error.WriteLine($"skipped {s.Device}: {InferCommand.OneLine(s.Reason)}");
            }
            if (report.Decisions.Count == 0)
            {
                ReportProblem(cache, error);
                throw new ArgumentException("no device could be tuned" + (report.Skipped.Count > 0 ? " (see the reasons above)" : ""));
            }
            output.WriteLine();
            WriteTable(output, report.Decisions.Select(d => (d.Key, d.Choice, Source(d.Source), d.Entry)));
            output.WriteLine();
            output.WriteLine($"tuning cache: {cache.Path}");
            if (cache.SaveProblem is { } unsaved)
            {
                throw new IOException($"the choices above were not saved: {unsaved}");
            }
            ReportProblem(cache, error);
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or DeviceNotFoundException or ILGPU.Runtime.AcceleratorException or KernelCompilationException)
        {
            error.WriteLine("error: " + InferCommand.OneLine(e.Message));
            return 1;
        }
    }

    private static int ShowOrClear(TuneOptions options, TuningCache cache, IReadOnlyList<string>? selected, TextWriter output, TextWriter error)
    {
        bool Selected(TuningKey key) => selected is null || selected.Contains(key.DeviceId, StringComparer.OrdinalIgnoreCase);
        if (options.Clear)
        {
            int removed = cache.Remove(Selected);
            if (cache.SaveProblem is { } unsaved)
            {
                throw new IOException($"nothing was removed: {unsaved}");
            }
            ReportProblem(cache, error);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"removed {removed} entr{(removed == 1 ? "y" : "ies")} from {cache.Path}"));
            return 0;
        }
        var entries = cache.Entries.Where(e => Selected(e.Key)).ToList();
        ReportProblem(cache, error);
        if (entries.Count == 0)
        {
            output.WriteLine($"no tuning entries{(selected is null ? "" : " for " + string.Join(", ", selected))} in {cache.Path}");
            return 0;
        }
        WriteTable(output, entries.Select(e => (e.Key, e.Choice, "cached", (TuningEntry?)e)));
        output.WriteLine();
        output.WriteLine($"tuning cache: {cache.Path}");
        return 0;
    }

    private static void EnsureWritable(TuningCache cache)
    {
        string? folder = Path.GetDirectoryName(cache.Path);
        try
        {
            if (folder is not null)
            {
                Directory.CreateDirectory(folder);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write the tuning cache {cache.Path}: its folder cannot be made ({e.Message})", e);
        }
        AtomicFile.EnsureWritable(cache.Path);
    }

    private static void ReportProblem(TuningCache cache, TextWriter error)
    {
        if (cache.Problem is { } problem)
        {
            error.WriteLine("note: " + problem);
        }
    }

    private static string Source(TuningSource s) => s switch
    {
        TuningSource.Measured => "measured",
        TuningSource.Cached => "cached",
        _ => "default",
    };

    private static void WriteTable(TextWriter output, IEnumerable<(TuningKey Key, string Choice, string Source, TuningEntry? Entry)> rows)
    {
        var lines = rows.OrderBy(r => r.Key.DeviceId, StringComparer.Ordinal).ThenBy(r => r.Key.Operation, StringComparer.Ordinal)
            .ThenBy(r => r.Key.Shape, StringComparer.Ordinal)
            .Select(r => new[]
            {
                r.Key.DeviceId, r.Key.Operation, r.Key.Shape, r.Choice, r.Source,
                r.Entry is { } e && e.Milliseconds.TryGetValue(r.Choice, out double ms) ? string.Create(CultureInfo.InvariantCulture, $"{ms:0.00}") : "",
                r.Entry is { } f ? string.Join(" ", f.Milliseconds.Where(p => p.Key != r.Choice)
                    .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value:0.00}{(f.Stopped.Contains(p.Key) ? "*" : "")}"))) : "",
            }).ToList();
        string[] header = ["device", "operation", "shape", "choice", "source", "ms", "others (ms; * stopped early)"];
        var widths = header.Select((h, i) => Math.Max(h.Length, lines.Count == 0 ? 0 : lines.Max(l => l[i].Length))).ToArray();
        output.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var l in lines)
        {
            output.WriteLine(string.Join("  ", l.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
    }

    internal static IReadOnlyList<CompareSettings> Protocols(TuneOptions o)
    {
        var models = o.Models is null ? [] : o.Models.Split(',', StringSplitOptions.TrimEntries).Select(m => m.ToLowerInvariant()).ToList();
        if (models.Any(m => m.Length == 0))
        {
            throw new ArgumentException($"--models has an empty entry: '{o.Models}'");
        }
        var attention = new CompareSettings { Protocol = CompareProtocol.Attention, Batch = o.Batch, Seed = o.Seed, Family = CliOptions.Family(o.Kernels) };
        var model = new CompareSettings { Protocol = CompareProtocol.Model, Names = models, Batch = o.Batch, Seed = o.Seed, Family = CliOptions.Family(o.Kernels) };
        return o.Protocol.Trim().ToLowerInvariant() switch
        {
            "attention" => [attention],
            "model" => [model],
            "all" => [attention, model],
            _ => throw new ArgumentException($"--protocol must be attention, model or all, got '{o.Protocol}'"),
        };
    }

    // Null: every device (tuning: all found; --show/--clear: all entries).
    private static IReadOnlyList<string>? DeviceList(IReadOnlyList<string> devices)
    {
        var list = devices.SelectMany(d => d.Split(',', StringSplitOptions.TrimEntries)).ToList();
        if (list.Any(d => d.Length == 0))
        {
            throw new ArgumentException($"--device has an empty entry: '{string.Join(",", devices)}'");
        }
        return list.Count == 0 || list.Any(d => d.Equals("all", StringComparison.OrdinalIgnoreCase)) ? null : list;
    }
}
