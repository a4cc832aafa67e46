using System.Text;
using System.Text.Json;
using Hilo.Ilgpu.Scheduling;

namespace Hilo.Ilgpu.Tests.Scheduling;

/// <summary>The tuning cache file: round trip, keys, default path, and bad files that must be ignored and left alone.</summary>
public sealed class TuningCacheTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-tuning-cache-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string File(string name = "tuning.json") => Path.Combine(dir, name);

    private static TuningKey Key(string device = "cpu", string name = "Test CPU", string driver = "1.0", string op = "linear", string shape = "m=8,k=4,n=4") =>
        new(device, name, driver, op, shape);

    private static TuningEntry Entry(TuningKey key, string choice = "panel") => new()
    {
        Key = key,
        Choice = choice,
        Milliseconds = new Dictionary<string, double> { ["panel"] = 1.25, ["tiled"] = 40.5 },
        Stopped = ["tiled"],
        MeasuredAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
    };

    [Fact]
    public void StoredEntriesReadBackFromANewInstance()
    {
        var entry = Entry(Key(shape: "m=12544,k=768,n=2304"));
        new TuningCache(File()).Store(entry);
        var again = new TuningCache(File());
        Assert.True(again.TryGet(entry.Key, out var read));
        Assert.Null(again.Problem);
        Assert.Equal("panel", read.Choice);
        Assert.Equal(1.25, read.Milliseconds["panel"]);
        Assert.Equal(40.5, read.Milliseconds["tiled"]);
        Assert.Equal(["tiled"], read.Stopped);
        Assert.Equal(entry.MeasuredAt, read.MeasuredAt);
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(File()));
        Assert.Equal("hilo-tuning-cache", doc.RootElement.GetProperty("format").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("version").GetInt32());
    }

    [Fact]
    public void KeysSeparateDevicesDriversOperationsAndShapes()
    {
        var cache = new TuningCache(File());
        cache.Store(Entry(Key(), "panel"));
        cache.Store(Entry(Key(driver: "2.0"), "tiled"));
        Assert.Equal("panel", Get(cache, Key()));
        Assert.Equal("tiled", Get(cache, Key(driver: "2.0")));
        Assert.False(cache.TryGet(Key(device: "opencl:0"), out _));
        Assert.False(cache.TryGet(Key(name: "Other CPU"), out _));
        Assert.False(cache.TryGet(Key(op: "attention"), out _));
        Assert.False(cache.TryGet(Key(shape: "m=16,k=4,n=4"), out _));
        Assert.Equal(2, new TuningCache(File()).Entries.Count);

        static string Get(TuningCache c, TuningKey k) => c.TryGet(k, out var e) ? e.Choice : "(none)";
    }

    [Fact]
    public void StoreMergesWhatAnotherProcessWrote()
    {
        var first = new TuningCache(File());
        var second = new TuningCache(File());
        Assert.Empty(first.Entries);
        Assert.Empty(second.Entries);
        first.Store(Entry(Key(shape: "a")));
        second.Store(Entry(Key(shape: "b")));
        Assert.Equal(["a", "b"], new TuningCache(File()).Entries.Select(e => e.Key.Shape).Order());
    }

    public static TheoryData<string, string> CorruptFiles => new()
    {
        { "not JSON", "{\"format\": \"hilo-tuning-cache\", \"version\": 1, \"entries\": [" },
        { "foreign JSON", "{\"name\": \"some other tool's settings\"}" },
        { "JSON array", "[1, 2, 3]" },
        { "binary", "\u0000\u0001\u0002garbage" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void ACorruptFileIsMovedAsideOnceAndANewCacheStarted(string what, string content)
    {
        System.IO.File.WriteAllText(File(), content);
        var cache = new TuningCache(File());
        Assert.Empty(cache.Entries);
        Assert.NotNull(cache.Problem);
        Assert.Contains("moved to", cache.Problem, StringComparison.Ordinal);
        string aside = Assert.Single(Directory.GetFiles(dir, "tuning.json.corrupt-*"));
        Assert.Equal(content, System.IO.File.ReadAllText(aside));
        cache.Store(Entry(Key()));
        Assert.True(new TuningCache(File()).TryGet(Key(), out _), what);
        // Said once: the new file is fine.
        Assert.Null(new TuningCache(File()).Problem);
    }

    [Fact]
    public void ConcurrentWritersLoseNoEntry()
    {
        // Three caches on one file (as three hilo tune processes), ten entries each, all at once.
        var caches = Enumerable.Range(0, 3).Select(_ => new TuningCache(File())).ToArray();
        Parallel.For(0, 30, new ParallelOptions { MaxDegreeOfParallelism = 6 }, i => caches[i % 3].Store(Entry(Key(shape: $"m={i}"))));
        Assert.Equal(30, new TuningCache(File()).Entries.Count);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "newer version", "{\"format\": \"hilo-tuning-cache\", \"version\": 99, \"entries\": []}" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void AFileOfAnotherVersionIsIgnoredWithAMessageAndNeverOverwritten(string what, string content)
    {
        System.IO.File.WriteAllText(File(), content);
        var cache = new TuningCache(File());
        Assert.Empty(cache.Entries);
        Assert.False(cache.TryGet(Key(), out _));
        Assert.NotNull(cache.Problem);
        Assert.Contains(File(), cache.Problem, StringComparison.Ordinal);
        cache.Store(Entry(Key()));
        // Kept in memory for this process, but the file is left exactly as it was.
        Assert.True(cache.TryGet(Key(), out _), what);
        Assert.Equal(content, System.IO.File.ReadAllText(File()));
    }

    [Fact]
    public void AnOversizedFileIsNotReadButMovedAside()
    {
        using (var f = System.IO.File.Create(File()))
        {
            f.Write(Encoding.UTF8.GetBytes("{\"format\": \"hilo-tuning-cache\", \"version\": 1, \"entries\": []}"));
            f.SetLength(5L << 20);
        }
        var cache = new TuningCache(File());
        Assert.Empty(cache.Entries);
        Assert.Contains("limit", cache.Problem, StringComparison.Ordinal);
        cache.Store(Entry(Key()));
        Assert.True(new FileInfo(File()).Length < 1 << 20);
        Assert.Equal(5L << 20, new FileInfo(Assert.Single(Directory.GetFiles(dir, "tuning.json.corrupt-*"))).Length);
    }

    [Fact]
    public void MalformedEntriesAreSkippedAndTheRestRead()
    {
        System.IO.File.WriteAllText(File(), """
            {"format": "hilo-tuning-cache", "version": 1, "entries": [
              {"device": "cpu", "device_name": "Test CPU", "driver": "1.0", "operation": "linear", "shape": "m=8,k=4,n=4", "choice": "panel", "ms": {"panel": 1.5}},
              {"device": "cpu", "operation": "linear"},
              {"device": "cpu", "device_name": "Test CPU", "driver": "1.0", "operation": "linear", "shape": "x", "choice": "panel", "ms": {"panel": "fast"}},
              42
            ]}
            """);
        var cache = new TuningCache(File());
        Assert.Equal("panel", Assert.Single(cache.Entries).Choice);
        Assert.Contains("3 malformed entries", cache.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void RemoveDropsTheSelectedEntriesFromTheFile()
    {
        var cache = new TuningCache(File());
        cache.Store(Entry(Key(device: "cpu")));
        cache.Store(Entry(Key(device: "opencl:0")));
        Assert.Equal(1, cache.Remove(k => k.DeviceId == "cpu"));
        Assert.Equal("opencl:0", Assert.Single(new TuningCache(File()).Entries).Key.DeviceId);
    }

    [Fact]
    public void TheDefaultPathFollowsTheEnvironmentRule()
    {
        Assert.Equal(Path.GetFullPath("/x/t.json"), TuningCache.ResolvePath("/x/t.json", "/xdg", "/home/u"));
        Assert.Equal(Path.Combine("/xdg", "hilo", "tuning.json"), TuningCache.ResolvePath(null, "/xdg", "/home/u"));
        Assert.Equal(Path.Combine("/home/u", ".cache", "hilo", "tuning.json"), TuningCache.ResolvePath("", "relative/xdg", "/home/u"));
        // The test run itself never touches the user's cache (TuningTestEnvironment).
        Assert.StartsWith(TuningTestEnvironment.Folder, TuningCache.DefaultPath(), StringComparison.Ordinal);
    }
}
