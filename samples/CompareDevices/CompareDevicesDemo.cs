using Hilo.Ilgpu.Benchmarks;

namespace Hilo.Samples.CompareDevices;

/// <summary>Times one HiLo attention layer (and MSA, its reference) on devices, prints the table, draws the chart.</summary>
public static class CompareDevicesDemo
{
    /// <summary>
    /// A small version of the paper's attention protocol: 14×14 tokens of 768 channels, batch 8, 5 timed passes;
    /// MSA is there so that each device shows HiLo's speed-up over it.
    /// </summary>
    public static CompareSettings Settings { get; } = new() { Names = ["hilo", "msa"], Batch = 8, Runs = 5, Warmup = 1 };

    /// <summary>Measures on <paramref name="devices"/> (e.g. "cpu", "opencl:0", "cuda:0") and writes the chart to <paramref name="chartPath"/> (.png or .svg).</summary>
    /// <param name="devices">Device strings; <see cref="CompareRunner.AllDevices"/> lists every device present.</param>
    /// <param name="chartPath">The chart file to write.</param>
    /// <param name="output">Receives the table.</param>
    /// <param name="settings">What to measure; <see cref="Settings"/> when null.</param>
    public static CompareReport Run(IReadOnlyList<string> devices, string chartPath, TextWriter output, CompareSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        CompareCharts.CheckPath(chartPath);                                   // a bad extension fails before minutes of timing
        var report = CompareRunner.Run(devices, settings ?? Settings);          // skips a device that cannot run, with the reason
        foreach (var skipped in report.Skipped)
        {
            output.WriteLine($"skipped {skipped.Device}: {skipped.Reason}");
        }
        CompareFormats.WriteTable(output, report.Results);
        CompareCharts.Save(report, chartPath);                                  // PNG or SVG by the extension
        return report;
    }
}
