using System.Text.Json;
using Hilo.Ilgpu.Benchmarks;
using Hilo.Ilgpu.Cli;
using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Cli;

/// <summary>
/// <c>hilo compare</c> through its handler on a small shape (the protocols' code paths, not their timings): the table,
/// the JSON/CSV/HTML/chart files, skipped devices and one clear error line per bad option. No timing is asserted.
/// </summary>
public sealed class CompareCommandTests : IDisposable
{
    private static readonly string[] JsonKeys =
        ["device", "device_name", "device_kind", "protocol", "name", "batch", "images_per_second", "ms_per_batch", "params", "flops", "peak_memory_bytes"];

    private readonly string dir = Directory.CreateTempSubdirectory("hilo-compare-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Temp(string file) => Path.Combine(dir, file);

    // 4×4 tokens, 32 channels, 4 heads; the local window 2 so that it is a real window.
    private static CompareSettings Small(CompareSettings s) => s with { MapSide = 4, Dim = 32, Heads = 4, LocalWindow = 2, ImageSize = 32 };

    private static (int Code, string Out, string Err) Run(CompareOptions options)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CompareCommand.Run(options, output, error, Small);
        return (code, output.ToString(), error.ToString());
    }

    private static CompareOptions Tiny(string devices) => new() { Devices = devices, Batch = 2, Runs = 1, Warmup = 1, CommandLine = "hilo compare --devices " + devices };

