using System.Diagnostics;

namespace Hilo.Ilgpu.Compute;

/// <summary>
/// Per-kernel wall-clock totals of the launches on one stream, for finding where a model's time goes
/// (<c>hilo infer --profile</c>). While a profiler is attached to <see cref="AcceleratorStream.Profiler"/>, every
/// launch waits for the queue before and after it, so the figures are exact per kernel but the whole run loses the
/// overlap of asynchronous queues: profile to rank kernels, benchmark without a profiler to measure speed.
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

    /// <summary>When true, launches of one kernel over different global sizes are kept apart (named <c>Kernel (x, y, z)</c>).</summary>
    public bool ByLaunchShape { get; init; }

    /// <summary>Adds one launch of <paramref name="kernel"/> that took <paramref name="elapsedTicks"/> <see cref="Stopwatch"/> ticks.</summary>
    public void Record(string kernel, Index3D global, long elapsedTicks)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        double seconds = elapsedTicks / (double)Stopwatch.Frequency;
        if (ByLaunchShape)
        {
            kernel = $"{kernel} {global}";
        }
        lock (gate)
        {
            if (!entries.TryGetValue(kernel, out var entry))
            {
                entry = new KernelProfileEntry(kernel);
                entries.Add(kernel, entry);
            }
            entry.Add(seconds, global.Size);
        }
    }
}

/// <summary>Totals of one kernel in a <see cref="KernelProfiler"/>.</summary>
public sealed class KernelProfileEntry
{
    internal KernelProfileEntry(string kernel) => Kernel = kernel;

    /// <summary>The kernel's name.</summary>
    public string Kernel { get; }

    /// <summary>Launches recorded.</summary>
    public int Launches { get; private set; }

    /// <summary>Seconds spent in those launches.</summary>
    public double TotalSeconds { get; private set; }

    /// <summary>Work-items launched in all (the requested global sizes).</summary>
    public long WorkItems { get; private set; }

    internal void Add(double seconds, long workItems)
    {
        Launches++;
        TotalSeconds += seconds;
        WorkItems += workItems;
    }
}
