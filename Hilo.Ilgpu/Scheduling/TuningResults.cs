namespace Hilo.Ilgpu.Scheduling;

/// <summary>One measured choice: the winner and what every candidate took.</summary>
public sealed record TuningEntry
{
    /// <summary>What the choice is for.</summary>
    public required TuningKey Key { get; init; }

    /// <summary>The chosen candidate's name.</summary>
    public required string Choice { get; init; }

    /// <summary>
    /// Milliseconds per run of each candidate that ran (the fastest timed run; see <see cref="Stopped"/>).
    /// Candidates that failed to launch are absent.
    /// </summary>
    public required IReadOnlyDictionary<string, double> Milliseconds { get; init; }

    /// <summary>
    /// Candidates stopped early because one timed run (or their probe, scaled up) took over 3× the best so far; their
    /// <see cref="Milliseconds"/> is that run's time (or the scaled probe time).
    /// </summary>
    public IReadOnlyList<string> Stopped { get; init; } = [];

    /// <summary>When it was measured (UTC).</summary>
    public required DateTimeOffset MeasuredAt { get; init; }
}

/// <summary>Where a <see cref="TuningDecision"/> came from.</summary>
public enum TuningSource
{
    /// <summary>Measured just now.</summary>
    Measured,

    /// <summary>Read from the tuning cache.</summary>
    Cached,

    /// <summary>The device-family default (mode <see cref="TuningMode.Off"/>, or a cache miss in <see cref="TuningMode.CachedOnly"/>).</summary>
    Default,
}

/// <summary>A choice a <see cref="KernelTuner"/> made: the key, the chosen candidate and why.</summary>
/// <param name="Key">What it was for.</param>
/// <param name="Choice">The candidate used.</param>
/// <param name="Source">Measured, cached or default.</param>
/// <param name="Entry">The measurement behind it (null for a default).</param>
public sealed record TuningDecision(TuningKey Key, string Choice, TuningSource Source, TuningEntry? Entry);

/// <summary>One candidate of a choice: a name and an action that queues one run on the device's stream.</summary>
/// <param name="Name">The variant's name (stored in the cache).</param>
/// <param name="Run">Queues one run of the variant on scratch buffers of the real shape (never on a caller's output).</param>
public sealed record TuningCandidate(string Name, Action Run)
{
    /// <summary>
    /// Optional: queues one run on a reduced shape (about 1/<see cref="ProbeScale"/> of the work). Used as the
    /// warm-up (kernel builds, lazy weight layouts) and as a cheap first timing: a candidate whose probe, scaled up,
    /// is over <see cref="KernelTuner.StopFactor"/> × the best so far is stopped without a full run.
    /// </summary>
    public Action? Probe { get; init; }

    /// <summary>How much more work <see cref="Run"/> does than <see cref="Probe"/> (probe time × this ≈ run time).</summary>
    public double ProbeScale { get; init; } = 1;
}
