using System.Text.Json;
using Hilo.Ilgpu.Benchmarks;
using Hilo.Ilgpu.Cli;

namespace Hilo.Ilgpu.Tests.Scheduling;

/// <summary><c>hilo tune</c> through its handler on a small shape with a temporary cache: tune, show, clear, bad files and options.</summary>
public sealed class TuneCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-tune-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string CachePath => Path.Combine(dir, "tuning.json");

    private static CompareSettings Small(CompareSettings s) => s with { MapSide = 4, Dim = 32, Heads = 4, LocalWindow = 2, ImageSize = 32 };

    private static (int Code, string Out, string Err) Run(TuneOptions options)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TuneCommand.Run(options, output, error, Small);
        return (code, output.ToString(), error.ToString());
    }

    private TuneOptions Options(params string[] devices) => new() { Devices = devices, Protocol = "attention", Batch = 1, Cache = CachePath };

    [Fact]
    public void TuningTheAttentionProtocolOnTheManagedCpuFillsTheCache()
    {
        var (code, output, err) = Run(Options("cpu"));
        Assert.True(code == 0, err);
        Assert.Contains("[1/4] cpu hilo", err, StringComparison.Ordinal);
        Assert.Contains("linear m=16,k=32,n=", err, StringComparison.Ordinal);
        Assert.Contains("→", err, StringComparison.Ordinal);
        Assert.Contains("choice", output, StringComparison.Ordinal);
        Assert.Contains($"tuning cache: {CachePath}", output, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(CachePath));
        var entries = doc.RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.NotEmpty(entries);
        Assert.All(entries, e => Assert.Equal("cpu", e.GetProperty("device").GetString()));
        Assert.All(entries, e => Assert.True(e.GetProperty("ms").TryGetProperty(e.GetProperty("choice").GetString()!, out _)));
        int measured = output.Split('\n').Count(l => l.Contains(" measured ", StringComparison.Ordinal));
        Assert.Equal(entries.Count, measured);

        // Again: everything comes from the cache.
        var (code2, output2, _) = Run(Options("cpu"));
        Assert.Equal(0, code2);
        Assert.DoesNotContain(" measured ", output2, StringComparison.Ordinal);
        Assert.Contains(" cached ", output2, StringComparison.Ordinal);

        var (code3, shown, _) = Run(Options("cpu") with { Show = true });
        Assert.Equal(0, code3);
        Assert.Equal(entries.Count, shown.Split('\n').Count(l => l.StartsWith("cpu ", StringComparison.Ordinal)));

        var (code4, cleared, _) = Run(Options("opencl:7") with { Clear = true });
        Assert.Equal(0, code4);
        Assert.Contains("removed 0 entries", cleared, StringComparison.Ordinal);
        var (code5, cleared2, _) = Run(Options("cpu") with { Clear = true });
        Assert.Equal(0, code5);
        Assert.Contains($"removed {entries.Count} entr", cleared2, StringComparison.Ordinal);
        var (_, empty, _) = Run(Options() with { Show = true });
        Assert.Contains("no tuning entries", empty, StringComparison.Ordinal);
    }

    [Fact]
    public void ACorruptCacheIsReportedOnceAndMovedAside()
    {
        File.WriteAllText(CachePath, "{ not json");
        var (code, output, err) = Run(Options("cpu") with { Show = true });
        Assert.Equal(0, code);
        Assert.Contains("note: tuning cache", err, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", err, StringComparison.Ordinal);
        Assert.Contains("moved to", err, StringComparison.Ordinal);
        Assert.Contains("no tuning entries", output, StringComparison.Ordinal);
        string aside = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(CachePath)!, "tuning.json.corrupt-*"));
        Assert.Equal("{ not json", File.ReadAllText(aside));
        var (_, _, again) = Run(Options("cpu") with { Show = true });
        Assert.DoesNotContain("note: tuning cache", again, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("speed", null, false, "--protocol must be attention, model or all")]
    [InlineData("model", "litv2-x", false, "unknown model 'litv2-x'")]
    [InlineData("attention", null, true, "cannot be combined")]
    public void BadOptionsEndInOneErrorLine(string protocol, string? models, bool showAndClear, string message)
    {
        var (code, _, err) = Run(Options("cpu") with { Protocol = protocol, Models = models, Show = showAndClear, Clear = showAndClear });
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", err, StringComparison.Ordinal);
        Assert.Contains(message, err, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingDeviceIsSkippedWithTheReason()
    {
        var (code, _, err) = Run(Options("opencl:99"));
        Assert.Equal(1, code);
        Assert.Contains("skipped opencl:99", err, StringComparison.Ordinal);
        Assert.Contains("error: no device could be tuned", err, StringComparison.Ordinal);
    }
}
