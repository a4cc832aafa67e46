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
}
