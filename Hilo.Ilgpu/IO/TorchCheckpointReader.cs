using System.IO.Compression;

namespace Hilo.Ilgpu.IO;

/// <summary>
/// Reads checkpoints written by <c>torch.save</c> (the zip format of PyTorch ≥ 1.6: <c>root/data.pkl</c>,
/// <c>root/data/KEY</c> storages, <c>root/version</c>, optional <c>root/byteorder</c>) with
/// <see cref="SafeUnpickler"/>: nothing in the file is executed. Tensors are read lazily, so the
/// optimizer state of a training checkpoint costs no time. See docs/checkpoints.md.
/// </summary>
public sealed class TorchCheckpointReader : IDisposable
{
    private static readonly string[] WrapperKeys = ["model", "state_dict"];

    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;
    private readonly string _file;
    private readonly string _root;
    private readonly bool _bigEndian;
    private readonly CheckpointLimits _limits;

    private TorchCheckpointReader(ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries, string file,
        string root, bool bigEndian, object? top, CheckpointLimits limits)
    {
        _zip = zip;
        _entries = entries;
        _file = file;
        _root = root;
        _bigEndian = bigEndian;
        _limits = limits;
        Root = top;
    }

    /// <summary>
    /// The unpickled top-level object as inert values: <see cref="PickleDict"/>, <see cref="PickleTuple"/>,
    /// <c>List&lt;object?&gt;</c>, <see cref="PickledTensor"/>, <see cref="ForeignObject"/>,
    /// <see cref="PickleGlobal"/>, string, long, double, bool, byte[], BigInteger or null.
    /// </summary>
    public object? Root { get; }

    /// <summary>
    /// Reads the state dict of the checkpoint at <paramref name="path"/> (see <see cref="ReadStateDict()"/>), every
    /// tensor read, up to <see cref="CheckpointLimits.MaxMaterializedBytes"/> in all.
    /// </summary>
    public static StateDict ReadStateDict(string path, CheckpointLimits? limits = null)
    {
        limits ??= CheckpointLimits.Default;
        using var reader = Open(path, limits);
        var state = reader.ReadStateDict();
        CheckpointLoader.MaterializeBounded(path, state, limits.MaxMaterializedBytes);
        return state;
    }

