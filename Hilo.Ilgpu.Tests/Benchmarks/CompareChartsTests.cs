using System.Xml.Linq;
using Hilo.Ilgpu.Benchmarks;

namespace Hilo.Ilgpu.Tests.Benchmarks;

/// <summary>
/// <see cref="CompareCharts"/> on made-up results (no device needed): PNG and SVG files of the size asked for, with
/// the text drawn (title, axis labels, subjects, speed-ups), written atomically, and one clear error per bad input.
/// </summary>
public sealed class CompareChartsTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private readonly string dir = Directory.CreateTempSubdirectory("hilo-charts-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static CompareResult Row(string device, string name, double imagesPerSecond, double? speedUp) => new()
    {
        Device = device, DeviceName = device == "cpu" ? "ILGPU CPU accelerator" : "Some GPU", DeviceKind = device == "cpu" ? "cpu" : "gpu",
        Protocol = "attention", Name = name, Batch = 64, Runs = 30, TotalMilliseconds = 64 * 30 * 1000 / imagesPerSecond,
        Parameters = 1, Flops = 1, PeakMemoryBytes = 1, SpeedUp = speedUp,
    };

    private static List<CompareResult> TwoDevices(double gpuFactor) =>
    [
        Row("cpu", "hilo", 90, 2.25), Row("cpu", "msa", 40, 1),
        Row("cuda:0", "hilo", 90 * gpuFactor, 2.25), Row("cuda:0", "msa", 40 * gpuFactor, 1),
    ];

    [Theory]
    [InlineData("chart.png", 1000, 560)]
    [InlineData("small.PNG", 640, 400)]
    public void PngHasTheSizeAskedFor(string file, int width, int height)
    {
        string path = Path.Combine(dir, file);
        CompareCharts.Save(TwoDevices(3), path, width, height);
        Assert.Equal((width, height), ChartFiles.PngSize(path));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void SvgHasTheSizeAskedForAndItsText()
    {
        string path = Path.Combine(dir, "chart.svg");
        CompareCharts.Save(TwoDevices(3), path, 900, 500);
        var (width, height, svg) = ChartFiles.SvgSize(File.ReadAllText(path));
        Assert.Equal((900, 500), (width, height));
        // The text is drawn (a machine without fonts would give bars only): title, axis labels, legend, bar labels.
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value.Trim()).ToList();
        foreach (string expected in new[] { "Attention layers: attention protocol, batch 64, 30 timed runs", "throughput (images/s)", "HiLo", "MSA", "2.25×", "cuda:0 (GPU)" })
        {
            Assert.Contains(expected, texts);
        }
        Assert.All(svg.Descendants(Svg + "text"), t => Assert.False(string.IsNullOrEmpty((string?)t.Attribute("font-family"))));
    }

    [Fact]
    public void ProvenanceGoesUnderTheChartCutToItsWidth()
    {
        var provenance = new RunProvenance
        {
            Command = "hilo compare --devices cpu,cuda:0 --json 'results/my run.json'",
            HiloVersion = "9.8.7",
            Date = new DateTimeOffset(2026, 12, 7, 17, 30, 5, TimeSpan.Zero),
            Machine = "Some CPU, 2 logical CPUs, Debian GNU/Linux 12, .NET 10",
        };
        var texts = Texts(CompareCharts.RenderSvg(TwoDevices(3), provenance: provenance));
        Assert.Contains("2026-12-07T17:30:05Z · hilo 9.8.7 · Some CPU, 2 logical CPUs, Debian GNU/Linux 12, .NET 10", texts);
        Assert.Contains(provenance.Command, texts);
        Assert.Contains("device (bar labels: images/s, speed-up over MSA on the same device)", texts);

        // At the narrowest chart a long command is cut with an ellipsis rather than run off the picture.
        var narrow = Texts(CompareCharts.RenderSvg(TwoDevices(3), CompareCharts.MinWidth, CompareCharts.MinHeight, provenance with { Command = "hilo compare " + new string('x', 200) }));
        string cut = Assert.Single(narrow, t => t.StartsWith("hilo compare xxx", StringComparison.Ordinal));
        Assert.EndsWith("…", cut, StringComparison.Ordinal);
        Assert.True(cut.Length * 7 <= CompareCharts.MinWidth, cut);
    }

    [Fact]
    public void DevicesFarApartGetALogAxis()
    {
        var texts = Texts(CompareCharts.RenderSvg(TwoDevices(1000)));
        Assert.Contains("throughput (images/s, log scale)", texts);
        Assert.Contains("1,000", texts);
        Assert.DoesNotContain("throughput (images/s)", texts);
        Assert.Contains("throughput (images/s)", Texts(CompareCharts.RenderSvg(TwoDevices(3))));
    }

    [Fact]
    public void ModelsAreNamedAndWithoutSpeedUpHaveNoSpeedUpLabel()
    {
        var rows = new List<CompareResult> { Row("cpu", "litv2-s", 12.5, null) with { Protocol = "model" } };
        var texts = Texts(CompareCharts.RenderSvg(rows, 600, 400));
        Assert.Contains("LITv2-S", texts);
        Assert.Contains("12.5", texts);
        Assert.DoesNotContain(texts, t => t.EndsWith('×'));
        Assert.Contains("LITv2 models: model protocol, batch 64, 30 timed runs", texts);
    }

    [Theory]
    [InlineData("chart.jpg", "extension '.jpg': use .png or .svg")]
    [InlineData("chart", "no extension: use .png or .svg")]
    public void OtherExtensionsAreRefusedAndNothingIsWritten(string file, string message)
    {
        string path = Path.Combine(dir, file);
        var e = Assert.Throws<ArgumentException>(() => CompareCharts.Save(TwoDevices(3), path));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void BadInputsAreNamed()
    {
        string path = Path.Combine(dir, "chart.png");
        Assert.Contains("no results", Assert.Throws<ArgumentException>(() => CompareCharts.Save([], path)).Message, StringComparison.Ordinal);
        Assert.Contains("100×100 is too small", Assert.Throws<ArgumentException>(() => CompareCharts.Save(TwoDevices(3), path, 100, 100)).Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    private static List<string> Texts(string svg) =>
        XDocument.Parse(svg).Descendants(Svg + "text").Select(t => t.Value.Trim()).ToList();
}
