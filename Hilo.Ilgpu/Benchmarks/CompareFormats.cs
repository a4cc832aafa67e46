using System.Globalization;
using System.Text;
using System.Text.Json;
using Hilo.Ilgpu.Analysis;
using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Benchmarks;

/// <summary>The table, JSON and CSV forms of a <see cref="CompareReport"/> (files are written atomically).</summary>
public static class CompareFormats
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The CSV header (one row per result follows).</summary>
    public const string CsvHeader = "device,device_name,device_kind,protocol,name,batch,images_per_second,ms_per_batch,speed_up,params,flops,peak_memory_bytes";

    /// <summary>
    /// Writes <c>{"provenance": {...}, "results":[{"device", "device_name", "device_kind", "protocol", "name", "batch", "images_per_second",
    /// "ms_per_batch", "params", "flops", "peak_memory_bytes"}, ...]}</c> (flops per image, in multiply-adds; the
    /// provenance, <see cref="RunProvenance.WriteJson"/>, only when given).
    /// </summary>
    public static void WriteJson(Stream stream, IReadOnlyList<CompareResult> results, RunProvenance? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        provenance?.WriteJson(json);
        json.WriteStartArray("results");
        foreach (var r in results)
        {
            json.WriteStartObject();
            json.WriteString("device", r.Device);
            json.WriteString("device_name", r.DeviceName);
            json.WriteString("device_kind", r.DeviceKind);
            json.WriteString("protocol", r.Protocol);
            json.WriteString("name", r.Name);
            json.WriteNumber("batch", r.Batch);
            json.WriteNumber("images_per_second", Math.Round(r.ImagesPerSecond, 3));
            json.WriteNumber("ms_per_batch", Math.Round(r.MillisecondsPerBatch, 4));
            json.WriteNumber("params", r.Parameters);
            json.WriteNumber("flops", r.Flops);
            json.WriteNumber("peak_memory_bytes", r.PeakMemoryBytes);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// Writes the results as CSV (<see cref="CsvHeader"/>; speed_up empty where there is no reference), with
    /// <paramref name="provenance"/>'s columns that the header lacks (<see cref="RunProvenance.ExtraColumns"/>) at the end of every row.
    /// </summary>
    public static void WriteCsv(TextWriter writer, IReadOnlyList<CompareResult> results, RunProvenance? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(results);
        var extra = provenance is null ? [] : RunProvenance.ExtraColumns(CsvHeader);
        string tail = provenance is null ? "" : "," + string.Join(",", provenance.Values(extra).Select(Csv));
        writer.Write(CsvHeader + string.Concat(extra.Select(c => "," + c)) + "\n");
        foreach (var r in results)
        {
            string[] cells =
            [
                r.Device, r.DeviceName, r.DeviceKind, r.Protocol, r.Name, r.Batch.ToString(Invariant),
                r.ImagesPerSecond.ToString("0.###", Invariant), r.MillisecondsPerBatch.ToString("0.####", Invariant),
                r.SpeedUp?.ToString("0.###", Invariant) ?? "", r.Parameters.ToString(Invariant), r.Flops.ToString(Invariant),
                r.PeakMemoryBytes.ToString(Invariant),
            ];
            writer.Write(string.Join(",", cells.Select(Csv)) + tail + "\n");
        }
    }

    /// <summary>Writes <paramref name="results"/> as JSON to <paramref name="path"/>, atomically.</summary>
    public static void WriteJsonFile(string path, IReadOnlyList<CompareResult> results) => AtomicFile.Write(path, s => WriteJson(s, results));

    /// <summary>Writes <paramref name="results"/> as CSV to <paramref name="path"/>, atomically.</summary>
    public static void WriteCsvFile(string path, IReadOnlyList<CompareResult> results) => WriteText(path, w => WriteCsv(w, results));

    /// <summary>Writes text to <paramref name="path"/> (UTF-8, no BOM), atomically.</summary>
    public static void WriteText(string path, Action<TextWriter> write) => AtomicFile.WriteText(path, write);

    /// <summary>Prints the results as an aligned table (one block of rows per device).</summary>
    public static void WriteTable(TextWriter writer, IReadOnlyList<CompareResult> results)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(results);
        string[] header = ["device", "name", "batch", "images/s", "ms/batch", "speed-up", "params", "FLOPs", "peak memory"];
        var rows = results.Select(r => new[]
        {
            r.Device + " (" + r.DeviceName + ")", r.Name, r.Batch.ToString(Invariant), r.ImagesPerSecond.ToString("0.0", Invariant),
            r.MillisecondsPerBatch.ToString("0.0", Invariant), r.SpeedUp is { } s ? s.ToString("0.00", Invariant) + "×" : "—",
            Complexity.Format(r.Parameters, 2), Complexity.Format(r.Flops), FormatBytes(r.PeakMemoryBytes),
        }).ToList();
        int[] widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        bool[] right = [false, false, true, true, true, true, true, true, true];
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => right[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
        writer.WriteLine(Line(header));
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            writer.WriteLine(Line(row));
        }
    }

    /// <summary>Bytes in MiB/GiB, e.g. <c>412.5 MiB</c>.</summary>
    public static string FormatBytes(long bytes) =>
        bytes >= 1L << 30 ? (bytes / (double)(1L << 30)).ToString("0.00", Invariant) + " GiB"
        : (bytes / (double)(1L << 20)).ToString("0.0", Invariant) + " MiB";

    private static string Csv(string cell) => CsvText.Cell(cell);
}
