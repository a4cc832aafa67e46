using System.Text;

namespace Hilo.Ilgpu.IO;

/// <summary>
/// What a torch checkpoint's pickle may do. Three kinds of global are honoured when called (REDUCE):
/// the tensor-rebuilding functions and containers a state dict needs (they produce real values);
/// a fixed list of plain data classes found in configs and training metadata (they become inert
/// <see cref="ForeignObject"/>s, never constructed); every other global is refused by name.
/// NEWOBJ of any class is inert too (see <see cref="SafeUnpickler"/>).
/// </summary>
internal sealed class TorchPicklePolicy
{
    /// <summary>Storage classes named in persistent ids, and their element types.</summary>
    public static readonly IReadOnlyDictionary<string, TensorDType> StorageTypes = new Dictionary<string, TensorDType>
    {
        ["torch.FloatStorage"] = TensorDType.Float32,
        ["torch.DoubleStorage"] = TensorDType.Float64,
        ["torch.HalfStorage"] = TensorDType.Float16,
        ["torch.BFloat16Storage"] = TensorDType.BFloat16,
        ["torch.LongStorage"] = TensorDType.Int64,
        ["torch.IntStorage"] = TensorDType.Int32,
        ["torch.ShortStorage"] = TensorDType.Int16,
        ["torch.CharStorage"] = TensorDType.Int8,
        ["torch.ByteStorage"] = TensorDType.UInt8,
        ["torch.BoolStorage"] = TensorDType.Bool,
        ["torch.UntypedStorage"] = TensorDType.UInt8,
    };

    /// <summary>Data classes that may appear called (REDUCE) in configs and metadata; kept inert.</summary>
    public static readonly IReadOnlySet<string> InertClasses = new HashSet<string>(StringComparer.Ordinal)
    {
        "yacs.config.CfgNode", "argparse.Namespace", "types.SimpleNamespace",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype",
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct", "numpy.ndarray",
        "pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath",
        "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta", "datetime.timezone",
        "builtins.slice", "builtins.range", "builtins.complex", "builtins.bytearray",
        "collections.defaultdict", "collections.Counter", "collections.deque",
        "torch.device", "torch.Size", "torch.torch_version.TorchVersion",
    };

    private readonly string _file;
    private readonly string _root;
    private readonly Func<string, long?> _entryLength;
    private readonly CheckpointLimits _limits;
    private readonly Dictionary<string, StorageRef> _storages = new(StringComparer.Ordinal);
    private int _tensors;

    /// <param name="file">The file, for messages.</param>
    /// <param name="root">The archive's root folder (e.g. <c>archive</c>).</param>
    /// <param name="entryLength">Length of an archive entry by full name, or null when absent.</param>
    /// <param name="limits">Bounds to enforce.</param>
    public TorchPicklePolicy(string file, string root, Func<string, long?> entryLength, CheckpointLimits limits)
    {
        _file = file;
        _root = root;
        _entryLength = entryLength;
        _limits = limits;
    }

    /// <summary>Set once the unpickler exists, so errors carry its position.</summary>
    public SafeUnpickler? Unpickler { get; set; }

    /// <summary>A storage as a persistent id names it.</summary>
    internal sealed record StorageRef(string Key, TensorDType DType, long Elements, string EntryName);

    private CheckpointFormatException Fail(string problem) =>
        Unpickler?.Fail(problem) ?? new CheckpointFormatException(_file, problem);

