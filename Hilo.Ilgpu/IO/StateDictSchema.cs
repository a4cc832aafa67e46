namespace Hilo.Ilgpu.IO;

/// <summary>
/// What a model expects of a checkpoint: every parameter and buffer with its shape, in model order, and the
/// architecture named in errors. Given to <see cref="CheckpointLoader.Load(string, CheckpointLimits?, StateDictSchema?)"/>,
/// it makes the loader check keys and shapes before it reads any tensor, and read only the tensors the model uses:
/// what a file can make the loader allocate is bounded by the model's own size.
/// </summary>
/// <param name="Architecture">Named in errors, e.g. <c>litv2-s</c>.</param>
/// <param name="Parameters">The model's parameters and buffers (name, shape).</param>
public sealed record StateDictSchema(string Architecture, IReadOnlyList<(string Name, int[] Shape)> Parameters)
{
    /// <summary>
    /// Keys neither required nor reported as unexpected, and never read: BatchNorm's <c>num_batches_tracked</c>, which
    /// inference does not use.
    /// </summary>
    public static bool Ignores(string key) =>
        key.EndsWith(".num_batches_tracked", StringComparison.Ordinal) || key == "num_batches_tracked";

    /// <summary>Whether the model reads <paramref name="key"/>.</summary>
    public bool Wants(string key) => names.Value.Contains(key);

    private readonly Lazy<HashSet<string>> names = new(() => new HashSet<string>(Parameters.Select(p => p.Name), StringComparer.Ordinal));

    /// <summary>Checks <paramref name="state"/>'s keys and shapes (not its data) and reports every difference at once.</summary>
    /// <exception cref="CheckpointMismatchException">Missing, unexpected or mis-shaped keys.</exception>
    public void Check(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.CheckAgainst(Parameters, Architecture, Ignores);
    }
}
