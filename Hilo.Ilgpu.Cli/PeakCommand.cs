using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Hilo.Ilgpu.Benchmarks;

namespace Hilo.Ilgpu.Cli;

/// <summary>
/// <c>hilo peak [--threads N] [--seconds S] [--json]</c>: this machine's measured fp32 FMA peak with N threads
/// (<see cref="FmaPeak"/>), with the CPU model and ISA, the yardstick that speed tables quote "% of peak" against.
/// </summary>
internal static class PeakCommand
{
    public static Command Create()
    {
        var threads = new Option<int>("--threads", "-t") { Description = "Threads running FMA chains at once.", DefaultValueFactory = _ => 2 };
        var seconds = new Option<double>("--seconds") { Description = "Wall time of each of the three rounds (the fastest counts).", DefaultValueFactory = _ => 0.5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the text." };
        var command = new Command("peak", "Measure this CPU's fp32 FMA peak (GFLOP/s) with N threads, the widest FMA it has; print it with the CPU model and ISA.");
        command.Options.Add(threads);
        command.Options.Add(seconds);
        command.Options.Add(json);
        command.SetAction(parse => Run(parse.GetValue(threads), parse.GetValue(seconds), parse.GetValue(json),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    public static int Run(int threads, double seconds, bool json, TextWriter output, TextWriter error)
    {
        if (threads < 1 || threads > 4096)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: --threads {threads}: give a whole number from 1 to 4096."));
            return TopLevelErrors.ExitCode;
        }
        if (!double.IsFinite(seconds) || seconds < 0.01 || seconds > 60)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: --seconds {seconds}: give a time from 0.01 to 60 seconds."));
            return TopLevelErrors.ExitCode;
        }
        var r = FmaPeak.Measure(threads, TimeSpan.FromSeconds(seconds));
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["gflops"] = Math.Round(r.GflopsPerSecond, 1),
                ["threads"] = r.Threads,
                ["vector_bits"] = r.VectorBits,
                ["instruction"] = r.Instruction,
                ["cpu_model"] = r.CpuModel,
                ["isa"] = r.Isa,
            }));
            return 0;
        }
        output.WriteLine($"cpu          {r.CpuModel}");
        output.WriteLine($"isa          {r.Isa}");
        output.WriteLine($"measured     {r.Instruction}, {r.Threads} thread(s)");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fp32 peak    {r.GflopsPerSecond:0.0} GFLOP/s (an FMA is 2 FLOP)"));
        return 0;
    }
}
