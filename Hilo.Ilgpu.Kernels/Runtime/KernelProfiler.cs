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

    /// <summary>When true, launches of one ILGPU kernel with different grid and group shapes are kept apart (named <c>Kernel grid×group</c>).</summary>
    public bool ByLaunchShape { get; init; }

    /// <summary>
    /// Adds one run of <paramref name="kernel"/> that took <paramref name="elapsedTicks"/> <see cref="Stopwatch"/> ticks;
    /// <paramref name="shape"/> (the launch shape, if any) separates entries when <see cref="ByLaunchShape"/>.
    /// </summary>
    public void Record(string kernel, KernelFamily family, long elapsedTicks, string? shape = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        double seconds = elapsedTicks / (double)Stopwatch.Frequency;
        string key = ByLaunchShape && shape is not null ? $"{kernel} {shape}" : kernel;
        lock (gate)
        {
            if (!entries.TryGetValue(key, out var entry))
            {
                entry = new KernelProfileEntry(key, family);
                entries.Add(key, entry);
            }
            entry.Add(seconds);
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

    internal void Add(double seconds)
    {
        Launches++;
        TotalSeconds += seconds;
    }
}
