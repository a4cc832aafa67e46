using System.Diagnostics;

namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>
/// Per-kernel wall-clock totals of the ops of one device, for finding where a model's time goes
/// (<c>hilo infer --profile</c>). While attached to <see cref="KernelDevice.Profiler"/>, every ILGPU launch waits for
/// the stream before and after it, so the figures are exact per kernel but asynchronous devices lose their overlap:
/// profile to rank kernels, benchmark without a profiler to measure speed.
/// </summary>
public sealed class KernelProfiler
{
    private readonly Dictionary<string, KernelProfileEntry> entries = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>The totals so far, slowest kernel first.</summary>
    public IReadOnlyList<KernelProfileEntry> Entries
    {
        get
        {
            lock (gate)
            {
                return [.. entries.Values.OrderByDescending(e => e.TotalSeconds)];
            }
        }
    }

    /// <summary>Sum of every kernel's time.</summary>
    public double TotalSeconds
    {
        get
        {
            lock (gate)
            {
                return entries.Values.Sum(e => e.TotalSeconds);
            }
        }
    }

    /// <summary>Forgets every total.</summary>
    public void Reset()
    {
        lock (gate)
        {
            entries.Clear();
        }
    }

    /// <summary>
    /// When true, runs of one kernel with different shapes are kept apart (named <c>Kernel shape</c>): an ILGPU launch's
    /// <c>grid×group</c>, a CPU-family GEMM's <c>M×K×N</c>.
    /// </summary>
    public bool ByLaunchShape { get; init; }

    /// <summary>
    /// Adds one run of <paramref name="kernel"/> that took <paramref name="elapsedTicks"/> <see cref="Stopwatch"/> ticks;
    /// <paramref name="shape"/> (the launch shape, if any) separates entries when <see cref="ByLaunchShape"/>;
    /// <paramref name="flops"/> is the run's floating-point operations (an FMA is 2) where the op states them, 0 where
    /// it does not (then the entry has no <see cref="KernelProfileEntry.GflopsPerSecond"/>).
    /// </summary>
    public void Record(string kernel, KernelFamily family, long elapsedTicks, string? shape = null, double flops = 0)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (elapsedTicks < 0 || !double.IsFinite(flops) || flops < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(elapsedTicks), $"Profiler record for {kernel}: {elapsedTicks} ticks and {flops} FLOP; both must be ≥ 0 and finite.");
        }
        double seconds = elapsedTicks / (double)Stopwatch.Frequency;
        string key = ByLaunchShape && shape is not null ? $"{kernel} {shape}" : kernel;
        lock (gate)
        {
            if (!entries.TryGetValue(key, out var entry))
            {
                entry = new KernelProfileEntry(key, family);
                entries.Add(key, entry);
            }
            entry.Add(seconds, flops);
        }
    }
}

/// <summary>Totals of one kernel in a <see cref="KernelProfiler"/>.</summary>
public sealed class KernelProfileEntry
{
    internal KernelProfileEntry(string kernel, KernelFamily family)
    {
        Kernel = kernel;
        Family = family;
    }

    /// <summary>The kernel's name (<c>Class.Method</c>).</summary>
    public string Kernel { get; }

    /// <summary>The family the kernel belongs to.</summary>
    public KernelFamily Family { get; }

    /// <summary>Runs recorded.</summary>
    public int Launches { get; private set; }

    /// <summary>Seconds spent in those runs.</summary>
    public double TotalSeconds { get; private set; }

    /// <summary>Floating-point operations of those runs, as the ops state them (0: not stated).</summary>
    public double Flops { get; private set; }

    /// <summary>
    /// <see cref="Flops"/> over <see cref="TotalSeconds"/> in GFLOP/s; null when the op states no operation count
    /// (or every run stated none) or no time was measured.
    /// </summary>
    public double? GflopsPerSecond => Flops > 0 && TotalSeconds > 0 ? Flops / TotalSeconds / 1e9 : null;

    internal void Add(double seconds, double flops)
    {
        Launches++;
        TotalSeconds += seconds;
        Flops += flops;
    }
}
