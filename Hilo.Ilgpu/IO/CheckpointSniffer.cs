namespace Hilo.Ilgpu.IO;

/// <summary>What a weights file looks like from its first bytes.</summary>
public enum CheckpointKind
{
    /// <summary>Not recognised.</summary>
    Unknown,

    /// <summary>A zip archive (torch.save ≥ 1.6).</summary>
    TorchZip,

    /// <summary>The pre-1.6 torch.save format (a pickle stream starting with torch's magic number).</summary>
    TorchLegacy,

    /// <summary>Some other pickle stream.</summary>
    Pickle,

    /// <summary>A .safetensors file.</summary>
    SafeTensors,

    /// <summary>A NumPy .npy array.</summary>
    Npy,
}

/// <summary>Tells file formats apart by content, never by extension.</summary>
public static class CheckpointSniffer
{
    /// <summary>The advice given for pre-1.6 torch files.</summary>
    public const string LegacyMessage =
        "this is the legacy torch.save format of PyTorch < 1.6, which is not supported; load it with a newer " +
        "PyTorch and re-save it: torch.save(torch.load(old_path), new_path) (the zip format is the default since 1.6)";

    // torch's legacy magic number 0x1950a86a20f9469cfc6c as pickled by protocol 2: PROTO 2, LONG1 10 bytes.
    private static readonly byte[] LegacyMagic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    /// <summary>
    /// Classifies a file from its first bytes (16 are enough) by structure, never by a guess: the zip, torch legacy,
    /// NumPy and safetensors layouts are each recognised by their own fields, and only a file that is none of them is
    /// called a pickle. A safetensors file starts with its header length N (8 bytes, little-endian) and the header's
    /// <c>{</c>; N must fit in the file when <paramref name="fileLength"/> is known, else within the default header
    /// limit (the reader applies the limit it is given and names it). Its first byte may well be 0x80 and its second
    /// ≤ 5 (N = 0x80…0x580 + k·65536), so it is tested before the pickle.
    /// </summary>
    public static CheckpointKind Detect(ReadOnlySpan<byte> head, long? fileLength = null)
    {
        if (head.Length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] is 3 or 5 && head[3] is 4 or 6)
        {
            return CheckpointKind.TorchZip;
        }
        if (head.StartsWith(LegacyMagic))
        {
            return CheckpointKind.TorchLegacy;
        }
        if (head.Length >= 6 && head[0] == 0x93 && head[1..6].SequenceEqual("NUMPY"u8))
        {
            return CheckpointKind.Npy;
        }
        if (head.Length >= 9 && head[8] == '{')
        {
            ulong headerLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(head);
            bool fits = headerLength >= 2 && (fileLength is { } length
                ? headerLength <= (ulong)Math.Max(0, length - 8)
                : headerLength <= (ulong)CheckpointLimits.Default.MaxSafeTensorsHeaderBytes);
            if (fits)
            {
                return CheckpointKind.SafeTensors;
            }
        }
        if (head.Length >= 2 && head[0] == 0x80 && head[1] <= 5)
        {
            return CheckpointKind.Pickle;
        }
        return CheckpointKind.Unknown;
    }

    /// <summary>Classifies the file at <paramref name="path"/>.</summary>
    public static CheckpointKind Detect(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> head = stackalloc byte[16];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Detect(head[..read], stream.CanSeek ? stream.Length : null);
    }
}
