namespace Hilo.Ilgpu.Compute;

/// <summary>
/// Atomic read-modify-write operations on global (<see cref="ArrayView{T}"/>) or shared
/// (<see cref="SharedView{T}"/>) memory, e.g. <c>Atomic.Add(ref view[i], 1)</c>. Each returns the old value.
/// </summary>
public static class Atomic
{
    /// <summary>Adds <paramref name="value"/> to <paramref name="target"/>; returns the old value.</summary>
    public static int Add(ref int target, int value) => Interlocked.Add(ref target, value) - value;

    /// <summary>Adds <paramref name="value"/> to <paramref name="target"/> (compare-and-swap loop); returns the old value.</summary>
    public static float Add(ref float target, float value)
    {
        float old = Volatile.Read(ref target);
        while (true)
        {
            float seen = Interlocked.CompareExchange(ref target, old + value, old);
            if (BitConverter.SingleToInt32Bits(seen) == BitConverter.SingleToInt32Bits(old))
            {
                return old;
            }
            old = seen;
        }
    }

    /// <summary>Stores the minimum of <paramref name="target"/> and <paramref name="value"/>; returns the old value.</summary>
    public static int Min(ref int target, int value)
    {
        int old = Volatile.Read(ref target);
        while (true)
        {
            int seen = Interlocked.CompareExchange(ref target, Math.Min(old, value), old);
            if (seen == old)
            {
                return old;
            }
            old = seen;
        }
    }

    /// <summary>Stores the maximum of <paramref name="target"/> and <paramref name="value"/>; returns the old value.</summary>
    public static int Max(ref int target, int value)
    {
        int old = Volatile.Read(ref target);
        while (true)
        {
            int seen = Interlocked.CompareExchange(ref target, Math.Max(old, value), old);
            if (seen == old)
            {
                return old;
            }
            old = seen;
        }
    }

    /// <summary>Stores <paramref name="value"/>; returns the old value.</summary>
    public static int Exchange(ref int target, int value) => Interlocked.Exchange(ref target, value);

    /// <summary>
    /// Stores <paramref name="value"/> if <paramref name="target"/> equals <paramref name="compare"/>; returns the
    /// old value. Argument order follows OpenCL's <c>atomic_cmpxchg(p, cmp, val)</c>, not <see cref="Interlocked"/>.
    /// </summary>
    public static int CompareExchange(ref int target, int compare, int value) =>
        Interlocked.CompareExchange(ref target, value, compare);
}
