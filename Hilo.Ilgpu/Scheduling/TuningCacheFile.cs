using System.Globalization;
using System.Text.Json;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>
/// The tuning cache's JSON format (docs/scheduler.md): <c>{"format": "hilo-tuning-cache", "version": 1,
/// "entries": [{"device", "device_name", "driver", "operation", "shape", "choice", "ms": {name: ms}, "stopped": [...],
/// "measured_at"}]}</c>. Reading is defensive: a file over <see cref="MaxBytes"/>, not JSON, or not this format is
/// reported as a problem, never thrown; malformed entries are skipped and counted.
/// </summary>
internal static class TuningCacheFile
{
    public const string Format = "hilo-tuning-cache";

    public const int Version = 1;

    /// <summary>Largest file read (thousands of entries fit in far less).</summary>
    public const long MaxBytes = 4L << 20;

    /// <summary>
    /// What reading found: the entries, and a problem when the file was ignored (then it must not be overwritten). A
    /// <paramref name="Corrupt"/> file (not JSON, not a tuning cache, oversized) is moved aside by the cache and a new
    /// one started; one of another version or that cannot be read is left alone.
    /// </summary>
    public sealed record ReadResult(List<TuningEntry> Entries, string? Problem, int SkippedEntries, string? Why = null, bool Corrupt = false)
    {
        public bool Ignored => Problem is not null;
    }

    public static ReadResult Read(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return new ReadResult([], null, 0);
            }
            if (info.Length > MaxBytes)
            {
                return Ignore(path, $"is {info.Length} bytes, over the {MaxBytes}-byte limit of a tuning cache", corrupt: true);
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Ignore(path, $"cannot be read ({e.Message})");
        }
        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) ||
                format.ValueKind != JsonValueKind.String || format.GetString() != Format)
            {
                return Ignore(path, $"is not a hilo tuning cache (no \"format\": \"{Format}\")", corrupt: true);
            }
            if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out int v) || v != Version)
            {
                return Ignore(path, $"has tuning cache version {(root.TryGetProperty("version", out var raw) ? raw.GetRawText() : "(none)")}; this hilo reads version {Version}");
            }
            var entries = new List<TuningEntry>();
            int skipped = 0;
            if (root.TryGetProperty("entries", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    if (TryEntry(item) is { } entry)
                    {
                        entries.Add(entry);
                    }
                    else
                    {
                        skipped++;
                    }
                }
            }
            return new ReadResult(entries, null, skipped);
        }
        catch (JsonException e)
        {
            return Ignore(path, $"is not valid JSON ({e.Message})", corrupt: true);
        }
    }

    private static ReadResult Ignore(string path, string why, bool corrupt = false) =>
        new([], $"tuning cache {path} {why}: ignored and left as it is (delete it to let hilo write a new one).", 0, why, corrupt);

    private static TuningEntry? TryEntry(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        string? device = Text(e, "device"), name = Text(e, "device_name"), driver = Text(e, "driver");
        string? operation = Text(e, "operation"), shape = Text(e, "shape"), choice = Text(e, "choice");
        if (device is null || name is null || driver is null || operation is null || shape is null || choice is null ||
            operation.Length == 0 || shape.Length == 0 || choice.Length == 0)
        {
            return null;
        }
        var ms = new Dictionary<string, double>(StringComparer.Ordinal);
        if (e.TryGetProperty("ms", out var times) && times.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in times.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out double t) || !double.IsFinite(t) || t < 0)
                {
                    return null;
                }
                ms[p.Name] = t;
            }
        }
        var stopped = new List<string>();
        if (e.TryGetProperty("stopped", out var s) && s.ValueKind == JsonValueKind.Array)
        {
            stopped.AddRange(s.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!));
        }
        var at = DateTimeOffset.UnixEpoch;
        if (Text(e, "measured_at") is { } when)
        {
            _ = DateTimeOffset.TryParse(when, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);
        }
        return new TuningEntry
        {
            Key = new TuningKey(device, name, driver, operation, shape),
            Choice = choice,
            Milliseconds = ms,
            Stopped = stopped,
            MeasuredAt = at,
        };
    }

    private static string? Text(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static void Write(Stream stream, IEnumerable<TuningEntry> entries)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteNumber("version", Version);
        w.WriteStartArray("entries");
        foreach (var entry in entries)
        {
            var k = entry.Key;
            w.WriteStartObject();
            w.WriteString("device", k.DeviceId);
            w.WriteString("device_name", k.DeviceName);
            w.WriteString("driver", k.Driver);
            w.WriteString("operation", k.Operation);
            w.WriteString("shape", k.Shape);
            w.WriteString("choice", entry.Choice);
            w.WriteStartObject("ms");
            foreach (var (name, ms) in entry.Milliseconds)
            {
                w.WriteNumber(name, Math.Round(ms, 4));
            }
            w.WriteEndObject();
            w.WriteStartArray("stopped");
            foreach (string name in entry.Stopped)
            {
                w.WriteStringValue(name);
            }
            w.WriteEndArray();
            w.WriteString("measured_at", entry.MeasuredAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
