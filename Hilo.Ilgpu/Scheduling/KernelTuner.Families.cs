using System.Globalization;
using Hilo.Ilgpu.Kernels.Runtime;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>
/// The family screen: on a device that runs more than one kernel family (an unpinned <c>cpu</c>: the CPU family and
/// ILGPU kernels on emulated GPU threads), one small GEMM is timed once with every built-in <see cref="Linear"/>
/// variant, and a family whose best is over <see cref="ScreenFactor"/> × the fastest family's is left out of the
/// per-shape measurements. Without it, the first forward pass of LITv2-S on <c>cpu</c> spent ≈ 200 s probing ILGPU
/// GEMMs that ran ≈ 5000× slower than the CPU family's at every shape (measured on a 2-core Zen 3); with it the
/// families are still chosen by measurement, once per device, driver and kernels build (the screen is cached like any
/// choice, under operation <see cref="ScreenOperation"/>). Variants a user registered are always measured.
/// </summary>
public sealed partial class KernelTuner
{
    /// <summary>A family whose screen time is over this many times the fastest family's is not measured per shape.</summary>
    public const double ScreenFactor = 20;

    /// <summary>The cache's operation name for the family screen.</summary>
    public const string ScreenOperation = "family-screen";

    /// <summary>The screen's GEMM: M×K×N of a <see cref="Linear"/> layer's forward pass.</summary>
    public const int ScreenRows = 64, ScreenFeatures = 64;

    private TuningDecision? screen;

    /// <summary>
    /// Whether to screen the families before measuring per shape (default true). False measures every family's variants
    /// at every shape (<c>hilo tune --all-families</c>).
    /// </summary>
    public bool ScreenFamilies { get; set; } = true;

    /// <summary>The family screen's decision on this device (null until a layer asked for one, or where none is needed).</summary>
    public TuningDecision? FamilyScreen
    {
        get
        {
            lock (gate)
            {
                return screen;
            }
        }
    }

    /// <summary>
    /// Whether the built-in variants of <paramref name="family"/> are candidates when measuring here: the device runs
    /// the family, and (when it runs several, in <see cref="TuningMode.Measure"/> with <see cref="ScreenFamilies"/>)
    /// the family passed the screen. Runs the screen on first use, or reads it from the cache.
    /// </summary>
    public bool Considers(KernelFamily family)
    {
        if (!computeDevice.Allows(family))
        {
            return false;
        }
        if (computeDevice.Families.Count < 2 || Mode != TuningMode.Measure || !ScreenFamilies)
        {
            return true;
        }
        var entry = Screen().Entry!;
        double best = entry.Milliseconds.Values.Min();
        var times = entry.Milliseconds.Where(p => Linear.FamilyOf(p.Key) == family).Select(p => p.Value).ToList();
        return times.Count > 0 && times.Min() <= ScreenFactor * best;
    }

    private TuningDecision Screen()
    {
        lock (gate)
        {
            if (screen is not null)
            {
                return screen;
            }
        }
        string shape = string.Create(CultureInfo.InvariantCulture, $"linear m={ScreenRows},k={ScreenFeatures},n={ScreenFeatures}");
        var key = TuningKey.For(Device, ScreenOperation, shape);
        TuningDecision decision;
        if (Cache.TryGet(key, out var cached) && cached.Milliseconds.Count > 0)
        {
            decision = new TuningDecision(key, cached.Choice, TuningSource.Cached, cached);
        }
        else
        {
            using var layer = new Linear(computeDevice, ScreenFeatures, ScreenFeatures);
            layer.InitializeRandom(1);
            using var input = computeDevice.Upload(new float[ScreenRows * ScreenFeatures], ScreenRows, ScreenFeatures);
            var candidates = Linear.BuiltInVariants.Where(v => computeDevice.Allows(Linear.FamilyOf(v))).Select(v => new TuningCandidate(v, () =>
            {
                layer.Variant = v;
                layer.Forward(input).Dispose();
            })).ToList();
            var entry = Measure(key, candidates);
            Cache.Store(entry);
            Measured?.Invoke(entry);
            decision = new TuningDecision(key, entry.Choice, TuningSource.Measured, entry);
        }
        lock (gate)
        {
            screen ??= decision;
            return screen;
        }
    }
}
