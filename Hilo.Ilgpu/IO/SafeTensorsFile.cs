using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Hilo.Ilgpu.IO;

/// <summary>
/// Reads and writes <c>.safetensors</c> files: an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}</c>), then
/// the tensor bytes, offsets relative to the end of the header. Reading checks every bound the format
/// defines (header size, offsets inside the buffer, no overlaps or holes, size = elements × dtype size).
/// </summary>
public static class SafeTensorsFile
{
    private static readonly Dictionary<string, TensorDType> DTypes = new(StringComparer.Ordinal)
    {
        ["F32"] = TensorDType.Float32, ["F16"] = TensorDType.Float16, ["BF16"] = TensorDType.BFloat16,
        ["F64"] = TensorDType.Float64, ["I64"] = TensorDType.Int64, ["I32"] = TensorDType.Int32,
        ["I16"] = TensorDType.Int16, ["I8"] = TensorDType.Int8, ["U8"] = TensorDType.UInt8, ["BOOL"] = TensorDType.Bool,
    };

    private sealed record Entry(string Name, TensorDType DType, int[] Shape, long Begin, long End);

    /// <summary>Reads every tensor of the file, converted to float32, in header order.</summary>
    public static StateDict Read(string path, CheckpointLimits? limits = null) => Read(path, out _, limits);

