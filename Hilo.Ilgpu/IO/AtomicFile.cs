namespace Hilo.Ilgpu.IO;

/// <summary>Writes a file so that readers see either the old file or the complete new one, never a part.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Runs <paramref name="write"/> on a temporary file next to <paramref name="path"/>, flushes it to
    /// disk and renames it over <paramref name="path"/>; on any failure the temporary file is removed
    /// and <paramref name="path"/> is untouched.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            // The message names the user's path, not the hidden temporary file next to it.
            throw Named(path, e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes text to <paramref name="path"/> (UTF-8, no BOM) as <see cref="Write"/> does: whole or not at all.</summary>
    public static void WriteText(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            write(w);
        });
    }

    /// <summary>
    /// Checks, before any work whose result goes to <paramref name="path"/>, that <see cref="Write"/> will be able to
    /// write it: the folder exists, <paramref name="path"/> is not a folder, and a file can be created next to it (a
    /// probe file, removed at once). Catches read-only folders and file systems up front, not after the work.
    /// </summary>
    /// <exception cref="IOException">The path cannot be written; the message names it and why.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied; the message names the path.</exception>
    public static void EnsureWritable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"cannot write {path}: the output folder {directory} does not exist");
        }
        if (Directory.Exists(full))
        {
            throw new IOException($"cannot write {path}: it is a folder");
        }
        string probe = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.probe");
        try
        {
            new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1).Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Named(path, e);
        }
        TryDelete(probe);
    }

    // The same exception type, with a message naming the user's path.
    private static Exception Named(string path, Exception e) => e switch
    {
        UnauthorizedAccessException => new UnauthorizedAccessException($"cannot write {path}: permission denied", e),
        DirectoryNotFoundException => new DirectoryNotFoundException($"cannot write {path}: its folder does not exist", e),
        _ => new IOException($"cannot write {path}: {StripTempNames(e.Message)}", e),
    };

    // .NET's messages quote the file it tried, here the hidden temporary one: keep only the reason.
    private static string StripTempNames(string message)
    {
        int quote = message.IndexOf('\'', StringComparison.Ordinal);
        string reason = quote <= 0 ? message : message[..quote].TrimEnd(':', ' ', '.');
        return reason.Length == 0 ? "the file cannot be created" : reason;
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
