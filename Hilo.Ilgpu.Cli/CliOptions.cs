using System.CommandLine;

namespace Hilo.Ilgpu.Cli;

/// <summary>Options several commands share.</summary>
internal static class CliOptions
{
    /// <summary><c>--kernels auto|cpu|ilgpu</c>: which kernel family the layers may use (auto: the tuner chooses per layer).</summary>
    /// <summary><c>--model</c>/<c>-m</c> defaulting to LITv2-S (classify, validate).</summary>
    public static Option<string> ModelOption() => new("--model", "-m")
    {
        Description = "litv2-s, litv2-m, litv2-b, litv2-b-384, or a CONFIG.json file.",
        DefaultValueFactory = _ => "litv2-s",
    };

    /// <summary><c>--weights</c>/<c>-w</c>: the checkpoint a model runs with (classify, validate, infer).</summary>
    public static Option<string?> WeightsOption() => new("--weights", "-w")
    {
        Description = "Checkpoint: torch.save .pth (bare or {'model': ...}) or .safetensors.",
    };

    /// <summary><c>--device</c>/<c>-d</c>: a device string; absent, the fastest device present.</summary>
    public static Option<string?> DeviceOption() => new("--device", "-d")
    {
        Description = "cpu, opencl:N, cuda:N, ... (default: the fastest device present).",
    };

    public static Option<string> KernelsOption() => new("--kernels")
    {
        Description = "Kernel family: auto (the tuner chooses per layer and shape), cpu (the CPU family; device cpu only) or ilgpu (ILGPU kernels everywhere; on cpu, ILGPU's CPU accelerator runs them on emulated GPU threads, which is how to step through a kernel in a debugger).",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>The family an option value pins, or null for <c>auto</c>.</summary>
    /// <exception cref="ArgumentException">Not one of auto, cpu, ilgpu.</exception>
    public static KernelFamily? Family(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => null,
        "cpu" => KernelFamily.Cpu,
        "ilgpu" => KernelFamily.Ilgpu,
        _ => throw new ArgumentException($"--kernels {value}: use auto, cpu or ilgpu."),
    };

    /// <summary>Checks <c>--weights</c> against <c>--random-weights</c>: exactly one of them, and a weights path that is a file.</summary>
    /// <exception cref="ArgumentException">Both, neither, or a folder.</exception>
    /// <exception cref="FileNotFoundException">No such weights file.</exception>
    public static void CheckWeights(bool randomWeights, string? weights)
    {
        if (randomWeights == (weights is not null))
        {
            throw new ArgumentException(randomWeights
                ? "give either --weights or --random-weights, not both"
                : "--weights is required (a .pth or .safetensors checkpoint: 'hilo models' lists the official ones and where to download them), or --random-weights to try the command");
        }
        if (weights is not null)
        {
            InferCommand.CheckWeightsPath(weights);
        }
    }

    /// <summary>
    /// Parses an optional whole-number option with a plain message (System.CommandLine's own names the CLR type,
    /// <c>System.Nullable`1[System.Int32]</c>).
    /// </summary>
    public static int? ParseWholeNumber(System.CommandLine.Parsing.ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }
        string text = result.Tokens[^1].Value;
        if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value))
        {
            return value;
        }
        result.AddError($"{OptionName(result)}: '{text}' is not a whole number between {int.MinValue} and {int.MaxValue}");
        return null;
    }

    /// <summary>Parses a number option (invariant culture, finite) with a plain message.</summary>
    public static double? ParseNumber(System.CommandLine.Parsing.ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }
        string text = result.Tokens[^1].Value;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
            && double.IsFinite(value))
        {
            return value;
        }
        result.AddError($"{OptionName(result)}: '{text}' is not a number (write it like 0.5 or 2e-3)");
        return null;
    }

    /// <summary>
    /// Gives every whole-number and number option under <paramref name="command"/> that has no parser of its own the
    /// plain parsers above, so that no message names a CLR type (System.CommandLine's own say <c>System.Int32</c>).
    /// </summary>
    public static void UsePlainNumberParsers(Command command)
    {
        foreach (var option in command.Options)
        {
            switch (option)
            {
                case Option<int> o when o.CustomParser is null:
                    o.CustomParser = r => ParseWholeNumber(r) ?? 0;
                    break;
                case Option<int?> o when o.CustomParser is null:
                    o.CustomParser = ParseWholeNumber;
                    break;
                case Option<double> o when o.CustomParser is null:
                    o.CustomParser = r => ParseNumber(r) ?? 0;
                    break;
                case Option<double?> o when o.CustomParser is null:
                    o.CustomParser = ParseNumber;
                    break;
            }
        }
        foreach (var sub in command.Subcommands)
        {
            UsePlainNumberParsers(sub);
        }
    }

    private static string OptionName(System.CommandLine.Parsing.ArgumentResult result) =>
        (result.Parent as System.CommandLine.Parsing.OptionResult)?.Option.Name ?? "the option";
}
