using Hilo.Ilgpu.Kernels.Runtime;

namespace Hilo.Samples.VectorAdd;

/// <summary>The sample's command line: SAXPY on the device named by the first argument, or one clear error line.</summary>
public static class VectorAddProgram
{
    /// <summary>Runs the sample; 0, or 1 after an <c>error:</c> line when the device is not there (no stack trace).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string device = args.Length > 0 ? args[0] : "cpu";
        var x = Enumerable.Range(0, 1000).Select(i => (float)i).ToArray();
        var y = Enumerable.Repeat(1f, 1000).ToArray();
        try
        {
            var result = SaxpyDemo.Run(device, 2f, x, y);
            output.WriteLine($"{Devices.Find(device).Name}: y[0..4] = {string.Join(", ", result.Take(4))} ... y[999] = {result[999]}");
            return 0;
        }
        catch (DeviceNotFoundException e)
        {
            // A machine without the device (or without its driver) is a user's situation, not a crash.
            error.WriteLine($"error: {e.Message.Trim()} (run 'dotnet run -c Release --project Hilo.Ilgpu.Cli -- devices' to see what is here)");
            return 1;
        }
    }
}
