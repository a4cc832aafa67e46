using System.Text;
using System.Text.Json;
using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Validation;

/// <summary>
/// The results of a long run, appended batch by batch to a file (JSON lines: a header naming the run, then one line
/// per batch, flushed to disk before the next batch starts), so that a run stopped at any point — a pre-empted job, a
/// killed process — can be resumed: <see cref="Open"/> with <c>resume</c> reads the batches done and the run does
/// only the others. A last line cut short by the stop is dropped (its batch is done again). The header holds a
/// description of the run (dataset, model, weights, shard, batch size…); resuming under another description is
/// refused, so that a resumed run gives the results of one uninterrupted run.
/// </summary>
public sealed class ResultJournal : IDisposable
{
    private const string Magic = "hilo-journal";
    private readonly FileStream stream;

    private ResultJournal(string path, FileStream stream, IReadOnlyDictionary<int, IReadOnlyList<(int Index, ImageClassification Result)>> done)
    {
        Path = path;
        this.stream = stream;
        Done = done;
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>The batches read back on opening, by batch number: each file's position in the run's list and result.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<(int Index, ImageClassification Result)>> Done { get; }

    /// <summary>
    /// Opens the journal <paramref name="path"/> for the run described by <paramref name="run"/>: with
    /// <paramref name="resume"/>, the batches an earlier run with the same description recorded are read back (none when
    /// the file is missing); without, any old journal is replaced by an empty one.
    /// </summary>
    /// <param name="path">The journal file.</param>
    /// <param name="run">What the run is (compared exactly on resume).</param>
    /// <param name="resume">Read back what is there.</param>
    /// <param name="labels">Class names, to rebuild the results read back.</param>
    /// <exception cref="ArgumentException">The journal belongs to another run, or a line other than the last is corrupt; the message names the file.</exception>
    /// <exception cref="IOException">The file cannot be read or written.</exception>
    public static ResultJournal Open(string path, string run, bool resume, ClassLabels labels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(labels);
        var done = new Dictionary<int, IReadOnlyList<(int, ImageClassification)>>();
        long keep = 0;
        if (resume && File.Exists(path))
        {
            keep = ReadBack(path, run, labels, done);
        }
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            stream.SetLength(keep);
            stream.Position = keep;
            var journal = new ResultJournal(path, stream, done);
            if (keep == 0)
            {
                journal.WriteLine(w =>
                {
                    w.WriteString("journal", Magic);
                    w.WriteString("run", run);
                });
            }
            return journal;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Records batch <paramref name="batch"/>'s results (file position and result each) and flushes them to disk.</summary>
    public void Append(int batch, IReadOnlyList<(int Index, ImageClassification Result)> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        WriteLine(w =>
        {
            w.WriteNumber("batch", batch);
            w.WriteStartArray("images");
            foreach (var (index, r) in results)
            {
                w.WriteStartObject();
                w.WriteNumber("index", index);
                w.WriteString("path", r.Path);
                if (r.Error is not null)
                {
                    w.WriteString("error", r.Error);
                }
                w.WriteStartArray("top");
                foreach (var c in r.Top)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(c.Index);
                    w.WriteNumberValue(c.Probability);
                    w.WriteNumberValue(c.Logit);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    /// <summary>Closes and deletes the journal (once the run's outputs are written).</summary>
    public void Delete()
    {
        stream.Dispose();
        File.Delete(Path);
    }

    /// <inheritdoc/>
    public void Dispose() => stream.Dispose();

    private void WriteLine(Action<Utf8JsonWriter> body)
    {
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        stream.Flush(flushToDisk: true);
    }

    // Reads the header and the whole batch lines; returns the length of the part kept (a cut last line is not).
    private static long ReadBack(string path, string run, ClassLabels labels, Dictionary<int, IReadOnlyList<(int, ImageClassification)>> done)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long kept = 0;
        int line = 0;
        for (int start = 0; start < bytes.Length;)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            line++;
            if (end < 0)
            {
                break; // the last line was cut short by the stop: its batch is done again
            }
            try
            {
                using var document = JsonDocument.Parse(bytes.AsMemory(start, end - start));
                var root = document.RootElement;
                if (line == 1)
                {
                    if (!root.TryGetProperty("journal", out var magic) || magic.GetString() != Magic)
                    {
                        throw new ArgumentException($"journal {path} is not a hilo journal (its first line is no journal header); move it away or run without --resume");
                    }
                    string? theirs = root.GetProperty("run").GetString();
                    if (theirs != run)
                    {
                        throw new ArgumentException($"journal {path} was written by another run ({theirs}), not this one ({run}); run with the same dataset, model, weights, shard and batch, or without --resume to start over");
                    }
                }
                else
                {
                    done[root.GetProperty("batch").GetInt32()] = root.GetProperty("images").EnumerateArray().Select(i => Entry(i, labels)).ToList();
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                throw new ArgumentException($"journal {path} line {line} is corrupt ({e.Message}); move it away or run without --resume", e);
            }
            kept = end + 1;
            start = end + 1;
        }
        return kept;
    }

    private static (int, ImageClassification) Entry(JsonElement image, ClassLabels labels)
    {
        string path = image.GetProperty("path").GetString()!;
        string? error = image.TryGetProperty("error", out var e) ? e.GetString() : null;
        var top = image.GetProperty("top").EnumerateArray().Select(t =>
        {
            int k = t[0].GetInt32();
            return new ClassScore(k, labels[k], t[1].GetDouble(), t[2].GetSingle());
        }).ToList();
        return (image.GetProperty("index").GetInt32(), new ImageClassification(path, top, error));
    }
}
