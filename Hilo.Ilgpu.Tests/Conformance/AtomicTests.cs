using Hilo.Ilgpu.Compute.Conformance;

namespace Hilo.Ilgpu.Tests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public void AtomicAddUnderContentionHandsOutUniqueTickets()
    {
        const int N = 1 << 16;
        const int Counters = 4;
        const int Increment = 3;
        using var counters = Filled(Counters, 0);
        using var tickets = Filled(N, -1);
        Launch(AtomicKernels.AddTicketsKernel, N, counters.View, tickets.View, Increment);
        Assert.Equal(Enumerable.Repeat(N / Counters * Increment, Counters), counters.ToArray());
        int[] got = tickets.ToArray();
        for (int c = 0; c < Counters; c++)
        {
            var mine = got.Where((_, i) => i % Counters == c).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, N / Counters).Select(t => t * Increment), mine);
        }
    }

    [Fact]
    public void AtomicMinMaxFindExtremes()
    {
        var rng = new Random(50);
        int[] values = [.. Enumerable.Range(0, 50000).Select(_ => rng.Next(int.MinValue, int.MaxValue))];
        using var dv = Upload(values);
        using var result = Upload(new[] { int.MaxValue, int.MinValue });
        Launch(AtomicKernels.MinMaxKernel, values.Length, dv.View, result.View);
        Assert.Equal(new[] { values.Min(), values.Max() }, result.ToArray());
    }

    [Fact]
    public void AtomicExchangeLosesNoValue()
    {
        const int N = 20000;
        using var slot = Filled(1, 0);
        using var old = Filled(N, -1);
        Launch(AtomicKernels.ExchangeChainKernel, N, slot.View, old.View);
        // Every tag 1..N is either still in the slot or was returned to exactly one work-item, and 0 once.
        var all = old.ToArray().Append(slot.ToArray()[0]).Order();
        Assert.Equal(Enumerable.Range(0, N + 1), all);
    }

    [Fact]
    public void CompareExchangeRetryLoopIncrementsExactly()
    {
        const int N = 20000;
        using var counter = Filled(1, 0);
        using var seen = Filled(N, -1);
        Launch(AtomicKernels.CompareExchangeIncrementKernel, N, counter.View, seen.View);
        Assert.Equal(N, counter.ToArray()[0]);
        Assert.Equal(Enumerable.Range(0, N), seen.ToArray().Order());
    }

    [Fact]
    public void AtomicFloatAddSumsWithinTolerance()
    {
        const int N = 1 << 16;
        const int Bins = 8;
        var rng = new Random(51);
        float[] values = [.. Enumerable.Range(0, N).Select(_ => (float)rng.NextDouble())];
        using var dv = Upload(values);
        using var sums = Filled(Bins, 0f);
        Launch(AtomicKernels.FloatAddKernel, N, dv.View, sums.View);
        float[] got = sums.ToArray();
        for (int b = 0; b < Bins; b++)
        {
            double exact = values.Where((_, i) => i % Bins == b).Sum(v => (double)v);
            // N/Bins additions in any order: relative error well below n * eps; 1e-4 catches lost updates (≥ 1/8192).
            Assert.True(Math.Abs(got[b] - exact) <= 1e-4 * exact, $"bin {b}: {got[b]} vs {exact}");
        }
    }
}
