using System.CommandLine;
using System.Globalization;

using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Scheduling;

namespace Hilo.Ilgpu.Cli;

/// <summary>What <c>hilo plan</c> was asked to do (one property per option).</summary>
internal sealed record PlanCommandOptions
{
    public required string Model { get; init; }
    public string? Device { get; init; }
    public double MaxTop1Drop { get; init; } = 0.2;
    public bool KeepWindows { get; init; }
    public string? Weights { get; init; }
    public bool Fresh { get; init; }
    public string? Windows { get; init; }
    public int? Batch { get; init; }
    public int? ImageSize { get; init; }
    public int Runs { get; init; } = 5;
    public int Warmup { get; init; } = 1;
    public double MinGain { get; init; } = 0.02;
    public bool Verify { get; init; }
    public int Seed { get; init; }
    public string? Json { get; init; }
    public string? Kernels { get; init; }
}

/// <summary>
/// <c>hilo plan --device D --model M [--max-top1-drop 0.2]</c>: the model-level layer scheduler (docs/plan.md).
/// Times the HiLo layer of each stage for every window size and α split on the device, prints every candidate with
/// the reason it is allowed or excluded, and the chosen <c>local_ws</c> and α. Progress on stderr; errors end in one
/// line <c>error: …</c> and exit code 1.
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "litv2-s, litv2-m, litv2-b, litv2-b-384, or a CONFIG.json file.", Required = true };
        var device = CliOptions.DeviceOption();
        var drop = new Option<double>("--max-top1-drop") { Description = "Allowed loss of published ImageNet top-1, in points, against the default α.", DefaultValueFactory = _ => 0.2 };
        var keep = new Option<bool>("--keep-windows") { Description = "Keep every stage's trained window size (only α may change)." };
        var weights = new Option<string?>("--weights", "-w") { Description = "Checkpoint the model will run with: α is fixed to its head split, only windows vary." };
        var fresh = new Option<bool>("--fresh") { Description = "The model will be trained from scratch: α is free, no accuracy constraint." };
        var windows = new Option<string?>("--windows") { Description = "Comma-separated window sizes to try (default 2,4,7,14,... up to each stage's map side)." };
        var batch = new Option<int?>("--batch", "-b") { CustomParser = CliOptions.ParseWholeNumber, Description = "Images per forward pass (default 64 on GPUs, 16 on CPU devices)." };
        var image = new Option<int?>("--image-size") { CustomParser = CliOptions.ParseWholeNumber, Description = "Image side in pixels (default the model's img_size, 224)." };
        var runs = new Option<int>("--runs", "-r") { Description = "Timed runs per measurement (the median is used).", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs before each measurement.", DefaultValueFactory = _ => 1 };
        var gain = new Option<double>("--min-gain") { Description = "Make a change only when it is faster by more than this share (noise guard).", DefaultValueFactory = _ => 0.02 };
        var verify = new Option<bool>("--verify") { Description = "Also run the whole model as planned and print measured against estimated time." };
        var seed = new Option<int>("--seed") { Description = "Seed of the random weights and inputs.", DefaultValueFactory = _ => 0 };
        var json = new Option<string?>("--json") { Description = "Write the plan as JSON to FILE (format in docs/plan.md; '-' for stdout, instead of the table)." };
        var command = new Command("plan", "Choose the fastest window size per stage and α split for a LITv2 model on a device, within an accuracy constraint.");
        var kernels = CliOptions.KernelsOption();
        foreach (var option in new Option[] { model, device, drop, keep, weights, fresh, windows, batch, image, runs, warmup, gain, verify, seed, json, kernels })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => Run(new PlanCommandOptions
        {
            Model = parse.GetValue(model)!,
            Device = parse.GetValue(device),
            MaxTop1Drop = parse.GetValue(drop),
            KeepWindows = parse.GetValue(keep),
            Weights = parse.GetValue(weights),
            Fresh = parse.GetValue(fresh),
            Windows = parse.GetValue(windows),
            Batch = parse.GetValue(batch),
            ImageSize = parse.GetValue(image),
            Runs = parse.GetValue(runs),
            Warmup = parse.GetValue(warmup),
            MinGain = parse.GetValue(gain),
            Verify = parse.GetValue(verify),
            Seed = parse.GetValue(seed),
            Json = parse.GetValue(json),
            Kernels = parse.GetValue(kernels),
        }, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Runs the command; returns 0, or 1 after one <c>error:</c> line on <paramref name="error"/>.</summary>
    public static int Run(PlanCommandOptions options, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var config = InferCommand.ResolveModel(options.Model);
            var planOptions = new ModelPlanOptions
            {
                MaxTop1Drop = options.MaxTop1Drop,
                KeepWindows = options.KeepWindows,
                Fresh = options.Fresh,
                Windows = ParseWindows(options.Windows),
                Batch = options.Batch,
                ImageSize = options.ImageSize,
                Runs = options.Runs,
                Warmup = options.Warmup,
                MinGain = options.MinGain,
                Verify = options.Verify,
                Seed = options.Seed,
            };
            planOptions.Validate();   // before loading weights or opening a device
            if (options.Fresh && options.Weights is not null)
            {
                throw new ArgumentException("give either --weights (α fixed by them) or --fresh (α free), not both");
            }
            // Before the plan is measured: the output can be written and is none of the inputs.
            CliOutputs.Check([new("--json", options.Json, StdoutAllowed: true)],
                [CliOutputs.ModelInput(options.Model), CliOutputs.Input("--weights", options.Weights), CliOutputs.TuningCacheInput]);
            if (options.Weights is not null)
            {
                if (!File.Exists(options.Weights))
                {
                    throw new FileNotFoundException($"weights file not found: {options.Weights}", options.Weights);
                }
                planOptions = planOptions with { Weights = CheckpointLoader.Load(options.Weights) };
                planOptions.Validate();
            }
            using var device = ComputeDevice.Open(options.Device ?? ComputeDevice.FastestDeviceId(), CliOptions.Family(options.Kernels));
            error.WriteLine($"planning {config.Name} on {device}");
            var plan = CliProgress.Run(error, "plan", 1, progress => ModelPlanner.Plan(device, config, planOptions, new SyncProgress<string>(progress.Line)));
            if (options.Json != "-")
            {
                output.WriteLine();
                ModelPlanFormats.WriteTable(output, plan);
            }
            if (options.Json is not null)
            {
                CliOutputs.WriteUtf8(options.Json, output, s => ModelPlanFormats.WriteJson(s, plan));
                if (options.Json != "-")
                {
                    error.WriteLine($"wrote {options.Json}");
                }
            }
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or CheckpointException or Litv2ConfigException
            or DeviceNotFoundException or DeviceOutOfMemoryException or ILGPU.Runtime.AcceleratorException or KernelCompilationException)
        {
            error.WriteLine("error: " + InferCommand.OneLine(e.Message));
            return 1;
        }
    }

    private static List<int>? ParseWindows(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var list = new List<int>();
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out int s) || s < 2)
            {
                throw new ArgumentException($"--windows must list window sizes ≥ 2 separated by commas, got '{text}'");
            }
            list.Add(s);
        }
        return list;
    }

}