    /// <summary>Opens the checkpoint at <paramref name="path"/> and unpickles its object graph.</summary>
    /// <exception cref="CheckpointFormatException">The file is not a readable torch.save zip, or its pickle is refused.</exception>
    public static TorchCheckpointReader Open(string path, CheckpointLimits? limits = null)
    {
        InputFile.Check(path, InputAccess.RandomAccess);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return Open(stream, path, limits, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Opens a checkpoint from a seekable stream; <paramref name="name"/> is used in messages.</summary>
    public static TorchCheckpointReader Open(Stream stream, string name, CheckpointLimits? limits = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= CheckpointLimits.Default;
        CheckNotLegacy(stream, name);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen);
        }
        catch (Exception e) when (IsZipParseError(e))
        {
            throw new CheckpointFormatException(name, $"not a readable zip archive (truncated or corrupt?): {e.Message}", e);
        }
        try
        {
            var entries = IndexEntries(zip, name);
            string root = FindRoot(entries, name);
            bool bigEndian = ReadByteOrder(entries, root, name, limits);
            byte[] pickle = ReadEntry(entries[root + "/data.pkl"], name, limits.MaxPickleBytes);
            var policy = new TorchPicklePolicy(name, root, n => entries.TryGetValue(n, out var e) ? e.Length : null, limits);
            var unpickler = new SafeUnpickler(pickle, name, root + "/data.pkl", limits, policy.PersistentLoad, policy.Call);
            policy.Unpickler = unpickler;
            object? top = unpickler.Load();
            return new TorchCheckpointReader(zip, entries, name, root, bigEndian, top, limits);
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The state dict: the top-level dict itself, or its <c>'model'</c> or <c>'state_dict'</c> entry when
    /// that is a dict (training wrappers; every other entry is ignored). Every value must be a tensor.
    /// Keys are returned as stored (see <see cref="CheckpointLoader"/> for prefix stripping). The tensors are lazy:
    /// each is read from the archive on first access, which must come before this reader is disposed;
    /// <see cref="StateDict.Materialize"/> reads them all with each storage inflated at most once.
    /// </summary>
    public StateDict ReadStateDict()
    {
        if (Root is not PickleDict dict)
        {
            throw new CheckpointFormatException(_file,
                $"top-level object is a {SafeUnpickler.TypeName(Root)}, expected a state dict or a dict wrapping one");
        }
        string where = "";
        foreach (string wrapper in WrapperKeys)
        {
            if (!dict.TryGetValue(wrapper, out object? inner))
            {
                continue;
            }
            if (inner is ForeignObject whole)
            {
                throw new CheckpointFormatException(_file,
                    $"entry '{wrapper}' is a pickled {whole.Type.FullName} object (a whole module?), not a state dict; " +
                    "re-save it with torch.save(model.state_dict(), path)");
            }
            if (inner is PickleDict innerDict)
            {
                dict = innerDict;
                where = $" of ['{wrapper}']";
                break;
            }
        }
        var result = new StateDict();
        var reads = StorageReads();
        foreach (var (key, value) in dict.Entries)
        {
            if (key is not string name)
            {
                throw new CheckpointFormatException(_file, $"state dict{where} has a key of type {SafeUnpickler.TypeName(key)}");
            }
            if (value is not PickledTensor tensor)
            {
                throw new CheckpointFormatException(_file,
                    $"entry '{name}'{where} is a {SafeUnpickler.TypeName(value)}, not a tensor; expected a state dict " +
                    $"(or a dict with a '{WrapperKeys[0]}' or '{WrapperKeys[1]}' entry holding one)");
            }
            result.AddLazy(name, tensor.ShapeArray, () => reads.Read(tensor), () => reads.Announce(tensor));
        }
        return result;
    }

    /// <summary>Reads the elements of <paramref name="tensor"/> (one of this file's) as a float32 host tensor.</summary>
    public HostTensor Materialize(PickledTensor tensor) => StorageReads().Read(tensor);

    private TorchStorageReads StorageReads() => new(
        key => _entries.TryGetValue($"{_root}/data/{key}", out var entry) ? entry : null, _file, _bigEndian, _limits.MaxMaterializedBytes);

    /// <inheritdoc />
    public void Dispose() => _zip.Dispose();

    /// <summary>The uncompressed length the zip directory gives for <paramref name="entry"/>.</summary>
    internal static long DeclaredLength(ZipArchiveEntry entry, string file)
    {
        try
        {
            // A length the entry's compressed bytes cannot hold (stored: as many; deflate: at most 1032 times as many)
            // is a corrupt directory: refused here, before a buffer of that size is allocated.
            long length = entry.Length, compressed = entry.CompressedLength;
            if (length > MaxDeflateRatio * compressed + 1024)
            {
                throw new CheckpointFormatException(file,
                    $"zip entry {entry.FullName} claims {length} bytes, more than its {compressed} compressed bytes can hold (corrupt zip directory?)");
            }
            return length;
        }
        catch (Exception e) when (IsZipParseError(e))
        {
            throw new CheckpointFormatException(file, $"corrupt zip entry {entry.FullName}: {e.Message}", e);
        }
    }

    // Deflate's largest expansion: a 258-byte match per 2 bits of output, about 1032:1.
    private const long MaxDeflateRatio = 1032;

    internal static bool IsZipParseError(Exception e) =>
        e is InvalidDataException or EndOfStreamException or NotSupportedException or ArgumentException or OverflowException
        || (e is IOException && e is not FileNotFoundException and not DirectoryNotFoundException);

    private static Dictionary<string, ZipArchiveEntry> IndexEntries(ZipArchive zip, string file)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in zip.Entries)
            {
                if (!entries.TryAdd(entry.FullName, entry))
                {
                    throw new CheckpointFormatException(file, $"zip lists entry {entry.FullName} twice");
                }
            }
        }
        catch (Exception e) when (IsZipParseError(e))
        {
            throw new CheckpointFormatException(file, $"corrupt zip directory: {e.Message}", e);
        }
        return entries;
    }

    private static string FindRoot(Dictionary<string, ZipArchiveEntry> entries, string file)
    {
        var roots = entries.Keys
            .Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/', StringComparison.Ordinal) == n.Length - 9)
            .ToList();
        if (roots.Count == 1)
        {
            return roots[0][..^9];
        }
        if (roots.Count > 1)
        {
            throw new CheckpointFormatException(file, $"zip holds several data.pkl entries ({string.Join(", ", roots)})");
        }
        bool script = entries.Keys.Any(n => n.EndsWith("/constants.pkl", StringComparison.Ordinal) || n.Contains("/code/", StringComparison.Ordinal));
        throw new CheckpointFormatException(file, script
            ? "this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save model.state_dict() with torch.save"
            : "zip has no ROOT/data.pkl entry; not a torch.save checkpoint");
    }

    private static bool ReadByteOrder(Dictionary<string, ZipArchiveEntry> entries, string root, string file, CheckpointLimits limits)
    {
        if (!entries.TryGetValue(root + "/byteorder", out var entry))
        {
            return false; // Files from before torch wrote the entry are little-endian.
        }
        string order = System.Text.Encoding.ASCII.GetString(ReadEntry(entry, file, 64)).Trim();
        return order switch
        {
            "little" => false,
            "big" => true,
            _ => throw new CheckpointFormatException(file, $"unknown byte order '{order}' in {entry.FullName}"),
        };
    }

    /// <summary>Reads a whole entry, checking its real length against the directory and <paramref name="limit"/>.</summary>
    internal static byte[] ReadEntry(ZipArchiveEntry entry, string file, long limit)
    {
        long length = DeclaredLength(entry, file);
        if (length > limit || length > Array.MaxLength)
        {
            throw new CheckpointFormatException(file, $"zip entry {entry.FullName} of {length} bytes exceeds the limit of {Math.Min(limit, Array.MaxLength)}");
        }
        var buffer = new byte[length];
        try
        {
            using Stream stream = entry.Open();
            stream.ReadExactly(buffer);
            if (stream.ReadByte() >= 0)
            {
                throw new CheckpointFormatException(file, $"zip entry {entry.FullName} holds more data than its directory says");
            }
        }
        catch (Exception e) when (IsZipParseError(e))
        {
            throw new CheckpointFormatException(file, $"cannot read zip entry {entry.FullName} (truncated or corrupt?): {e.Message}", e);
        }
        return buffer;
    }

    /// <summary>Refuses the pre-1.6 format (a bare pickle stream that starts with torch's magic number).</summary>
    private static void CheckNotLegacy(Stream stream, string name)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("the stream must be seekable", nameof(stream));
        }
        long start = stream.Position;
        Span<byte> head = stackalloc byte[16];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;
        string? problem = CheckpointSniffer.Detect(head[..read]) switch
        {
            CheckpointKind.TorchLegacy => CheckpointSniffer.LegacyMessage,
            CheckpointKind.Pickle => "this is a plain pickle stream, not a torch.save zip archive; re-save it with torch.save",
            _ => null,
        };
        if (problem is not null)
        {
            throw new CheckpointFormatException(name, problem);
        }
    }
}
