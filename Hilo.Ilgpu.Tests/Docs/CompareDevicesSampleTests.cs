using Hilo.Ilgpu.Benchmarks;
using Hilo.Samples.CompareDevices;

namespace Hilo.Ilgpu.Tests.Docs;

/// <summary>samples/CompareDevices: its routine on the CPU device, on a small shape, prints the table and draws the PNG.</summary>
public sealed class CompareDevicesSampleTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-sample-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void RunsOnTheCpuAndDrawsTheChart()
    {
        string chart = Path.Combine(dir, "devices.png");
        var output = new StringWriter();
        var small = CompareDevicesDemo.Settings with { MapSide = 4, Dim = 32, Heads = 4, Batch = 2, Runs = 1 };
        var report = CompareDevicesDemo.Run(["cpu"], chart, output, small);
        Assert.Equal(["hilo", "msa"], report.Results.Select(r => r.Name));
        Assert.Contains("hilo", output.ToString(), StringComparison.Ordinal);
        Assert.Equal((CompareCharts.DefaultWidth, CompareCharts.DefaultHeight), ChartFiles.PngSize(chart));
    }

    [Fact]
    public void SettingsAreTheSmallAttentionProtocol()
    {
        var s = CompareDevicesDemo.Settings;
        Assert.Equal((CompareProtocol.Attention, 14, 768), (s.Protocol, s.MapSide, s.Dim));
        s.Validate();
    }
}
