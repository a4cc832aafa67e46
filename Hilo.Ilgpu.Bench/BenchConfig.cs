using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Hilo.Ilgpu.Bench;

/// <summary>
/// The job every suite runs with: kernels take milliseconds to seconds, so few iterations are enough
/// (1 launch, 2 warm-ups, 5 measured iterations, one invocation each).
/// In-process toolchain: the benchmarks run inside this executable, which is built with tiered compilation
/// off (Directory.Build.targets), so the managed CPU backend's kernel bodies are fully optimised from the
/// first call, as in the `hilo` command. The default out-of-process toolchain would build a generated
/// project in bin/ that inherits this repository's warnings-as-errors and analyzer settings.
/// A job given on the command line (e.g. <c>--job dry</c>) replaces this one.
/// </summary>
public static class BenchConfig
{
    /// <summary>The job described above.</summary>
    public static Job SlowKernels { get; } = Job.Default
        .WithLaunchCount(1)
        .WithWarmupCount(2)
        .WithIterationCount(5)
        .WithInvocationCount(1)
        .WithUnrollFactor(1)
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithId("SlowKernels");

    /// <summary>Adds <c>--inProcess</c> when a job is given on the command line, so it runs in-process too.</summary>
    public static string[] WithInProcess(string[] args)
    {
        bool jobGiven = args.Any(a => a is "--job" or "-j");
        bool toolchainGiven = args.Any(a => a is "--inProcess" or "-i" or "--runtimes" or "-r");
        return jobGiven && !toolchainGiven ? [.. args, "--inProcess"] : args;
    }

    /// <summary>The configuration passed to <c>BenchmarkSwitcher</c>.</summary>
    public static IConfig Create(string[] args)
    {
        var config = DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary);
        // A job on the command line replaces ours (WithInProcess keeps it in-process).
        bool jobGiven = args.Any(a => a is "--job" or "-j");
        return jobGiven ? config : config.AddJob(SlowKernels);
    }
}