    /// <summary>Reads every tensor and the <c>__metadata__</c> map (empty when absent).</summary>
    /// <exception cref="CheckpointFormatException">The file is malformed or uses an unsupported dtype.</exception>
    public static StateDict Read(string path, out IReadOnlyDictionary<string, string> metadata, CheckpointLimits? limits = null)
    {
        limits ??= CheckpointLimits.Default;
        InputFile.Check(path, InputAccess.RandomAccess);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long length = stream.Length;
        if (length < 8)
        {
            throw new CheckpointFormatException(path, $"file of {length} bytes is too short for a safetensors header");
        }
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)limits.MaxSafeTensorsHeaderBytes)
        {
            throw new CheckpointFormatException(path, $"safetensors header of {headerLength:N0} bytes exceeds the limit of {limits.MaxSafeTensorsHeaderBytes:N0} (CheckpointLimits.MaxSafeTensorsHeaderBytes)");
        }
        if ((long)headerLength > length - 8)
        {
            throw new CheckpointFormatException(path, $"safetensors header of {headerLength} bytes runs past the end of the file ({length} bytes; truncated?)");
        }
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        var entries = ParseHeader(path, header, out metadata, limits);
        CheckLayout(path, entries, length - dataStart);
        var result = new StateDict();
        foreach (var e in entries)
        {
            stream.Position = dataStart + e.Begin;
            result.Add(e.Name, ReadTensor(stream, e));
        }
        return result;
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> as float32 (dtype <c>F32</c>) in state-dict order, atomically:
    /// a temporary file renamed over <paramref name="path"/>.
    /// </summary>
    public static void Write(string path, StateDict tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        byte[] header = BuildHeader(tensors, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            foreach (var (_, tensor) in tensors)
            {
                WriteFloats(stream, tensor.Data);
            }
        });
    }

    internal static void WriteFloats(Stream stream, float[] data)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            return;
        }
        Span<byte> one = stackalloc byte[4];
        foreach (float v in data)
        {
            BinaryPrimitives.WriteSingleLittleEndian(one, v);
            stream.Write(one);
        }
    }

    private static byte[] BuildHeader(StateDict tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata)
                {
                    json.WriteString(k, v);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                if (name == "__metadata__")
                {
                    throw new ArgumentException("a tensor cannot be named __metadata__", nameof(tensors));
                }
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in tensor.Shape)
                {
                    json.WriteNumberValue(d);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += 4L * tensor.ElementCount;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        while ((buffer.Length + 8) % 8 != 0)
        {
            buffer.WriteByte((byte)' ');
        }
        return buffer.ToArray();
    }

    // A streaming parse (no document tree): memory is the header and the entries kept, and the tensor limit applies as
    // entries are read — a 94 MB header of 1.4 M tensors is refused at the limit, not after a gigabyte of parsing.
    private static List<Entry> ParseHeader(string path, byte[] header, out IReadOnlyDictionary<string, string> metadata, CheckpointLimits limits)
    {
        // The reader checks UTF-8 only where it decodes a string; check all of it up front.
        if (!System.Text.Unicode.Utf8.IsValid(header))
        {
            throw new CheckpointFormatException(path, "safetensors header is not valid UTF-8");
        }
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(header, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new CheckpointFormatException(path, "safetensors header is not a JSON object");
            }
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                string name = reader.GetString()!;
                if (!names.Add(name))
                {
                    throw new CheckpointFormatException(path, $"safetensors header names '{name}' twice");
                }
                Next(ref reader);
                if (name == "__metadata__")
                {
                    ReadMetadata(path, ref reader, meta);
                    continue;
                }
                if (entries.Count == limits.MaxTensors)
                {
                    throw new CheckpointFormatException(path, $"safetensors header lists more than {limits.MaxTensors:N0} tensors (CheckpointLimits.MaxTensors)");
                }
                entries.Add(ParseEntry(path, name, ref reader, limits));
            }
            if (reader.Read())
            {
                throw new JsonException($"'{reader.TokenType}' after the header object");
            }
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"safetensors header is not valid JSON: {e.Message}", e);
        }
        metadata = meta;
        return entries;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("the header ends inside its object");

    private static void ReadMetadata(string path, ref Utf8JsonReader reader, Dictionary<string, string> meta)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new CheckpointFormatException(path, "safetensors __metadata__ is not an object");
        }
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            meta[key] = Next(ref reader) == JsonTokenType.String
                ? reader.GetString()!
                : throw new CheckpointFormatException(path, $"safetensors __metadata__ value '{key}' is not a string");
        }
    }

    private static Entry ParseEntry(string path, string name, ref Utf8JsonReader reader, CheckpointLimits limits)
    {
        const string Fields = "needs string 'dtype', array 'shape' and array 'data_offsets'";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new CheckpointFormatException(path, Bad(name, Fields));
        }
        TensorDType? dtype = null;
        int[]? shape = null;
        (long Begin, long End)? offsets = null;
        Span<int> dims = stackalloc int[limits.MaxRank <= 64 ? 64 : 0];
        // Field names and dtypes are compared as bytes, not decoded: a million entries must not cost millions of strings.
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            int field = reader.ValueTextEquals("dtype"u8) ? 0 : reader.ValueTextEquals("shape"u8) ? 1 : reader.ValueTextEquals("data_offsets"u8) ? 2 : -1;
            var token = Next(ref reader);
            if ((field == 0 && dtype is not null) || (field == 1 && shape is not null) || (field == 2 && offsets is not null))
            {
                throw new CheckpointFormatException(path, Bad(name, $"'{FieldNames[field]}' is given twice"));
            }
            switch (field)
            {
                case 0 when token == JsonTokenType.String:
                    dtype = ReadDType(ref reader, path, name);
                    break;
                case 1 when token == JsonTokenType.StartArray:
                    shape = ReadShape(ref reader, path, name, limits.MaxRank, dims);
                    break;
                case 2 when token == JsonTokenType.StartArray:
                    offsets = ReadOffsets(ref reader, path, name);
                    break;
                case >= 0:
                    throw new CheckpointFormatException(path, Bad(name, Fields));
                default:
                    reader.Skip();
                    break;
            }
        }
        if (dtype is null || shape is null || offsets is null)
        {
            throw new CheckpointFormatException(path, Bad(name, Fields));
        }
        var (begin, end) = offsets.Value;
        if (end < begin)
        {
            throw new CheckpointFormatException(path, Bad(name, "data_offsets must be [begin, end] with begin ≤ end"));
        }
        long count = HostTensor.ElementCountOf(shape);
        long bytes = count * TensorDTypeInfo.SizeOf(dtype.Value);
        if (count > Array.MaxLength || bytes > Array.MaxLength)
        {
            throw new CheckpointFormatException(path, Bad(name, $"{count} elements is too large for one array"));
        }
        if (end - begin != bytes)
        {
            throw new CheckpointFormatException(path, Bad(name, $"shape {HostTensor.FormatShape(shape)} of {DTypeName(dtype.Value)} needs {bytes} bytes but data_offsets span {end - begin}"));
        }
        return new Entry(name, dtype.Value, shape, begin, end);

        // Static: a local function cannot capture the ref struct reader, so it is passed along.
        static TensorDType ReadDType(ref Utf8JsonReader reader, string path, string name)
        {
            foreach (var (text, type) in DTypeNames)
            {
                if (reader.ValueTextEquals(text))
                {
                    return type;
                }
            }
            throw new CheckpointFormatException(path, Bad(name, $"unsupported dtype {reader.GetString()} (supported: {string.Join(", ", DTypes.Keys)})"));
        }

        static int[] ReadShape(ref Utf8JsonReader reader, string path, string name, int maxRank, scoped Span<int> dims)
        {
            int rank = 0;
            List<int>? more = null; // only for a MaxRank above 64
            while (Next(ref reader) != JsonTokenType.EndArray)
            {
                if (rank == maxRank)
                {
                    throw new CheckpointFormatException(path, Bad(name, $"rank above {maxRank}"));
                }
                int v = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int d) && d >= 0
                    ? d : throw new CheckpointFormatException(path, Bad(name, "shape holds a value that is not a non-negative 32-bit integer"));
                if (rank < dims.Length)
                {
                    dims[rank] = v;
                }
                else
                {
                    (more ??= [.. dims]).Add(v);
                }
                rank++;
            }
            return more is null ? dims[..rank].ToArray() : [.. more];
        }

        static (long, long) ReadOffsets(ref Utf8JsonReader reader, string path, string name)
        {
            Span<long> values = stackalloc long[2];
            int n = 0;
            while (Next(ref reader) != JsonTokenType.EndArray)
            {
                long v = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long o) && o >= 0
                    ? o : throw new CheckpointFormatException(path, Bad(name, "data_offsets holds a value that is not a non-negative integer"));
                if (n == 2)
                {
                    throw new CheckpointFormatException(path, Bad(name, "data_offsets must be [begin, end] with begin ≤ end"));
                }
                values[n++] = v;
            }
            return n == 2 ? (values[0], values[1]) : throw new CheckpointFormatException(path, Bad(name, "data_offsets must be [begin, end] with begin ≤ end"));
        }
    }

    // No closure per entry: a million entries must not cost a million delegates.
    private static string Bad(string name, string what) => $"safetensors tensor '{name}': {what}";

    private static readonly string[] FieldNames = ["dtype", "shape", "data_offsets"];

    private static readonly (byte[] Text, TensorDType Type)[] DTypeNames =
        [.. DTypes.Select(p => (System.Text.Encoding.UTF8.GetBytes(p.Key), p.Value))];

    private static string DTypeName(TensorDType dtype) => DTypes.First(p => p.Value == dtype).Key;

    /// <summary>Tensors must tile the data buffer exactly: in offset order, no gap, no overlap, nothing past the end.</summary>
    private static void CheckLayout(string path, List<Entry> entries, long dataLength)
    {
        long expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.End > dataLength)
            {
                throw new CheckpointFormatException(path, $"safetensors tensor '{e.Name}' data_offsets [{e.Begin}, {e.End}] run past the data buffer of {dataLength} bytes (truncated?)");
            }
            if (e.Begin != expected)
            {
                throw new CheckpointFormatException(path, e.Begin < expected
                    ? $"safetensors tensor '{e.Name}' overlaps the previous tensor (begins at {e.Begin}, previous ends at {expected})"
                    : $"safetensors data has a gap before tensor '{e.Name}' (bytes {expected}..{e.Begin})");
            }
            expected = e.End;
        }
        if (expected != dataLength)
        {
            throw new CheckpointFormatException(path, $"safetensors data buffer has {dataLength - expected} bytes after the last tensor");
        }
    }

    private static HostTensor ReadTensor(Stream stream, Entry e)
    {
        int count = (int)HostTensor.ElementCountOf(e.Shape);
        var data = new float[count];
        if (e.DType == TensorDType.Float32 && BitConverter.IsLittleEndian)
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        }
        else
        {
            var bytes = new byte[e.End - e.Begin];
            stream.ReadExactly(bytes);
            ElementDecoder.Convert(bytes, e.DType, bigEndian: false, data);
        }
        return new HostTensor(e.Shape, data, e.DType);
    }

}
