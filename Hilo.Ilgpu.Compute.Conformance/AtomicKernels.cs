using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Compute.Conformance;

/// <summary>Atomics under contention: every work-item hits a few shared counters.</summary>
public static partial class AtomicKernels
{
    /// <summary>Each work-item takes a ticket from counter <c>i % counters.Length</c>.</summary>
    [Kernel]
    public static void AddTickets(ArrayView<int> counters, ArrayView<int> tickets, int increment)
    {
        int i = Grid.GlobalIndex.X;
        tickets[i] = Atomic.Add(ref counters[i % counters.Length], increment);
    }

    [Kernel]
    public static void MinMax(ArrayView<int> values, ArrayView<int> result)
    {
        int v = values[Grid.GlobalIndex.X];
        Atomic.Min(ref result[0], v);
        Atomic.Max(ref result[1], v);
    }

    /// <summary>Every work-item swaps its own tag into one slot; the old values form a chain.</summary>
    [Kernel]
    public static void ExchangeChain(ArrayView<int> slot, ArrayView<int> old)
    {
        int i = Grid.GlobalIndex.X;
        old[i] = Atomic.Exchange(ref slot[0], i + 1);
    }

    /// <summary>Lock-free increment by a compare-exchange retry loop; the seen values form a permutation.</summary>
    [Kernel]
    public static void CompareExchangeIncrement(ArrayView<int> counter, ArrayView<int> seen)
    {
        int i = Grid.GlobalIndex.X;
        int expected = counter[0];
        while (true)
        {
            int actual = Atomic.CompareExchange(ref counter[0], expected, expected + 1);
            if (actual == expected)
            {
                break;
            }
            expected = actual;
        }
        seen[i] = expected;
    }

    [Kernel]
    public static void FloatAdd(ArrayView<float> values, ArrayView<float> sums)
    {
        int i = Grid.GlobalIndex.X;
        Atomic.Add(ref sums[i % sums.Length], values[i]);
    }
}