    /// <summary>Resolves <c>('storage', storage_type, key, location, numel)</c>.</summary>
    public object? PersistentLoad(object? pid)
    {
        if (pid is not PickleTuple { Count: 5 } t || t.Items[0] is not "storage")
        {
            throw Fail($"unsupported persistent id ({SafeUnpickler.TypeName(pid)}); expected ('storage', type, key, location, numel)");
        }
        if (t.Items[1] is not PickleGlobal type || !StorageTypes.TryGetValue(type.FullName, out TensorDType dtype))
        {
            throw Fail($"unsupported storage type {SafeUnpickler.TypeName(t.Items[1])}");
        }
        if (t.Items[2] is not string key || key.Length is 0 or > 256 || key.Contains('/', StringComparison.Ordinal) || key.Contains('\\', StringComparison.Ordinal))
        {
            throw Fail("storage key is not a plain name");
        }
        if (t.Items[4] is not long numel || numel < 0)
        {
            throw Fail($"storage '{key}' has an invalid element count");
        }
        if (_storages.TryGetValue(key, out StorageRef? known))
        {
            return known.DType == dtype && known.Elements == numel
                ? known
                : throw Fail($"storage '{key}' is described twice with different types or sizes");
        }
        string entry = $"{_root}/data/{key}";
        long? length = _entryLength(entry);
        if (length is null)
        {
            throw Fail($"storage '{key}' has no entry {entry} in the archive");
        }
        int size = TensorDTypeInfo.SizeOf(dtype);
        if (numel > long.MaxValue / size || numel * size != length)
        {
            throw Fail($"storage '{key}' should hold {numel} × {size} bytes but entry {entry} has {length}");
        }
        var storage = new StorageRef(key, dtype, numel, entry);
        _storages.Add(key, storage);
        return storage;
    }

    /// <summary>Resolves a REDUCE of <paramref name="function"/>: allow-listed, inert, or refused.</summary>
    public object? Call(PickleGlobal function, PickleTuple args) => Call(function, args, allowNested: true);

    private object? Call(PickleGlobal function, PickleTuple args, bool allowNested)
    {
        IReadOnlyList<object?> a = args.Items;
        switch (function.FullName)
        {
            case "collections.OrderedDict":
                return MakeDict(a);
            case "builtins.set" or "builtins.frozenset" or "__builtin__.set" or "__builtin__.frozenset":
                return a.Count == 0 ? new List<object?>()
                    : a is [List<object?> items] ? new List<object?>(items)
                    : throw Fail($"{function.FullName} with unexpected arguments");
            case "_codecs.encode":
                return Encode(a);
            case "copyreg._reconstructor" when a is [PickleGlobal cls, _, var state]:
                return new ForeignObject(cls, args) { State = state };
            case "torch._utils._rebuild_tensor_v2" when a.Count is 6 or 7:
            case "torch._utils._rebuild_tensor" when a.Count == 4:
                return RebuildTensor(a[0], a[1], a[2], a[3]);
            case "torch._utils._rebuild_parameter" when a.Count == 3:
            case "torch._utils._rebuild_parameter_with_state" when a.Count == 4:
                return a[0] is PickledTensor data ? data : throw Fail($"{function.FullName} of a {SafeUnpickler.TypeName(a[0])}");
            case "torch._tensor._rebuild_from_type_v2" when allowNested && a is [PickleGlobal inner, PickleGlobal, PickleTuple innerArgs, _]:
                return Call(inner, innerArgs, allowNested: false);
        }
        if (InertClasses.Contains(function.FullName))
        {
            return new ForeignObject(function, args);
        }
        if (function.Module is "torch._utils" or "torch._tensor" && function.Name.StartsWith("_rebuild", StringComparison.Ordinal))
        {
            throw Fail($"unsupported tensor kind {function.FullName} with {a.Count} arguments: only dense CPU-loadable " +
                       "tensors are read (quantized, sparse, nested and meta tensors are not)");
        }
        throw Fail($"disallowed global {function.FullName} in data.pkl: a checkpoint may only call tensor-rebuilding " +
                   "functions, OrderedDict and plain data classes (see docs/checkpoints.md); nothing was executed");
    }

