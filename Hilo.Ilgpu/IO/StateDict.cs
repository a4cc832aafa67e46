using System.Collections;

namespace Hilo.Ilgpu.IO;

/// <summary>
/// An ordered map from parameter name to tensor, as PyTorch's <c>state_dict()</c>: iteration follows
/// insertion order (the order of the file). Entries a reader adds lazily (a torch.save checkpoint's) know their shape
/// and read their data on first access, so keys and shapes are checked against a model (<see cref="CheckAgainst"/>)
/// before any tensor is materialised, and tensors nobody reads cost nothing. Not safe for concurrent first accesses.
/// </summary>
public sealed class StateDict : IReadOnlyCollection<KeyValuePair<string, HostTensor>>
{
    private readonly List<string> _keys = [];
    private readonly Dictionary<string, Slot> _tensors = new(StringComparer.Ordinal);

    /// <summary>One entry: its shape, and its tensor or the function that reads it (and the one that announces that read).</summary>
    private sealed class Slot(int[] shape, HostTensor? value, Func<HostTensor>? load, Action? announce = null)
    {
        public int[] Shape { get; } = shape;

        /// <summary>Tells the reader this entry will be read (before any of a batch is), unless it already was.</summary>
        public void Announce()
        {
            if (value is null)
            {
                announce?.Invoke();
            }
        }

        public HostTensor Value
        {
            get
            {
                if (value is null)
                {
                    var read = load!();
                    if (!read.HasShape(Shape))
                    {
                        throw new InvalidOperationException($"a lazily read tensor has shape {read.ShapeText}, declared {HostTensor.FormatShape(Shape)}");
                    }
                    value = read;
                    load = null;
                    announce = null;
                }
                return value;
            }
        }
    }

    /// <summary>Number of entries.</summary>
    public int Count => _keys.Count;

    /// <summary>The keys in order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The tensor stored under <paramref name="key"/> (read now if it was added lazily).</summary>
    /// <exception cref="KeyNotFoundException">No such key (the message names it).</exception>
    public HostTensor this[string key] =>
        _tensors.TryGetValue(key, out var t) ? t.Value : throw new KeyNotFoundException($"no tensor named '{key}' in the state dict");

    /// <summary>The shape of the tensor under <paramref name="key"/>, without reading its data.</summary>
    /// <exception cref="KeyNotFoundException">No such key.</exception>
    public IReadOnlyList<int> ShapeOf(string key) =>
        _tensors.TryGetValue(key, out var t) ? t.Shape : throw new KeyNotFoundException($"no tensor named '{key}' in the state dict");

    /// <summary>Looks <paramref name="key"/> up (reading it if it was added lazily).</summary>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out HostTensor tensor)
    {
        tensor = _tensors.TryGetValue(key, out var t) ? t.Value : null;
        return tensor is not null;
    }

    /// <summary>True when <paramref name="key"/> is present.</summary>
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <summary>Appends an entry.</summary>
    /// <exception cref="ArgumentException">The key is already present.</exception>
    public void Add(string key, HostTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Add(key, new Slot([.. tensor.Shape], tensor, null));
    }

    /// <summary>
    /// Appends an entry of <paramref name="shape"/> whose tensor <paramref name="load"/> reads on first access;
    /// <paramref name="announce"/>, if given, is called by <see cref="Materialize"/> for every entry before the first is
    /// read, so that the reader can plan one pass over what they share.
    /// </summary>
    internal void AddLazy(string key, int[] shape, Func<HostTensor> load, Action? announce = null) => Add(key, new Slot(shape, null, load, announce));

