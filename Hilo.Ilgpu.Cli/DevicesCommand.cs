using System.CommandLine;
using System.Globalization;

namespace Hilo.Ilgpu.Cli;

/// <summary><c>hilo devices</c>: every device ILGPU accepted with its properties, every device it refused with its reason, and unavailable backends.</summary>
internal static class DevicesCommand
{
    public static Command Create()
    {
        var command = new Command("devices", "List every device ILGPU found (CPU accelerator, OpenCL, CUDA), the devices it refused and why, and unavailable backends.");
        command.SetAction(parse =>
        {
            Print(parse.InvocationConfiguration.Output);
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
            output.WriteLine($"    accelerator     ILGPU {d.Backend}{(d.Backend == BackendKind.Cpu ? " (kernel families: CPU, ILGPU)" : " (kernel family: ILGPU)")}");
            output.WriteLine($"    memory          {FormatBytes(d.GlobalMemoryBytes)}");
            output.WriteLine($"    compute units   {d.ComputeUnits}");
            output.WriteLine($"    max group size  {d.MaxGroupSize}");
            output.WriteLine($"    warp size       {d.WarpSize}");
            output.WriteLine($"    local memory    {FormatBytes(d.LocalMemoryBytes)}");
            output.WriteLine($"    driver          {d.DriverVersion}");
        }
        foreach (var r in Devices.Refused)
        {
            output.WriteLine($"refused: {r.Backend.ToString().ToLowerInvariant()} device '{r.Name}' — {r.Reason}");
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
