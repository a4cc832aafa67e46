using System.Diagnostics;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>
/// The kernel level of the layer scheduler (DESIGN.md §4, docs/scheduler.md): for one device, chooses among the
/// variants of an operation (kernel and launch shape) per shape by timing each candidate once, stores the winner in
/// the <see cref="TuningCache"/> under device + driver + operation + shape, and reuses it. Every
/// <see cref="ComputeDevice"/> has one (<see cref="ComputeDevice.Tuner"/>); layers ask it in their forward pass.
/// </summary>
public sealed partial class KernelTuner
{
    /// <summary>A candidate is stopped once one timed run takes more than this many times the best so far.</summary>
    public const double StopFactor = 3.0;

    private readonly ComputeDevice computeDevice;
    private readonly Action synchronize;
    private readonly List<TuningDecision> decisions = [];
    private readonly Lock gate = new();

    /// <summary>
    /// A tuner for <paramref name="device"/>: mode from <c>HILO_TUNING</c> unless given, cache
    /// <see cref="TuningCache.Default"/> unless given.
    /// </summary>
    public KernelTuner(ComputeDevice device, TuningMode? mode = null, TuningCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        computeDevice = device;
        Device = device.Info;
        synchronize = device.Synchronize;
        string? problem = null;
        Mode = mode ?? TuningModes.FromEnvironment(out problem);
        Problem = problem;
        Cache = cache ?? TuningCache.Default;
    }

    /// <summary>The device whose choices this tuner makes.</summary>
    public DeviceInfo Device { get; }

    /// <summary>How choices are made.</summary>
    public TuningMode Mode { get; set; }

    /// <summary>Where measured choices are stored.</summary>
    public TuningCache Cache { get; }

    /// <summary>A problem with the settings (an unknown <c>HILO_TUNING</c> value), or null.</summary>
    public string? Problem { get; }

    /// <summary>Timed runs per candidate at most (after one untimed warm-up run); the fastest counts.</summary>
    public int TimedRuns { get; set; } = 3;

    /// <summary>A candidate gets no further timed run once its timed runs add up to this (it has at least one).</summary>
    public TimeSpan TimeBudgetPerCandidate { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>A probe shorter than this never stops a candidate (launch overhead would dominate its scaled-up time).</summary>
    public TimeSpan MinimumStoppingProbe { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Called after each measurement (for a progress display).</summary>
    public Action<TuningEntry>? Measured { get; set; }

    /// <summary>Every choice made so far, in order (each key once).</summary>
    public IReadOnlyList<TuningDecision> Decisions
    {
        get
        {
            lock (gate)
            {
                return [.. decisions];
            }
        }
    }

    /// <summary>How many keys this tuner has measured.</summary>
    public int MeasurementCount
    {
        get
        {
            lock (gate)
            {
                return decisions.Count(d => d.Source == TuningSource.Measured);
            }
        }
    }

    /// <summary>
    /// The candidate to use for <paramref name="operation"/> at <paramref name="shape"/>: the cached choice when the
    /// cache has one naming a current candidate; otherwise, in <see cref="TuningMode.Measure"/>, the fastest of
    /// <paramref name="candidates"/> (measured now and stored); otherwise <paramref name="defaultCandidate"/>.
    /// </summary>
    /// <param name="operation">Operation name, e.g. <c>linear</c>.</param>
    /// <param name="shape">Shape text, e.g. <c>m=12544,k=768,n=2304</c>.</param>
    /// <param name="defaultCandidate">The device-family default (one of the candidates' names).</param>
    /// <param name="candidates">The variants; their actions run only when measuring.</param>
    public string Choose(string operation, string shape, string defaultCandidate, IReadOnlyList<TuningCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (!candidates.Any(c => c.Name == defaultCandidate))
        {
            throw new ArgumentException($"The default '{defaultCandidate}' is not among the candidates ({string.Join(", ", candidates.Select(c => c.Name))}).", nameof(defaultCandidate));
        }
        var key = TuningKey.For(Device, operation, shape);
        TuningDecision decision;
        if (Mode == TuningMode.Off)
        {
            decision = new TuningDecision(key, defaultCandidate, TuningSource.Default, null);
        }
        else if (Cache.TryGet(key, out var cached) && candidates.Any(c => c.Name == cached.Choice))
        {
            decision = new TuningDecision(key, cached.Choice, TuningSource.Cached, cached);
        }
        else if (Mode == TuningMode.CachedOnly || candidates.Count == 1)
        {
            decision = new TuningDecision(key, defaultCandidate, TuningSource.Default, null);
        }
        else
        {
            var entry = Measure(key, candidates);
            Cache.Store(entry);
            Measured?.Invoke(entry);
            decision = new TuningDecision(key, entry.Choice, TuningSource.Measured, entry);
        }
        lock (gate)
        {
            if (!decisions.Any(d => d.Key == key))
            {
                decisions.Add(decision);
            }
        }
        return decision.Choice;
    }

    // Per candidate: one untimed warm-up run (kernel builds, lazy weight layouts; the probe if there is one), one
    // timed probe, then up to TimedRuns timed runs, each bracketed by stream synchronisation. A probe (scaled) or run
    // over StopFactor × the best so far ends the candidate: a 20× slower variant costs a probe, or one run.
    private TuningEntry Measure(TuningKey key, IReadOnlyList<TuningCandidate> candidates)
    {
        var ms = new Dictionary<string, double>(StringComparer.Ordinal);
        var stopped = new List<string>();
        double best = double.PositiveInfinity;
        string? winner = null;
        synchronize();
        foreach (var candidate in candidates)
        {
            double fastest = double.PositiveInfinity, total = 0;
            bool stop = false;
            try
            {
                (candidate.Probe ?? candidate.Run)();
                synchronize();
                if (candidate.Probe is { } probe)
                {
                    double probeMs = Time(probe);
                    fastest = probeMs * candidate.ProbeScale;
                    // A probe of a few milliseconds is mostly launch overhead, which scaling up would overstate.
                    stop = probeMs >= MinimumStoppingProbe.TotalMilliseconds && fastest > StopFactor * best;
                }
                for (int run = 0; run < Math.Max(1, TimedRuns) && !stop; run++)
                {
                    double t = Time(candidate.Run);
                    fastest = run == 0 ? t : Math.Min(fastest, t);
                    total += t;
                    // Only a first run stops a candidate: a later spike on a busy machine is noise, and the fastest counts.
                    stop = run == 0 && t > StopFactor * best;
                    if (total >= TimeBudgetPerCandidate.TotalMilliseconds)
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is ILGPU.Runtime.AcceleratorException or KernelCompilationException)
            {
                // A kernel or launch shape this device rejects is not a candidate here; it is left out of the entry.
                continue;
            }
            ms[candidate.Name] = fastest;
            if (stop)
            {
                stopped.Add(candidate.Name);
            }
            else if (fastest < best)
            {
                best = fastest;
                winner = candidate.Name;
            }
        }
        if (winner is null)
        {
            throw new InvalidOperationException($"Tuning {key}: no candidate ran ({string.Join(", ", candidates.Select(c => c.Name))}).");
        }
        return new TuningEntry { Key = key, Choice = winner, Milliseconds = ms, Stopped = stopped, MeasuredAt = DateTimeOffset.UtcNow };
    }

    private double Time(Action run)
    {
        long start = Stopwatch.GetTimestamp();
        run();
        synchronize();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
