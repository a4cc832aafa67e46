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
            throw new CheckpointFormatException(path, $"safetensors header of {headerLength} bytes exceeds the limit of {limits.MaxSafeTensorsHeaderBytes}");
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

    private static List<Entry> ParseHeader(string path, byte[] header, out IReadOnlyDictionary<string, string> metadata, CheckpointLimits limits)
    {
        // JsonDocument checks UTF-8 only when a string is read; check all of it up front.
        if (!System.Text.Unicode.Utf8.IsValid(header))
        {
            throw new CheckpointFormatException(path, "safetensors header is not valid UTF-8");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"safetensors header is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException(path, "safetensors header is not a JSON object");
            }
            var meta = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw new CheckpointFormatException(path, $"safetensors header names '{property.Name}' twice");
                }
                if (property.Name == "__metadata__")
                {
                    ReadMetadata(path, property.Value, meta);
                    continue;
                }
                entries.Add(ParseEntry(path, property.Name, property.Value, limits));
            }
            metadata = meta;
            return entries;
        }
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> meta)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointFormatException(path, "safetensors __metadata__ is not an object");
        }
        foreach (var item in value.EnumerateObject())
        {
            meta[item.Name] = item.Value.ValueKind == JsonValueKind.String
                ? item.Value.GetString()!
                : throw new CheckpointFormatException(path, $"safetensors __metadata__ value '{item.Name}' is not a string");
        }
    }

    private static Entry ParseEntry(string path, string name, JsonElement value, CheckpointLimits limits)
    {
        string Bad(string what) => $"safetensors tensor '{name}': {what}";
        if (value.ValueKind != JsonValueKind.Object ||
            !value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String ||
            !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array ||
            !value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointFormatException(path, Bad("needs string 'dtype', array 'shape' and array 'data_offsets'"));
        }
        string dtypeName = dtypeElement.GetString()!;
        if (!DTypes.TryGetValue(dtypeName, out TensorDType dtype))
        {
            throw new CheckpointFormatException(path, Bad($"unsupported dtype {dtypeName} (supported: {string.Join(", ", DTypes.Keys)})"));
        }
        if (shapeElement.GetArrayLength() > limits.MaxRank)
        {
            throw new CheckpointFormatException(path, Bad($"rank above {limits.MaxRank}"));
        }
        var shape = new List<int>();
        foreach (var d in shapeElement.EnumerateArray())
        {
            shape.Add(d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out int v) && v >= 0
                ? v : throw new CheckpointFormatException(path, Bad("shape holds a value that is not a non-negative 32-bit integer")));
        }
        var offsets = new List<long>();
        foreach (var o in offsetsElement.EnumerateArray())
        {
            offsets.Add(o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out long v) && v >= 0
                ? v : throw new CheckpointFormatException(path, Bad("data_offsets holds a value that is not a non-negative integer")));
        }
        if (offsets.Count != 2 || offsets[1] < offsets[0])
        {
            throw new CheckpointFormatException(path, Bad("data_offsets must be [begin, end] with begin ≤ end"));
        }
        long count = HostTensor.ElementCountOf(shape);
        long bytes = count * TensorDTypeInfo.SizeOf(dtype);
        if (count > Array.MaxLength || bytes > Array.MaxLength)
        {
            throw new CheckpointFormatException(path, Bad($"{count} elements is too large for one array"));
        }
        if (offsets[1] - offsets[0] != bytes)
        {
            throw new CheckpointFormatException(path, Bad($"shape {HostTensor.FormatShape(shape)} of {dtypeName} needs {bytes} bytes but data_offsets span {offsets[1] - offsets[0]}"));
        }
        return new Entry(name, dtype, shape.ToArray(), offsets[0], offsets[1]);
    }

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
