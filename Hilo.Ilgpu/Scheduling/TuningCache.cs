using System.Collections.Concurrent;
using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>
/// The on-disk store of kernel choices (docs/scheduler.md): a JSON file at <see cref="DefaultPath"/>, read once per
/// process (<see cref="ForPath"/> shares one instance per path) and rewritten atomically after each new measurement,
/// merged with what other processes wrote meanwhile. A file that is too large, not JSON or not a tuning cache is
/// ignored and never overwritten; <see cref="Problem"/> says why (for the CLI to show). Nothing here throws for a bad
/// or unwritable file: choices then live in memory only.
/// </summary>
public sealed class TuningCache
{
    /// <summary>The environment variable naming the cache file.</summary>
    public const string PathVariable = "HILO_TUNING_CACHE";

    private static readonly ConcurrentDictionary<string, TuningCache> Shared = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private Dictionary<TuningKey, TuningEntry>? entries;
    private bool fileIgnored;

    /// <summary>A cache backed by <paramref name="path"/> (read on first use). Prefer <see cref="ForPath"/>, which shares instances.</summary>
    public TuningCache(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The cache file.</summary>
    public string Path { get; }

    /// <summary>Why the file was ignored or could not be written, or null; for the CLI to print.</summary>
    public string? Problem { get; private set; }

    /// <summary>Why the last store or removal did not reach the file (ignored, locked, unwritable), or null when it did.</summary>
    public string? SaveProblem { get; private set; }

    /// <summary>
    /// The cache file: <c>HILO_TUNING_CACHE</c> if set, else <c>$XDG_CACHE_HOME/hilo/tuning.json</c>, else
    /// <c>~/.cache/hilo/tuning.json</c>.
    /// </summary>
    public static string DefaultPath() => ResolvePath(
        Environment.GetEnvironmentVariable(PathVariable),
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME"),
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>The rule of <see cref="DefaultPath"/> for given variable values (a relative XDG_CACHE_HOME is ignored, as the XDG spec says).</summary>
    public static string ResolvePath(string? tuningCache, string? xdgCacheHome, string home)
    {
        ArgumentNullException.ThrowIfNull(home);
        if (!string.IsNullOrEmpty(tuningCache))
        {
            return System.IO.Path.GetFullPath(tuningCache);
        }
        string root = !string.IsNullOrEmpty(xdgCacheHome) && System.IO.Path.IsPathRooted(xdgCacheHome)
            ? xdgCacheHome
            : System.IO.Path.Combine(home, ".cache");
        return System.IO.Path.Combine(root, "hilo", "tuning.json");
    }

    /// <summary>The process-wide cache at <see cref="DefaultPath"/>.</summary>
    public static TuningCache Default => ForPath(DefaultPath());

    /// <summary>The process-wide cache for <paramref name="path"/> (one instance per full path, so the file is read once).</summary>
    public static TuningCache ForPath(string path) => Shared.GetOrAdd(System.IO.Path.GetFullPath(path), p => new TuningCache(p));

    /// <summary>Every entry, in no particular order.</summary>
    public IReadOnlyList<TuningEntry> Entries
    {
        get
        {
            lock (gate)
            {
                return [.. Loaded().Values];
            }
        }
    }

    /// <summary>The entry for <paramref name="key"/>, if one was measured.</summary>
    public bool TryGet(TuningKey key, out TuningEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (gate)
        {
            return Loaded().TryGetValue(key, out entry!);
        }
    }

    /// <summary>Adds or replaces an entry and rewrites the file (unless it was ignored, see <see cref="Problem"/>).</summary>
    public void Store(TuningEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (gate)
        {
            Loaded()[entry.Key] = entry;
            Save(merge: true);
        }
    }

    /// <summary>Removes the entries <paramref name="match"/> selects, rewrites the file and returns how many went.</summary>
    public int Remove(Func<TuningKey, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        lock (gate)
        {
            Reload();
            var map = Loaded();
            var gone = map.Keys.Where(match).ToList();
            foreach (var key in gone)
            {
                map.Remove(key);
            }
            if (gone.Count > 0)
            {
                Save(merge: false);
            }
            return gone.Count;
        }
    }

    /// <summary>Forgets what was read and reads the file again on next use.</summary>
    public void Reload()
    {
        lock (gate)
        {
            entries = null;
            fileIgnored = false;
            Problem = null;
        }
    }

    private Dictionary<TuningKey, TuningEntry> Loaded()
    {
        if (entries is null)
        {
            var read = TuningCacheFile.Read(Path);
            if (read.Corrupt && MoveAside(read.Why) is { } moved)
            {
                read = TuningCacheFile.Read(Path);
                Problem = moved;
                fileIgnored = false;
            }
            else
            {
                fileIgnored = read.Ignored;
                Problem = read.Problem;
            }
            Problem ??= (read.SkippedEntries > 0
                ? $"tuning cache {Path}: {read.SkippedEntries} malformed entr{(read.SkippedEntries == 1 ? "y" : "ies")} skipped (they are measured again)."
                : null);
            entries = new Dictionary<TuningKey, TuningEntry>();
            foreach (var e in read.Entries)
            {
                entries[e.Key] = e;
            }
        }
        return entries;
    }

    /// <summary>
    /// Moves an unreadable cache file aside (kept for inspection as <c>PATH.corrupt-TIMESTAMP</c>) so that a new one
    /// can start; returns the one-line note to give, or null if it could not be moved.
    /// </summary>
    private string? MoveAside(string? why)
    {
        if (!File.Exists(Path))
        {
            return null;
        }
        string aside = $"{Path}.corrupt-{DateTime.UtcNow:yyyyMMddTHHmmssfff}";
        try
        {
            File.Move(Path, aside);
            return $"tuning cache {Path} {why}: it was moved to {aside} (kept for inspection) and a new cache started.";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// An exclusive lock on <c>PATH.lock</c> held around every read–merge–write of the file, so concurrent processes
    /// (several <c>hilo tune</c> runs) never lose each other's entries; waits up to 30 s, then gives up (null).
    /// </summary>
    private FileStream? FileLock()
    {
        string lockPath = Path + ".lock";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Problem = $"tuning cache {Path}: its lock {lockPath} could not be taken ({e.Message}); choices are kept for this process only.";
                return null;
            }
        }
    }

    private void Save(bool merge)
    {
        SaveProblem = null;
        if (fileIgnored)
        {
            SaveProblem = Problem ?? $"tuning cache {Path} is not a tuning cache and is never overwritten";
            return;
        }
        using var fileLock = FileLock();
        if (fileLock is null)
        {
            SaveProblem = Problem;
            return;
        }
        var map = entries!;
        if (merge)
        {
            // Keep what another process stored since we read the file; our own entries win for the same key.
            var onDisk = TuningCacheFile.Read(Path);
            if (onDisk.Ignored)
            {
                fileIgnored = true;
                Problem = onDisk.Problem;
                SaveProblem = Problem;
                return;
            }
            foreach (var e in onDisk.Entries)
            {
                map.TryAdd(e.Key, e);
            }
        }
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var ordered = map.Values.OrderBy(e => e.Key.DeviceId, StringComparer.Ordinal)
                .ThenBy(e => e.Key.Operation, StringComparer.Ordinal).ThenBy(e => e.Key.Shape, StringComparer.Ordinal).ToList();
            AtomicFile.Write(Path, stream => TuningCacheFile.Write(stream, ordered));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Problem = $"tuning cache {Path} could not be written ({e.Message}); choices are kept for this process only.";
            SaveProblem = Problem;
        }
    }
}