    [Fact]
    public void AttentionProtocolOnTheManagedCpuWritesEveryFormat()
    {
        var (code, output, err) = Run(Tiny("cpu") with { Json = Temp("r.json"), Csv = Temp("r.csv"), Html = Temp("r.html") });
        Assert.True(code == 0, err);
        Assert.Contains("[1/4] cpu hilo", err, StringComparison.Ordinal);
        foreach (string name in CompareSettings.AttentionNames)
        {
            Assert.Contains(name, output, StringComparison.Ordinal);
        }
        Assert.Contains("1.00×", output, StringComparison.Ordinal);   // MSA is its own reference

        using var json = JsonDocument.Parse(File.ReadAllText(Temp("r.json")));
        Assert.Equal(["provenance", "results"], json.RootElement.EnumerateObject().Select(p => p.Name));
        var provenance = json.RootElement.GetProperty("provenance");
        Assert.Equal("hilo compare --devices cpu", provenance.GetProperty("command").GetString());
        Assert.Equal("hilo,sra,local-window,msa", provenance.GetProperty("model").GetString());
        Assert.Equal("random, seed 0", provenance.GetProperty("weights").GetString());
        Assert.StartsWith("cpu: ILGPU CPU accelerator", provenance.GetProperty("device").GetString(), StringComparison.Ordinal);
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(CompareSettings.AttentionNames, results.Select(r => r.GetProperty("name").GetString()));
        foreach (var r in results)
        {
            Assert.Equal(JsonKeys, r.EnumerateObject().Select(p => p.Name));
            Assert.Equal("cpu", r.GetProperty("device").GetString());
            Assert.Equal("cpu", r.GetProperty("device_kind").GetString());
            Assert.Equal("attention", r.GetProperty("protocol").GetString());
            Assert.Equal(2, r.GetProperty("batch").GetInt32());
            Assert.True(r.GetProperty("images_per_second").GetDouble() > 0);
            Assert.True(r.GetProperty("ms_per_batch").GetDouble() > 0);
            Assert.True(r.GetProperty("params").GetInt64() > 0);
            Assert.True(r.GetProperty("flops").GetInt64() > 0);
            Assert.True(r.GetProperty("peak_memory_bytes").GetInt64() > 0);
        }

        var csv = File.ReadAllLines(Temp("r.csv"));
        // The results' columns, then the provenance's that they lack (each row has its own device).
        Assert.Equal(CompareFormats.CsvHeader + "," + string.Join(",", RunProvenance.Keys.Where(k => k != "device")), csv[0]);
        Assert.Equal(5, csv.Length);
        var (_, rows) = CsvRows.Parse(File.ReadAllText(Temp("r.csv")));
        Assert.All(rows, r => Assert.Equal((provenance.GetProperty("date").GetString(), "hilo compare --devices cpu"), (r["date"], r["command"])));
        Assert.StartsWith("cpu,\"ILGPU CPU accelerator", csv[1], StringComparison.Ordinal);   // the name has a comma: quoted
        Assert.Contains(",1," + results[3].GetProperty("params").GetInt64() + "," + results[3].GetProperty("flops").GetInt64() + ","
            + results[3].GetProperty("peak_memory_bytes").GetInt64() + ",hilo compare", csv[4], StringComparison.Ordinal);

        string html = File.ReadAllText(Temp("r.html"));
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Equal(1, Count(html, "<svg"));   // the chart, inline
        Assert.Equal(4, Count(html, "<tr data-device=\"cpu\">"));
        Assert.DoesNotContain("<?xml", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.Contains($"<p class=\"provenance\">Measured {provenance.GetProperty("date").GetString()} with <code>hilo compare --devices cpu</code>", html, StringComparison.Ordinal);
        // Self-contained: the only addresses are the SVG's namespace names, which nothing fetches.
        Assert.DoesNotContain("http", html.Replace("\"http://www.w3.org/2000/svg\"", "", StringComparison.Ordinal)
            .Replace("\"http://www.w3.org/1999/xlink\"", "", StringComparison.Ordinal), StringComparison.Ordinal);
        int start = html.IndexOf("<svg", StringComparison.Ordinal), end = html.IndexOf("</svg>", StringComparison.Ordinal) + "</svg>".Length;
        var svg = System.Xml.Linq.XDocument.Parse(html[start..end]).Root!;
        Assert.Equal("0 0 1000 560", (string?)svg.Attribute("viewBox"));
        Assert.Contains(svg.Descendants(svg.Name.Namespace + "text"), t => t.Value.Trim() == "HiLo");
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void CpuAndOpenClMakeOneHtmlGroupEach()
    {
        var cl = DeviceRequirement.RequireDevice(BackendKind.OpenCL);
        var (code, output, err) = Run(Tiny("cpu," + cl.Id) with { Models = "hilo,msa", Html = Temp("r.html"), Json = Temp("r.json") });
        Assert.True(code == 0, err);
        Assert.Contains(cl.Id, output, StringComparison.Ordinal);
        string html = File.ReadAllText(Temp("r.html"));
        Assert.Equal(2, Count(html, "<tr data-device=\"cpu\">"));
        Assert.Equal(2, Count(html, $"<tr data-device=\"{cl.Id}\">"));
        Assert.Contains($"{cl.Id} (", html, StringComparison.Ordinal);   // the chart's group label
        using var json = JsonDocument.Parse(File.ReadAllText(Temp("r.json")));
        var devices = json.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("device").GetString()).ToList();
        Assert.Equal(["cpu", "cpu", cl.Id, cl.Id], devices);
    }

    [Theory]
    [InlineData("chart.png")]
    [InlineData("chart.svg")]
    public void ChartIsDrawnAfterTheRun(string file)
    {
        var (code, _, err) = Run(Tiny("cpu") with { Models = "hilo,msa", Chart = Temp(file) });
        Assert.True(code == 0, err);
        Assert.Contains("wrote " + Temp(file), err, StringComparison.Ordinal);
        if (file.EndsWith(".png", StringComparison.Ordinal))
        {
            Assert.Equal((CompareCharts.DefaultWidth, CompareCharts.DefaultHeight), ChartFiles.PngSize(Temp(file)));
        }
        else
        {
            var (width, height, svg) = ChartFiles.SvgSize(File.ReadAllText(Temp(file)));
            Assert.Equal((CompareCharts.DefaultWidth, CompareCharts.DefaultHeight), (width, height));
            Assert.Contains(svg.Descendants(svg.Root!.Name.Namespace + "text"), t => t.Value.Trim() == "cpu (CPU)");
        }
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void ModelProtocolRunsLitv2AndComparesWithTheFirstModel()
    {
        var (code, output, err) = Run(Tiny("cpu") with { Protocol = "model", Models = "litv2-s", Batch = 1, Json = Temp("m.json") });
        Assert.True(code == 0, err);
        Assert.Contains("litv2-s", output, StringComparison.Ordinal);
        Assert.Contains("27.84M", output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Temp("m.json")));
        var r = Assert.Single(json.RootElement.GetProperty("results").EnumerateArray().ToList());
        Assert.Equal("model", r.GetProperty("protocol").GetString());
        Assert.Equal(27_844_000, r.GetProperty("params").GetInt64());
    }

    [Fact]
    public void MissingDevicesAreSkippedWithTheReason()
    {
        var (code, output, err) = Run(Tiny("cpu,cuda:7") with { Models = "hilo" });
        Assert.True(code == 0, err);
        Assert.Contains("skipped cuda:7:", err, StringComparison.Ordinal);
        Assert.Contains("hilo", output, StringComparison.Ordinal);

        (code, _, err) = Run(Tiny("cuda:7") with { Models = "hilo" });
        Assert.Equal(1, code);
        Assert.Contains("error: no device could be measured", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("protocol", "--protocol must be attention or model")]
    [InlineData("batch", "--batch must be at least 1")]
    [InlineData("runs", "--runs must be at least 1")]
    [InlineData("warmup", "--warmup must be at least 0")]
    [InlineData("model-name", "unknown attention 'resnet'")]
    [InlineData("model-for-protocol", "unknown model 'hilo' for --protocol model")]
    [InlineData("empty-device", "--devices has an empty entry")]
    [InlineData("twice", "a name is listed twice")]
    [InlineData("output-dir", "r.json: the output folder")]
    [InlineData("chart-extension", "has extension '.gif': use .png or .svg")]
    public void BadOptionsGiveOneErrorLine(string what, string message)
    {
        var options = Tiny("cpu");
        options = what switch
        {
            "protocol" => options with { Protocol = "layer" },
            "batch" => options with { Batch = 0 },
            "runs" => options with { Runs = 0 },
            "warmup" => options with { Warmup = -1 },
            "model-name" => options with { Models = "hilo,resnet" },
            "model-for-protocol" => options with { Protocol = "model", Models = "hilo" },
            "empty-device" => options with { Devices = "cpu,,opencl:0" },
            "twice" => options with { Models = "hilo,HILO" },
            "chart-extension" => options with { Chart = Path.Combine(dir, "c.gif") },
            _ => options with { Json = Path.Combine(dir, "missing", "r.json") },
        };
        var (code, output, err) = Run(options);
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.StartsWith("error: ", err, StringComparison.Ordinal);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void DefaultsAreThePapersSettings()
    {
        var s = CompareCommand.Settings(new CompareOptions());
        Assert.Equal((CompareProtocol.Attention, 64, 30), (s.Protocol, s.Batch, s.Runs));
        Assert.Equal((14, 768, 12, 2, 0.9, 7), (s.MapSide, s.Dim, s.Heads, s.HiLoWindow, s.Alpha, s.LocalWindow));
        Assert.Equal(CompareSettings.AttentionNames, s.EffectiveNames);
        var m = CompareCommand.Settings(new CompareOptions { Protocol = "model" });
        Assert.Equal(["litv2-s", "litv2-m", "litv2-b"], m.EffectiveNames);
        Assert.Equal(224, m.ImageSize);
    }

    private static int Count(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