    private void Add(string key, Slot slot)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_tensors.TryAdd(key, slot))
        {
            throw new ArgumentException($"duplicate key '{key}'", nameof(key));
        }
        _keys.Add(key);
    }

    /// <summary>A new state dict of the entries whose keys <paramref name="keep"/> accepts (lazy ones stay lazy).</summary>
    public StateDict Where(Func<string, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        var result = new StateDict();
        foreach (string key in _keys.Where(keep))
        {
            result.Add(key, _tensors[key]);
        }
        return result;
    }

    /// <summary>
    /// Reads every lazily added tensor now (while the file it comes from is open). The reader learns the whole set first,
    /// so a torch.save storage shared by several of them is inflated once (docs/checkpoints.md).
    /// </summary>
    public void Materialize()
    {
        foreach (string key in _keys)
        {
            _tensors[key].Announce();
        }
        foreach (string key in _keys)
        {
            _ = _tensors[key].Value;
        }
    }

    /// <summary>
    /// A new state dict in which every key beginning with <paramref name="prefix"/> (e.g. <c>module.</c>
    /// from <c>nn.DataParallel</c>) has it removed once; other keys are kept as they are.
    /// </summary>
    /// <exception cref="ArgumentException">Two keys become equal after stripping (both are named).</exception>
    public StateDict StripPrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var result = new StateDict();
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string key in _keys)
        {
            string stripped = key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : key;
            if (!origin.TryAdd(stripped, key))
            {
                throw new ArgumentException(
                    $"keys '{origin[stripped]}' and '{key}' both become '{stripped}' after removing prefix '{prefix}'",
                    nameof(prefix));
            }
            result.Add(stripped, _tensors[key]);
        }
        return result;
    }

    /// <summary>
    /// Checks keys and shapes strictly against a model's parameter list and reports every missing,
    /// unexpected and mis-shaped key in one <see cref="CheckpointMismatchException"/>.
    /// </summary>
    /// <param name="expected">The model's parameters (name, shape), in model order.</param>
    /// <param name="architecture">Named in the error, e.g. <c>litv2-s</c>.</param>
    /// <param name="ignore">Keys for which this returns true are neither required nor reported as
    /// unexpected (e.g. BatchNorm's <c>num_batches_tracked</c>, which inference never reads).</param>
    public void CheckAgainst(
        IEnumerable<(string Name, int[] Shape)> expected, string architecture, Func<string, bool>? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ignore ??= static _ => false;
        var missing = new List<string>();
        var misShaped = new List<ShapeMismatch>();
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, shape) in expected)
        {
            if (!wanted.Add(name) || ignore(name))
            {
                continue;
            }
            if (!_tensors.TryGetValue(name, out var slot))
            {
                missing.Add(name);
            }
            else if (!slot.Shape.AsSpan().SequenceEqual(shape))
            {
                misShaped.Add(new ShapeMismatch(name, slot.Shape, shape));
            }
        }
        var unexpected = _keys.Where(k => !wanted.Contains(k) && !ignore(k)).ToList();
        if (missing.Count + unexpected.Count + misShaped.Count > 0)
        {
            throw new CheckpointMismatchException(architecture, missing, unexpected, misShaped);
        }
    }

    /// <summary>
    /// Throws <see cref="NonFiniteWeightsException"/> naming every tensor (of <paramref name="keys"/>, default all)
    /// that holds a NaN or an infinity, with the first bad flat index and value of each.
    /// </summary>
    public void CheckFinite(IEnumerable<string>? keys = null)
    {
        var bad = new List<NonFiniteEntry>();
        foreach (string key in keys ?? _keys)
        {
            float[] data = this[key].Data;
            int first = -1, count = 0;
            for (int i = 0; i < data.Length; i++)
            {
                if (!float.IsFinite(data[i]))
                {
                    if (first < 0)
                    {
                        first = i;
                    }
                    count++;
                }
            }
            if (first >= 0)
            {
                bad.Add(new NonFiniteEntry(key, first, data[first], count));
            }
        }
        if (bad.Count > 0)
        {
            throw new NonFiniteWeightsException(bad);
        }
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, HostTensor>> GetEnumerator()
    {
        foreach (string key in _keys)
        {
            yield return new KeyValuePair<string, HostTensor>(key, _tensors[key].Value);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
