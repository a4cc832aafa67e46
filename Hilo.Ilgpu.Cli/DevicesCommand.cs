using System.CommandLine;
using System.Globalization;
using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Cli;

/// <summary><c>hilo devices</c>: every device with its properties, and why any backend is unavailable.</summary>
internal static class DevicesCommand
{
    public static Command Create()
    {
        var command = new Command("devices", "List every device (managed CPU, OpenCL, CUDA) and why a backend is unavailable.");
        command.SetAction(_ =>
        {
            Print(Console.Out);
            return 0;
        });
        return command;
    }

    public static void Print(TextWriter output)
    {
        foreach (var d in Devices.All)
        {
            output.WriteLine($"{d.Id}");
            output.WriteLine($"    name            {d.Name}");
            output.WriteLine($"    vendor          {d.Vendor}");
            output.WriteLine($"    kind            {d.Kind.ToString().ToUpperInvariant()}");
            output.WriteLine($"    memory          {FormatBytes(d.GlobalMemoryBytes)}");
            output.WriteLine($"    compute units   {d.ComputeUnits}");
            output.WriteLine($"    max group size  {d.MaxGroupSize}");
            output.WriteLine($"    local memory    {FormatBytes(d.LocalMemoryBytes)}");
            output.WriteLine($"    driver          {d.DriverVersion}");
        }
        foreach (var b in Devices.Backends.Where(b => !b.IsAvailable))
        {
            output.WriteLine($"{b.Backend.ToString().ToLowerInvariant()}: unavailable — {b.Reason}");
        }
    }

    private static string FormatBytes(long bytes) =>
        bytes >= 1L << 30 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB")
        : bytes >= 1L << 20 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB");
}
