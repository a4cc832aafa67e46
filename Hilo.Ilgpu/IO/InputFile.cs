namespace Hilo.Ilgpu.IO;

/// <summary>How a reader goes through its input file.</summary>
public enum InputAccess
{
    /// <summary>Seeks (a zip's directory is at its end; sizes are checked against the file's length): a regular file only.</summary>
    RandomAccess,

    /// <summary>Reads from the start, up to a cap: a regular file, a character device, or a pipe the shell opened.</summary>
    Sequential,
}

/// <summary>
/// The rule for what an input path may be before a reader opens it (docs/errors.md, "Inputs"): a regular file always; for
/// a sequential reader also a character device (<c>/dev/zero</c> stops at the reader's cap) and a pipe this process
/// already has open (<c>&lt;(…)</c>, <c>/dev/stdin</c>, <see cref="FileNode.IsDescriptorPath"/>). A named FIFO is
/// refused — opening it waits for a writer, forever if none comes — and so are sockets and block devices.
/// </summary>
public static class InputFile
{
    /// <summary>Why <paramref name="path"/> cannot be read with <paramref name="access"/> (a phrase to follow the path), or null when it can or does not exist.</summary>
    public static string? Problem(string path, InputAccess access)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileNode node;
        try
        {
            node = FileNode.Of(path);
        }
        catch (IOException e)
        {
            return e.Message;
        }
        switch (node.Kind)
        {
            case FileNodeKind.Missing or FileNodeKind.Regular:
                return null;
            case FileNodeKind.Directory:
                return "is a directory, not a file";
            case FileNodeKind.Socket or FileNodeKind.BlockDevice:
                return $"is {FileNode.Describe(node.Kind)}, not a file";
        }
        if (access == InputAccess.RandomAccess)
        {
            return $"is {FileNode.Describe(node.Kind)}; this file is read by random access, so it must be a regular file: save the data to a file first";
        }
        if (node.Kind == FileNodeKind.Fifo && !FileNode.IsDescriptorPath(path))
        {
            return "is a named pipe (FIFO): opening it waits for a writer, forever if none comes; give a regular file, or hand the data over as <(…) or on /dev/stdin";
        }
        return null;
    }

    /// <summary>Throws <see cref="CheckpointFormatException"/> naming <paramref name="path"/> when <see cref="Problem"/> finds one.</summary>
    internal static void Check(string path, InputAccess access)
    {
        if (Problem(path, access) is { } problem)
        {
            throw new CheckpointFormatException(path, problem);
        }
    }

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> bytes of <paramref name="path"/> from its start, whatever it is (a
    /// regular file, a device, a pipe); returns null when it holds more. Memory stays within the bytes that arrived
    /// (buffers of at most <paramref name="maxBytes"/> + 1 bytes, doubling), never what a file's length claims.
    /// </summary>
    public static byte[]? ReadAtMost(string path, int maxBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(maxBytes, Array.MaxLength);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        // Grows by doubling up to maxBytes + 1 (one byte more tells "too long"): at most twice that is ever allocated.
        long cap = maxBytes + 1L;
        var buffer = new byte[(int)Math.Min(cap, 1 << 16)];
        int length = 0, read;
        while ((read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
            if (length == buffer.Length)
            {
                if (length == cap)
                {
                    return null;
                }
                Array.Resize(ref buffer, (int)Math.Min(cap, 2L * buffer.Length));
            }
        }
        Array.Resize(ref buffer, length);
        return buffer;
    }
}
