using System.CommandLine;

namespace Hilo.Ilgpu.Cli;

/// <summary>Options several commands share.</summary>
internal static class CliOptions
{
    /// <summary><c>--kernels auto|cpu|ilgpu</c>: which kernel family the layers may use (auto: the tuner chooses per layer).</summary>
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
        string name = (result.Parent as System.CommandLine.Parsing.OptionResult)?.Option.Name ?? "the option";
        result.AddError($"{name}: '{text}' is not a whole number between {int.MinValue} and {int.MaxValue}");
        return null;
    }
}
