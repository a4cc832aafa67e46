using System.Collections;

namespace Hilo.Ilgpu.IO;

/// <summary>
/// An ordered map from parameter name to tensor, as PyTorch's <c>state_dict()</c>: iteration follows
/// insertion order (the order of the file).
/// </summary>
public sealed class StateDict : IReadOnlyCollection<KeyValuePair<string, HostTensor>>
{
    private readonly List<string> _keys = [];
    private readonly Dictionary<string, HostTensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>Number of entries.</summary>
    public int Count => _keys.Count;

    /// <summary>The keys in order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The tensor stored under <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such key (the message names it).</exception>
    public HostTensor this[string key] =>
        _tensors.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"no tensor named '{key}' in the state dict");

    /// <summary>Looks <paramref name="key"/> up.</summary>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out HostTensor tensor) =>
        _tensors.TryGetValue(key, out tensor);

    /// <summary>True when <paramref name="key"/> is present.</summary>
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <summary>Appends an entry.</summary>
    /// <exception cref="ArgumentException">The key is already present.</exception>
    public void Add(string key, HostTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(tensor);
        if (!_tensors.TryAdd(key, tensor))
        {
            throw new ArgumentException($"duplicate key '{key}'", nameof(key));
        }
        _keys.Add(key);
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
            if (!_tensors.TryGetValue(name, out var tensor))
            {
                missing.Add(name);
            }
            else if (!tensor.HasShape(shape))
            {
                misShaped.Add(new ShapeMismatch(name, tensor.Shape, shape));
            }
        }
        var unexpected = _keys.Where(k => !wanted.Contains(k) && !ignore(k)).ToList();
        if (missing.Count + unexpected.Count + misShaped.Count > 0)
        {
            throw new CheckpointMismatchException(architecture, missing, unexpected, misShaped);
        }
    }

    /// <summary>
    /// Throws <see cref="NonFiniteWeightsException"/> naming every tensor that holds a NaN or an
    /// infinity, with the first bad flat index and value of each.
    /// </summary>
    public void CheckFinite()
    {
        var bad = new List<NonFiniteEntry>();
        foreach (string key in _keys)
        {
            float[] data = _tensors[key].Data;
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
            yield return new KeyValuePair<string, HostTensor>(key, _tensors[key]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
