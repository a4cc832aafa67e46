namespace Hilo.Ilgpu.IO;

// The inert values the safe unpickler builds. Nothing here is ever executed: Python callables are only
// names (PickleGlobal), and instances of classes outside the allow-list are records of what the pickle
// said (ForeignObject). Besides these, values are null (None), bool, long, System.Numerics.BigInteger,
// double, string, byte[] (bytes), List<object?> (list, set, frozenset) and PickledTensor.

/// <summary>A reference to a Python global (<c>module.name</c>) that the pickle named but did not call.</summary>
/// <param name="Module">The module, e.g. <c>torch</c>.</param>
/// <param name="Name">The qualified name inside the module, e.g. <c>FloatStorage</c>.</param>
public sealed record PickleGlobal(string Module, string Name)
{
    /// <summary><c>module.name</c>.</summary>
    public string FullName => $"{Module}.{Name}";

    /// <inheritdoc />
    public override string ToString() => FullName;
}

/// <summary>A Python tuple.</summary>
public sealed class PickleTuple
{
    /// <summary>The empty tuple.</summary>
    public static readonly PickleTuple Empty = new([]);

    /// <summary>Wraps <paramref name="items"/> (not copied).</summary>
    public PickleTuple(object?[] items) => Items = items;

    /// <summary>The elements.</summary>
    public IReadOnlyList<object?> Items { get; }

    /// <summary>Number of elements.</summary>
    public int Count => Items.Count;

    /// <inheritdoc />
    public override string ToString() => $"tuple({Count})";
}

/// <summary>
/// A Python dict (or OrderedDict) in insertion order. String keys follow Python semantics (assigning an
/// existing key replaces its value in place); other keys are kept as given.
/// </summary>
public sealed class PickleDict
{
    private readonly List<KeyValuePair<object?, object?>> _entries = [];
    private readonly Dictionary<string, int> _stringKeys = new(StringComparer.Ordinal);

    /// <summary>The entries in order.</summary>
    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    /// <summary>Number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Instance attributes set by the pickle's BUILD (e.g. a state dict's <c>_metadata</c>), or null.</summary>
    public object? Attributes { get; internal set; }

    /// <summary>The value stored under string key <paramref name="key"/>.</summary>
    public bool TryGetValue(string key, out object? value)
    {
        if (_stringKeys.TryGetValue(key, out int index))
        {
            value = _entries[index].Value;
            return true;
        }
        value = null;
        return false;
    }

    internal void Set(object? key, object? value)
    {
        if (key is string s)
        {
            if (_stringKeys.TryGetValue(s, out int index))
            {
                _entries[index] = new(key, value);
                return;
            }
            _stringKeys[s] = _entries.Count;
        }
        _entries.Add(new(key, value));
    }

    /// <inheritdoc />
    public override string ToString() => $"dict({Count})";
}

/// <summary>
/// An instance of a class outside the allow-list (e.g. a yacs <c>CfgNode</c> config, a numpy scalar),
/// kept as an inert record of how the pickle described it. It is never constructed or called.
/// </summary>
public sealed class ForeignObject
{
    internal ForeignObject(PickleGlobal type, object? arguments)
    {
        Type = type;
        Arguments = arguments;
    }

    /// <summary>The class the pickle named.</summary>
    public PickleGlobal Type { get; }

    /// <summary>The constructor arguments the pickle gave (usually a <see cref="PickleTuple"/>), or null.</summary>
    public object? Arguments { get; }

    /// <summary>The state passed to <c>__setstate__</c> (often a dict of attributes), or null.</summary>
    public object? State { get; internal set; }

    /// <summary>Items appended as to a list subclass.</summary>
    public List<object?> ListItems { get; } = [];

    /// <summary>Items set as on a dict subclass (a <c>CfgNode</c>'s keys land here).</summary>
    public PickleDict DictItems { get; } = new();

    /// <inheritdoc />
    public override string ToString() => $"<{Type.FullName} object (inert)>";
}

/// <summary>
/// A tensor as the pickle describes it: a view (offset, shape, stride) into a storage of the archive.
/// The elements are read only when the tensor is materialized.
/// </summary>
public sealed class PickledTensor
{
    internal PickledTensor(string storageKey, TensorDType dtype, long storageElements,
        long storageOffset, int[] shape, long[] stride)
    {
        StorageKey = storageKey;
        DType = dtype;
        StorageElements = storageElements;
        StorageOffset = storageOffset;
        ShapeArray = shape;
        StrideArray = stride;
    }

    /// <summary>The storage's entry name under <c>data/</c> in the archive.</summary>
    public string StorageKey { get; }

    /// <summary>The element type of the storage.</summary>
    public TensorDType DType { get; }

    /// <summary>Elements in the whole storage.</summary>
    public long StorageElements { get; }

    /// <summary>Offset of element [0, …, 0] in the storage, in elements.</summary>
    public long StorageOffset { get; }

    /// <summary>The tensor's shape.</summary>
    public IReadOnlyList<int> Shape => ShapeArray;

    /// <summary>The tensor's strides, in elements.</summary>
    public IReadOnlyList<long> Stride => StrideArray;

    internal int[] ShapeArray { get; }

    internal long[] StrideArray { get; }

    /// <inheritdoc />
    public override string ToString() => $"tensor{HostTensor.FormatShape(ShapeArray)} {DType}";
}
