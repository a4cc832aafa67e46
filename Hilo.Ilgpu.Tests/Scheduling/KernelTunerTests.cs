using Hilo.Ilgpu.Scheduling;
using Hilo.Ilgpu.Tests.Layers;

namespace Hilo.Ilgpu.Tests.Scheduling;

/// <summary>
/// The tuner's decisions with fake candidates whose speed is set by sleeping (no assert on real kernel speed): measure
/// picks the faster and stores it, a cached choice is reused without running anything, cached-only and off never
/// measure, a much slower candidate is stopped early.
/// </summary>
public sealed class KernelTunerTests(CpuFamilyFixture fixture) : IClassFixture<CpuFamilyFixture>, IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-tuner-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private TuningCache NewCache() => new(Path.Combine(dir, "tuning.json"));

    private KernelTuner Tuner(TuningMode mode, TuningCache? cache = null) => new(fixture.Get(), mode, cache ?? NewCache());

    /// <summary>A candidate that counts its runs and sleeps <paramref name="sleepMs"/> per run.</summary>
    private sealed class Fake(string name, int sleepMs)
    {
        public int Runs { get; private set; }

        public TuningCandidate Candidate => new(name, () =>
        {
            Runs++;
            if (sleepMs > 0)
            {
                Thread.Sleep(sleepMs);
            }
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MeasurePicksTheFasterCandidateAndStoresIt(bool slowFirst)
    {
        var slow = new Fake("slow", 30);
        var fast = new Fake("fast", 0);
        var cache = NewCache();
        var tuner = Tuner(TuningMode.Measure, cache);
        var list = slowFirst ? new[] { slow.Candidate, fast.Candidate } : [fast.Candidate, slow.Candidate];
        Assert.Equal("fast", tuner.Choose("op", "n=1", "slow", list));
        Assert.True(fast.Runs >= 2 && slow.Runs >= 2, $"fast ran {fast.Runs}, slow {slow.Runs} times");
        var decision = Assert.Single(tuner.Decisions);
        Assert.Equal(TuningSource.Measured, decision.Source);
        Assert.True(decision.Entry!.Milliseconds["slow"] >= 25, $"slow measured {decision.Entry.Milliseconds["slow"]} ms");
        Assert.True(new TuningCache(cache.Path).TryGet(TuningKey.For(fixture.Get().Info, "op", "n=1"), out var stored));
        Assert.Equal("fast", stored.Choice);
    }

    [Fact]
    public void ACachedChoiceIsReusedWithoutRunningAnything()
    {
        var cache = NewCache();
        Tuner(TuningMode.Measure, cache).Choose("op", "n=2", "a", [new Fake("a", 20).Candidate, new Fake("b", 0).Candidate]);
        var a = new Fake("a", 20);
        var b = new Fake("b", 0);
        var tuner = Tuner(TuningMode.Measure, cache);
        Assert.Equal("b", tuner.Choose("op", "n=2", "a", [a.Candidate, b.Candidate]));
        Assert.Equal(0, a.Runs + b.Runs);
        Assert.Equal(TuningSource.Cached, Assert.Single(tuner.Decisions).Source);
        Assert.Equal(0, tuner.MeasurementCount);
    }

    [Fact]
    public void CachedOnlyNeverMeasures()
    {
        var cache = NewCache();
        var a = new Fake("a", 0);
        var b = new Fake("b", 0);
        var tuner = Tuner(TuningMode.CachedOnly, cache);
        Assert.Equal("a", tuner.Choose("op", "n=3", "a", [a.Candidate, b.Candidate]));
        Assert.Equal("b", tuner.Choose("op", "n=4", "b", [a.Candidate, b.Candidate]));
        Assert.Equal(0, a.Runs + b.Runs);
        Assert.All(tuner.Decisions, d => Assert.Equal(TuningSource.Default, d.Source));
        Assert.Empty(cache.Entries);
        // A hit is used.
        cache.Store(new TuningEntry { Key = TuningKey.For(fixture.Get().Info, "op", "n=5"), Choice = "b", Milliseconds = new Dictionary<string, double>(), MeasuredAt = DateTimeOffset.UtcNow });
        Assert.Equal("b", tuner.Choose("op", "n=5", "a", [a.Candidate, b.Candidate]));
        Assert.Equal(0, a.Runs + b.Runs);
    }

    [Fact]
    public void OffUsesTheDefaultEvenWithACachedChoice()
    {
        var cache = NewCache();
        cache.Store(new TuningEntry { Key = TuningKey.For(fixture.Get().Info, "op", "n=6"), Choice = "b", Milliseconds = new Dictionary<string, double>(), MeasuredAt = DateTimeOffset.UtcNow });
        var a = new Fake("a", 0);
        var b = new Fake("b", 0);
        var tuner = Tuner(TuningMode.Off, cache);
        Assert.Equal("a", tuner.Choose("op", "n=6", "a", [a.Candidate, b.Candidate]));
        Assert.Equal(0, a.Runs + b.Runs);
        Assert.Equal(TuningSource.Default, Assert.Single(tuner.Decisions).Source);
    }

    [Fact]
    public void ACachedChoiceThatIsNoLongerACandidateIsMeasuredAgain()
    {
        var cache = NewCache();
        cache.Store(new TuningEntry { Key = TuningKey.For(fixture.Get().Info, "op", "n=7"), Choice = "retired", Milliseconds = new Dictionary<string, double>(), MeasuredAt = DateTimeOffset.UtcNow });
        var a = new Fake("a", 10);
        var b = new Fake("b", 0);
        Assert.Equal("b", Tuner(TuningMode.Measure, cache).Choose("op", "n=7", "a", [a.Candidate, b.Candidate]));
        Assert.True(a.Runs > 0);
    }

    [Fact]
    public void AMuchSlowerCandidateCostsOneTimedRun()
    {
        var fast = new Fake("fast", 1);
        var slow = new Fake("slow", 150);
        var tuner = Tuner(TuningMode.Measure);
        Assert.Equal("fast", tuner.Choose("op", "n=8", "fast", [fast.Candidate, slow.Candidate]));
        Assert.Equal(1 + tuner.TimedRuns, fast.Runs);
        Assert.Equal(2, slow.Runs); // warm-up + one timed run
        var entry = tuner.Decisions[0].Entry!;
        Assert.Equal(["slow"], entry.Stopped);
    }

    [Fact]
    public void AProbeThatIsMuchSlowerStopsACandidateBeforeAnyFullRun()
    {
        var fast = new Fake("fast", 1);
        int probes = 0, fullRuns = 0;
        var slow = new TuningCandidate("slow", () => fullRuns++)
        {
            Probe = () =>
            {
                probes++;
                Thread.Sleep(10);
            },
            ProbeScale = 100,
        };
        var tuner = Tuner(TuningMode.Measure);
        Assert.Equal("fast", tuner.Choose("op", "n=9", "fast", [fast.Candidate, slow]));
        Assert.Equal(2, probes); // warm-up + timed probe
        Assert.Equal(0, fullRuns);
        var entry = tuner.Decisions[0].Entry!;
        Assert.Equal(["slow"], entry.Stopped);
        Assert.True(entry.Milliseconds["slow"] >= 1000, "the stopped candidate's time is its probe scaled up");
    }

    [Fact]
    public void ACandidateTheDeviceRejectsIsLeftOut()
    {
        var ok = new Fake("ok", 0);
        var rejected = new TuningCandidate("rejected", () => throw new KernelCompilationException("kernel rejected by the device"));
        var tuner = Tuner(TuningMode.Measure);
        Assert.Equal("ok", tuner.Choose("op", "n=10", "rejected", [rejected, ok.Candidate]));
        Assert.False(tuner.Decisions[0].Entry!.Milliseconds.ContainsKey("rejected"));
    }

    [Fact]
    public void TheDefaultMustBeACandidate()
    {
        Assert.Throws<ArgumentException>(() => Tuner(TuningMode.Off).Choose("op", "n=11", "missing", [new Fake("a", 0).Candidate]));
    }

    [Theory]
    [InlineData("measure", TuningMode.Measure)]
    [InlineData("CACHED", TuningMode.CachedOnly)]
    [InlineData(" off ", TuningMode.Off)]
    public void ModesParse(string text, TuningMode expected)
    {
        Assert.True(TuningModes.TryParse(text, out var mode));
        Assert.Equal(expected, mode);
        Assert.False(TuningModes.TryParse("fast", out _));
    }
}
