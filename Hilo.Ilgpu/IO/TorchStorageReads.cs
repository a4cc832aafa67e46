using System.IO.Compression;

namespace Hilo.Ilgpu.IO;

/// <summary>
/// Reads tensors out of a torch.save archive's storages for one state dict. The tensors a load will read are announced
/// first (<see cref="StateDict.Materialize"/> does it); the first read from a storage then inflates that storage once,
/// only as far as the last byte an announced tensor reaches, skipping the bytes before the first and keeping only the
/// byte ranges the tensors cover (at most <see cref="CheckpointLimits.MaxMaterializedBytes"/> per storage), and gathers
/// every announced tensor of it. So a small file whose tensors are views near the end of one deflated gigabyte costs
/// one pass over the gigabyte and the views' bytes — not a pass and a gigabyte per view. A tensor read without being
/// announced is read the same way on its own.
/// </summary>
internal sealed class TorchStorageReads(Func<string, ZipArchiveEntry?> storageEntry, string file, bool bigEndian, long maxKeptBytes)
{
    // Skipped bytes are inflated into this much scratch at a time.
    private const int SkipChunk = 1 << 16;

    private readonly Dictionary<string, HashSet<PickledTensor>> announced = new(StringComparer.Ordinal);
    private readonly Dictionary<PickledTensor, (HostTensor Tensor, bool Taken)> ready = new(ReferenceEqualityComparer.Instance);

    /// <summary>Says that <paramref name="tensor"/> will be read, so that its storage is inflated once for all of them.</summary>
    public void Announce(PickledTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (ready.ContainsKey(tensor))
        {
            return;
        }
        if (!announced.TryGetValue(tensor.StorageKey, out var set))
        {
            announced[tensor.StorageKey] = set = new HashSet<PickledTensor>(ReferenceEqualityComparer.Instance);
        }
        set.Add(tensor);
    }

    /// <summary>The elements of <paramref name="tensor"/> as float32 (a tensor the pickle shares between two keys is copied for the second).</summary>
    public HostTensor Read(PickledTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!ready.ContainsKey(tensor))
        {
            IReadOnlyCollection<PickledTensor> group = announced.Remove(tensor.StorageKey, out var set) ? set : [];
            if (!group.Contains(tensor))
            {
                group = [.. group, tensor];
            }
            foreach (var (t, value) in ReadStorage(tensor.StorageKey, group))
            {
                ready[t] = (value, false);
            }
        }
        var (result, taken) = ready[tensor];
        ready[tensor] = (result, true);
        return taken ? new HostTensor(result.Shape, (float[])result.Data.Clone(), result.SourceDType) : result;
    }

    private List<(PickledTensor Tensor, HostTensor Value)> ReadStorage(string key, IReadOnlyCollection<PickledTensor> tensors)
    {
        var entry = storageEntry(key) ?? throw new CheckpointFormatException(file, $"storage '{key}' is not in the archive");
        var spans = tensors.Select(t => (Tensor: t, Span: ByteSpan(t))).ToList();
        long declared = TorchCheckpointReader.DeclaredLength(entry, file);
        long reach = spans.Max(s => s.Span.End);
        if (reach > declared)
        {
            throw new CheckpointFormatException(file, $"storage {entry.FullName} holds {declared} bytes; a tensor in it reaches byte {reach}");
        }
        var ranges = Merge(spans.Where(s => s.Span.End > s.Span.Start).Select(s => s.Span));
        long kept = ranges.Sum(r => r.End - r.Start);
        if (kept > maxKeptBytes)
        {
            throw new CheckpointFormatException(file,
                $"the tensors read from storage '{key}' cover {kept:N0} of its bytes, over the limit of {maxKeptBytes:N0} (CheckpointLimits.MaxMaterializedBytes)");
        }
        var buffers = Inflate(entry, ranges);
        var result = new List<(PickledTensor, HostTensor)>(spans.Count);
        foreach (var (t, span) in spans)
        {
            int count = (int)HostTensor.ElementCountOf(t.ShapeArray);
            float[] data;
            if (count == 0)
            {
                data = [];
            }
            else
            {
                int r = ranges.FindLastIndex(x => x.Start <= span.Start);
                var bytes = buffers[r].AsSpan(checked((int)(span.Start - ranges[r].Start)));
                data = ElementDecoder.Gather(bytes, t.DType, bigEndian, 0, t.ShapeArray, t.StrideArray, count);
            }
            result.Add((t, new HostTensor(t.ShapeArray, data, t.DType)));
        }
        return result;
    }

    // The bytes [Start, End) of the storage that the tensor's elements lie in (strides are never negative).
    private (long Start, long End) ByteSpan(PickledTensor tensor)
    {
        long size = TensorDTypeInfo.SizeOf(tensor.DType);
        long last = tensor.StorageOffset;
        var shape = tensor.ShapeArray;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 0)
            {
                return (0, 0);
            }
            last += (shape[d] - 1L) * tensor.StrideArray[d];
        }
        long start = tensor.StorageOffset * size, end = (last + 1) * size;
        if (last < 0 || end - start > Array.MaxLength)
        {
            throw new CheckpointFormatException(file,
                $"a tensor of shape {HostTensor.FormatShape(shape)} spans elements {tensor.StorageOffset}..{last} of storage '{tensor.StorageKey}', more than one array can hold");
        }
        return (start, end);
    }

    private static List<(long Start, long End)> Merge(IEnumerable<(long Start, long End)> spans)
    {
        var merged = new List<(long Start, long End)>();
        foreach (var s in spans.OrderBy(s => s.Start))
        {
            if (merged.Count > 0 && s.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, s.End));
            }
            else
            {
                merged.Add(s);
            }
        }
        return merged;
    }

    // One pass over the entry: the bytes between ranges are inflated into scratch and dropped, each range is kept, and
    // inflation stops at the end of the last range.
    private byte[][] Inflate(ZipArchiveEntry entry, List<(long Start, long End)> ranges)
    {
        var buffers = new byte[ranges.Count][];
        if (ranges.Count == 0)
        {
            return buffers;
        }
        try
        {
            using Stream stream = entry.Open();
            var scratch = new byte[(int)Math.Min(SkipChunk, Math.Max(1, ranges.Max(r => r.Start)))];
            long position = 0;
            for (int i = 0; i < ranges.Count; i++)
            {
                for (long skip = ranges[i].Start - position; skip > 0; skip -= scratch.Length)
                {
                    stream.ReadExactly(scratch, 0, (int)Math.Min(skip, scratch.Length));
                }
                buffers[i] = new byte[ranges[i].End - ranges[i].Start];
                stream.ReadExactly(buffers[i]);
                position = ranges[i].End;
            }
        }
        catch (Exception e) when (TorchCheckpointReader.IsZipParseError(e))
        {
            throw new CheckpointFormatException(file, $"cannot read zip entry {entry.FullName} (truncated or corrupt?): {e.Message}", e);
        }
        return buffers;
    }
}
