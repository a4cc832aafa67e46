namespace Hilo.Ilgpu.IO;

/// <summary>Base of the errors raised while reading or checking weights files.</summary>
public abstract class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected CheckpointException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    protected CheckpointException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>
/// A file is not a well-formed checkpoint, safetensors or .npy file, or asks for something this reader
/// refuses (a disallowed pickle global, an unsupported dtype, a limit exceeded). The message names the
/// file and what is wrong.
/// </summary>
public sealed class CheckpointFormatException : CheckpointException
{
    /// <summary>Creates the exception; <paramref name="file"/> is prefixed to the message.</summary>
    public CheckpointFormatException(string file, string problem, Exception? inner = null)
        : base($"{file}: {problem}", inner)
    {
        FilePath = file;
        Problem = problem;
    }

    /// <summary>The file (or stream description) that was being read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}

/// <summary>One tensor whose shape in the checkpoint differs from what the model expects.</summary>
/// <param name="Key">The parameter name.</param>
/// <param name="Actual">The shape found in the checkpoint.</param>
/// <param name="Expected">The shape the model expects.</param>
public sealed record ShapeMismatch(string Key, IReadOnlyList<int> Actual, IReadOnlyList<int> Expected)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Key}: checkpoint {HostTensor.FormatShape(Actual)}, expected {HostTensor.FormatShape(Expected)}";
}

/// <summary>
/// A state dict does not fit the model: lists every missing, unexpected and mis-shaped key at once.
/// </summary>
public sealed class CheckpointMismatchException : CheckpointException
{
    private const int ListedPerKind = 25;

    /// <summary>Creates the exception with the full lists; the message shows the first entries of each.</summary>
    public CheckpointMismatchException(
        string architecture,
        IReadOnlyList<string> missing,
        IReadOnlyList<string> unexpected,
        IReadOnlyList<ShapeMismatch> misShaped)
        : base(Format(architecture, missing, unexpected, misShaped))
    {
        Architecture = architecture;
        Missing = missing;
        Unexpected = unexpected;
        MisShaped = misShaped;
    }

    /// <summary>The architecture the state dict was checked against (e.g. <c>litv2-s</c>).</summary>
    public string Architecture { get; }

    /// <summary>Keys the model needs that the checkpoint lacks, in model order.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Keys in the checkpoint the model does not have, in checkpoint order.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Keys present in both with different shapes.</summary>
    public IReadOnlyList<ShapeMismatch> MisShaped { get; }

    private static string Format(
        string architecture, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
        IReadOnlyList<ShapeMismatch> misShaped)
    {
        var text = new System.Text.StringBuilder();
        text.Append($"checkpoint does not match architecture '{architecture}': ")
            .Append($"{missing.Count} missing, {unexpected.Count} unexpected, {misShaped.Count} mis-shaped key(s)");
        AppendList(text, "missing", missing.Select(k => k));
        AppendList(text, "unexpected", unexpected.Select(k => k));
        AppendList(text, "mis-shaped", misShaped.Select(m => m.ToString()));
        if (missing.Count > 0 && unexpected.Count > 0 && misShaped.Count == 0 &&
            unexpected.Count >= missing.Count / 2 && missing.Count > 10)
        {
            text.Append("\n(most keys differ: is this a checkpoint for another architecture or model family?)");
        }
        return text.ToString();
    }

    private static void AppendList(System.Text.StringBuilder text, string title, IEnumerable<string> items)
    {
        var list = items.ToList();
        if (list.Count == 0)
        {
            return;
        }
        text.Append($"\n  {title}: ").Append(string.Join(", ", list.Take(ListedPerKind)));
        if (list.Count > ListedPerKind)
        {
            text.Append($", … and {list.Count - ListedPerKind} more");
        }
    }
}

/// <summary>One tensor holding a NaN or an infinity.</summary>
/// <param name="Key">The parameter name.</param>
/// <param name="FirstIndex">Flat (row-major) index of the first non-finite element.</param>
/// <param name="Value">That element.</param>
/// <param name="Count">How many elements of the tensor are non-finite.</param>
public sealed record NonFiniteEntry(string Key, int FirstIndex, float Value, int Count)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Key}: {Count} non-finite value(s), first {Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} at flat index {FirstIndex}";
}

/// <summary>Weights contain NaN or infinity; names every affected key.</summary>
public sealed class NonFiniteWeightsException : CheckpointException
{
    /// <summary>Creates the exception.</summary>
    public NonFiniteWeightsException(IReadOnlyList<NonFiniteEntry> entries)
        : base("weights contain NaN or infinity:\n  " + string.Join("\n  ", entries.Take(25)) +
               (entries.Count > 25 ? $"\n  … and {entries.Count - 25} more" : ""))
    {
        Entries = entries;
    }

    /// <summary>Every affected tensor, in state-dict order.</summary>
    public IReadOnlyList<NonFiniteEntry> Entries { get; }
}

/// <summary>A weight holds a value its layer cannot use (a negative variance): the key, the first bad index and value.</summary>
public sealed class InvalidWeightsException : CheckpointException
{
    /// <summary>Creates the exception.</summary>
    public InvalidWeightsException(string key, int index, float value, string reason)
        : base($"weight '{key}' holds {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} at flat index {index}: {reason}")
    {
        Key = key;
        Index = index;
        Value = value;
    }

    /// <summary>The parameter name.</summary>
    public string Key { get; }

    /// <summary>The first bad flat index.</summary>
    public int Index { get; }

    /// <summary>The value there.</summary>
    public float Value { get; }
}
