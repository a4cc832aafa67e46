using System.CommandLine;
using Hilo.Ilgpu.Benchmarks;


namespace Hilo.Ilgpu.Cli;

/// <summary>What <c>hilo compare</c> was asked to do (one property per option).</summary>
internal sealed record CompareOptions
{
    public string Protocol { get; init; } = "attention";
    public string? Models { get; init; }
    public string? Devices { get; init; }
    public int Batch { get; init; } = 64;
    public int Runs { get; init; } = 30;
    public int Warmup { get; init; } = 3;
    public int Seed { get; init; }
    public string? Json { get; init; }
    public string? Csv { get; init; }
    public string? Html { get; init; }
    public string? Chart { get; init; }
    public string? Kernels { get; init; }
    public string? CommandLine { get; init; }
}

/// <summary>
/// <c>hilo compare</c>: the paper's protocols (attention layer or whole model) on every device found or on
/// <c>--devices</c>; prints the table, progress on stderr, and optionally writes JSON, CSV, an HTML page and a PNG/SVG
/// chart (docs/compare.md). Errors end in one line <c>error: …</c> on stderr and exit code 1.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var protocol = new Option<string>("--protocol", "-p") { Description = "attention (HiLo, SRA, local window, MSA on 14×14×768) or model (LITv2 at 224²).", DefaultValueFactory = _ => "attention" };
        var models = new Option<string?>("--models", "-m") { Description = "Comma-separated subjects: litv2-s,litv2-m,litv2-b,litv2-b-384 (model; default the first three) or hilo,sra,local-window,msa (attention; default all)." };
        var devices = new Option<string?>("--devices", "-d") { Description = "Comma-separated device strings (cpu,opencl:0,cuda:0,...); default every device found." };
        var batch = new Option<int>("--batch", "-b") { Description = "Inputs per forward pass.", DefaultValueFactory = _ => 64 };
        var runs = new Option<int>("--runs", "-r") { Description = "Timed forward passes.", DefaultValueFactory = _ => 30 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed forward passes first.", DefaultValueFactory = _ => 3 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random weights and inputs.", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON to FILE ('-' for stdout, instead of the table)." };
        var csv = new Option<string?>("--csv") { Description = "Write the results as CSV to FILE ('-' for stdout, instead of the table)." };
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML page with the bar chart and the table to FILE ('-' for stdout)." };
        var chart = new Option<string?>("--chart") { Description = "Draw the bar chart of images/s per device to FILE (.png or .svg)." };
        var kernels = CliOptions.KernelsOption();
        var command = new Command("compare", "Measure HiLo against SRA, local-window and MSA attention (or LITv2 models) on every device.");
        foreach (var option in new Option[] { protocol, models, devices, batch, runs, warmup, seed, json, csv, html, chart, kernels })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => Run(new CompareOptions
        {
            Protocol = parse.GetValue(protocol)!,
            Models = parse.GetValue(models),
            Devices = parse.GetValue(devices),
            Batch = parse.GetValue(batch),
            Runs = parse.GetValue(runs),
            Warmup = parse.GetValue(warmup),
            Seed = parse.GetValue(seed),
            Json = parse.GetValue(json),
            Csv = parse.GetValue(csv),
            Html = parse.GetValue(html),
            Chart = parse.GetValue(chart),
            Kernels = parse.GetValue(kernels),
            CommandLine = CliProvenance.CommandLine(parse),
        }, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Runs the command; returns 0, or 1 after one <c>error:</c> line on <paramref name="error"/>.</summary>
    /// <param name="options">The parsed options.</param>
    /// <param name="output">Receives the table.</param>
    /// <param name="error">Receives progress lines, skipped devices and errors.</param>
    /// <param name="adjust">Tests only: changes the settings (e.g. a smaller shape) before the run.</param>
    public static int Run(CompareOptions options, TextWriter output, TextWriter error, Func<CompareSettings, CompareSettings>? adjust = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var settings = Settings(options);
            if (adjust is not null)
            {
                settings = adjust(settings);
            }
            settings.Validate();
            // Before the measurements, which can take minutes: every output can be written (a read-only folder is
            // found now) and none is the tuning cache the measurements read.
            CliOutputs.Check(
                [new("--json", options.Json, StdoutAllowed: true), new("--csv", options.Csv, StdoutAllowed: true),
                 new("--html", options.Html, StdoutAllowed: true), new("--chart", options.Chart)],
                [CliOutputs.TuningCacheInput]);
            // Before the measurements, which can take minutes: a bad extension, or no font for the text.
            if (options.Chart is not null)
            {
                CompareCharts.CheckPath(options.Chart);
            }
            else if (options.Html is not null)
            {
                CompareCharts.CheckFont();
            }
            var devices = DeviceList(options.Devices);
            var started = DateTimeOffset.UtcNow;
            var report = CliProgress.Run(error, "compare", devices.Count * settings.EffectiveNames.Count, progress => CompareRunner.Run(devices, settings, progress.Line));
            foreach (var s in report.Skipped)
            {
                error.WriteLine($"skipped {s.Device}: {InferCommand.OneLine(s.Reason)}");
            }
            if (report.Results.Count == 0)
            {
                throw new ArgumentException("no device could be measured" + (report.Skipped.Count > 0 ? " (see the reasons above)" : ""));
            }
            var provenance = new RunProvenance
            {
                Command = options.CommandLine ?? "hilo compare",
                Model = string.Join(",", settings.EffectiveNames),
                RandomSeed = settings.Seed,
                Device = string.Join("; ", report.Results.Select(r => $"{r.Device}: {r.DeviceName}").Distinct()),
                Kernels = CliProvenance.Kernels(options.Kernels),
                Preprocessing = $"none: random inputs, seed {settings.Seed}",
                Date = started,
            };
            // "-" puts that output on stdout instead of the table.
            if (new[] { options.Json, options.Csv, options.Html }.All(p => p != "-"))
            {
                output.WriteLine();
                CompareFormats.WriteTable(output, report.Results);
            }
            if (options.Json is not null)
            {
                CliOutputs.WriteUtf8(options.Json, output, s => CompareFormats.WriteJson(s, report.Results, provenance));
                Wrote(error, options.Json);
            }
            if (options.Csv is not null)
            {
                CliOutputs.WriteText(options.Csv, output, w => CompareFormats.WriteCsv(w, report.Results, provenance));
                Wrote(error, options.Csv);
            }
            if (options.Html is not null)
            {
                string title = $"hilo compare --protocol {options.Protocol.ToLowerInvariant()}, batch {settings.Batch}, {settings.Runs} runs";
                CliOutputs.WriteText(options.Html, output, w => w.Write(CompareHtml.Render(report.Results, title, provenance)));
                Wrote(error, options.Html);
            }
            if (options.Chart is not null)
            {
                CompareCharts.Save(report.Results, options.Chart, provenance: provenance);
                error.WriteLine($"wrote {options.Chart}");
            }
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or DeviceNotFoundException or ILGPU.Runtime.AcceleratorException or KernelCompilationException)
        {
            error.WriteLine("error: " + InferCommand.OneLine(e.Message));
            return 1;
        }
    }

    internal static CompareSettings Settings(CompareOptions o)
    {
        var protocol = o.Protocol.Trim().ToLowerInvariant() switch
        {
            "attention" => CompareProtocol.Attention,
            "model" => CompareProtocol.Model,
            _ => throw new ArgumentException($"--protocol must be attention or model, got '{o.Protocol}'"),
        };
        var names = Split(o.Models, "--models");
        return new CompareSettings
        {
            Protocol = protocol,
            Names = names.Select(n => n.ToLowerInvariant()).ToList(),
            Batch = o.Batch,
            Runs = o.Runs,
            Warmup = o.Warmup,
            Seed = o.Seed,
            Family = CliOptions.Family(o.Kernels),
        };
    }

    private static IReadOnlyList<string> DeviceList(string? devices)
    {
        var list = Split(devices, "--devices");
        return list.Count > 0 ? list : CompareRunner.AllDevices();
    }

    private static List<string> Split(string? text, string option)
    {
        if (text is null)
        {
            return [];
        }
        var items = text.Split(',', StringSplitOptions.TrimEntries).ToList();
        if (items.Any(i => i.Length == 0))
        {
            throw new ArgumentException($"{option} has an empty entry: '{text}'");
        }
        return items;
    }

    private static void Wrote(TextWriter log, string path)
    {
        if (path != "-")
        {
            log.WriteLine($"wrote {path}");
        }
    }
}
