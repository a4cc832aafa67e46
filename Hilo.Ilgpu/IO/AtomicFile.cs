namespace Hilo.Ilgpu.IO;

/// <summary>
/// Writes an output file so that readers see either the old file or the complete new one, never a part; what is not a
/// regular file is written straight through instead of being replaced (docs/errors.md, "Outputs"):
/// <list type="bullet">
/// <item>A regular file, or a new one: a temporary file next to it, flushed to disk and renamed over it.</item>
/// <item>A symbolic link: followed; the file it leads to is replaced as above (created if missing), the link kept.</item>
/// <item>A character device (<c>/dev/null</c>, <c>/dev/full</c>, a terminal) or a pipe (a FIFO): written straight
/// through, and a write error (<c>/dev/full</c>'s "no space left") is an error.</item>
/// <item>A descriptor this process has open (<c>/dev/stdout</c>, <c>/dev/fd/N</c>, <see cref="FileNode.IsDescriptorPath"/>):
/// written straight through, appended when it is a regular file, so a shell's redirection keeps what it chose.</item>
/// <item>A folder, a block device or a socket: refused.</item>
/// </list>
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Runs <paramref name="write"/> on a temporary file next to <paramref name="path"/> (next to the file a symbolic link
    /// leads to), flushes it to disk and renames it over that file; on any failure the temporary file is removed and the
    /// target is untouched. A device, pipe or open descriptor is written straight through (see the type's summary).
    /// </summary>
    /// <exception cref="IOException">The target cannot be written (the message names <paramref name="path"/> and why).</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied (the message names <paramref name="path"/>).</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var target = Classify(path);
        if (target.Through is { } mode)
        {
            WriteThrough(path, mode, write);
            return;
        }
        string full = target.File;
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

    // A device, pipe or descriptor: opened as it is (never created, truncated or replaced) and written in place.
    private static void WriteThrough(string path, FileMode mode, Action<Stream> write)
    {
        try
        {
            using var stream = new FileStream(path, mode, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
            write(stream);
            stream.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Named(path, e);
        }
    }

    /// <summary>Where a write to <paramref name="path"/> goes: the file to replace, or the mode to open it in to write through.</summary>
    private static (string File, FileMode? Through) Classify(string path)
    {
        if (FileNode.IsDescriptorPath(path))
        {
            return (path, FileNode.Of(path).Kind == FileNodeKind.Regular ? FileMode.Append : FileMode.Open);
        }
        FileNode node;
        try
        {
            node = FileNode.Of(path);
        }
        catch (IOException e)
        {
            throw new IOException($"cannot write {path}: {e.Message}", e);
        }
        switch (node.Kind)
        {
            case FileNodeKind.CharacterDevice or FileNodeKind.Fifo:
                return (path, FileMode.Open);
            case FileNodeKind.Directory:
                throw new IOException($"cannot write {path}: it is a folder");
            case FileNodeKind.BlockDevice or FileNodeKind.Socket:
                throw new IOException($"cannot write {path}: it is {FileNode.Describe(node.Kind)}; outputs are regular files, character devices or pipes");
        }
        string full = Path.GetFullPath(path);
        try
        {
            // A symbolic link (or a chain of them) is followed to the file it leads to, which is replaced; the links stay.
            if (new FileInfo(full).LinkTarget is not null)
            {
                full = File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
            }
        }
        catch (IOException e)
        {
            throw new IOException($"cannot write {path}: {e.Message}", e);
        }
        return (full, null);
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
    /// write it: for a file (or a link to one), its folder exists and a file can be created there (a probe file, removed
    /// at once); a character device must open for writing; a folder, block device or socket is refused. Catches
    /// read-only folders and file systems up front, not after the work. A pipe or an open descriptor is not probed
    /// (opening a FIFO would wait for its reader).
    /// </summary>
    /// <exception cref="IOException">The path cannot be written; the message names it and why.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied; the message names the path.</exception>
    public static void EnsureWritable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (full, through) = Classify(path);
        if (through is not null)
        {
            if (!FileNode.IsDescriptorPath(path) && FileNode.Of(path).Kind == FileNodeKind.CharacterDevice)
            {
                try
                {
                    new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1).Dispose();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw Named(path, e);
                }
            }
            return;
        }
        string directory = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"cannot write {path}: the output folder {directory} does not exist");
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