    private PickleDict MakeDict(IReadOnlyList<object?> a)
    {
        var dict = new PickleDict();
        if (a.Count == 0)
        {
            return dict;
        }
        if (a is not [List<object?> pairs])
        {
            throw Fail("collections.OrderedDict with unexpected arguments");
        }
        foreach (object? pair in pairs)
        {
            IReadOnlyList<object?>? kv = pair is PickleTuple pt ? pt.Items : pair as List<object?>;
            if (kv is not { Count: 2 })
            {
                throw Fail("collections.OrderedDict item is not a (key, value) pair");
            }
            dict.Set(kv[0], kv[1]);
        }
        return dict;
    }

    private byte[] Encode(IReadOnlyList<object?> a)
    {
        if (a is [string text, string encoding])
        {
            switch (encoding.ToUpperInvariant())
            {
                case "LATIN1" or "LATIN-1" or "ISO-8859-1":
                    return Encoding.Latin1.GetBytes(text);
                case "UTF8" or "UTF-8":
                    return Encoding.UTF8.GetBytes(text);
            }
        }
        throw Fail("_codecs.encode with unexpected arguments");
    }

    private PickledTensor RebuildTensor(object? storageValue, object? offsetValue, object? sizeValue, object? strideValue)
    {
        if (storageValue is not StorageRef storage)
        {
            throw Fail($"tensor rebuilt from a {SafeUnpickler.TypeName(storageValue)} instead of a storage");
        }
        if (++_tensors > _limits.MaxTensors)
        {
            throw Fail($"more than {_limits.MaxTensors} tensors");
        }
        if (offsetValue is not long offset || offset < 0)
        {
            throw Fail("tensor has an invalid storage offset");
        }
        long[] size = ReadInts(sizeValue, "size");
        long[] stride = ReadInts(strideValue, "stride");
        if (size.Length != stride.Length || size.Length > _limits.MaxRank)
        {
            throw Fail($"tensor has {size.Length} sizes and {stride.Length} strides (rank limit {_limits.MaxRank})");
        }
        var shape = new int[size.Length];
        long count = 1, last = offset;
        try
        {
            for (int d = 0; d < size.Length; d++)
            {
                if (size[d] > int.MaxValue)
                {
                    throw Fail($"tensor dimension {size[d]} is too large");
                }
                shape[d] = (int)size[d];
                count = checked(count * size[d]);
                last = size[d] == 0 ? last : checked(last + ((size[d] - 1) * stride[d]));
            }
        }
        catch (OverflowException)
        {
            throw Fail("tensor extent overflows");
        }
        if (count > Array.MaxLength)
        {
            throw Fail($"tensor of {count} elements is too large for one array");
        }
        bool inside = count == 0 ? offset <= storage.Elements : last < storage.Elements;
        if (!inside)
        {
            throw Fail($"tensor (offset {offset}, size {HostTensor.FormatShape(shape)}, stride [{string.Join(", ", stride)}]) " +
                       $"reaches outside storage '{storage.Key}' of {storage.Elements} elements");
        }
        return new PickledTensor(storage.Key, storage.DType, storage.Elements, offset, shape, stride);
    }

    private long[] ReadInts(object? value, string what)
    {
        if (value is not PickleTuple t)
        {
            throw Fail($"tensor {what} is a {SafeUnpickler.TypeName(value)}, not a tuple");
        }
        var result = new long[t.Count];
        for (int i = 0; i < result.Length; i++)
        {
            long entry = t.Items[i] switch
            {
                long v => v,
                System.Numerics.BigInteger big when big >= long.MinValue && big <= long.MaxValue => (long)big,
                System.Numerics.BigInteger big => throw Fail($"tensor {what} entry {i} is {big}, too large (at most {int.MaxValue} for a size)"),
                var other => throw Fail($"tensor {what} entry {i} is a {SafeUnpickler.TypeName(other)}, not an integer"),
            };
            result[i] = entry >= 0 ? entry : throw Fail($"tensor {what} entry {i} is negative ({entry})");
        }
        return result;
    }
}
