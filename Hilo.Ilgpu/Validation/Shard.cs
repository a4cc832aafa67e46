using System.Globalization;

namespace Hilo.Ilgpu.Validation;

/// <summary>
/// Part <see cref="Index"/> of <see cref="Count"/> (0-based, as Slurm's <c>SLURM_ARRAY_TASK_ID</c> with
/// <c>--array=0-(n−1)</c> and Kubernetes' <c>JOB_COMPLETION_INDEX</c> count) of an ordered list: a contiguous range,
/// items <c>⌊i·N/n⌋</c> to <c>⌊(i+1)·N/n⌋ − 1</c> of N. Contiguous ranges keep the one-run order: the shards' results
/// concatenated in shard order are the one run's results in its order, and their sizes differ by at most one.
/// </summary>
public readonly record struct Shard
{
    /// <summary>The whole list (<c>0/1</c>).</summary>
    public static Shard All => new(0, 1);

    /// <summary>Shard <paramref name="index"/> of <paramref name="count"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">count below 1, or index outside [0, count).</exception>
    public Shard(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        Index = index;
        Count = count;
    }

    /// <summary>This shard's number, 0 … <see cref="Count"/> − 1.</summary>
    public int Index { get; }

    /// <summary>How many shards the list is cut into.</summary>
    public int Count { get; }

    /// <summary>Parses <c>i/n</c> (0 ≤ i &lt; n).</summary>
    /// <exception cref="ArgumentException">Not two whole numbers i/n with 0 ≤ i &lt; n; the message names <c>--shard</c>.</exception>
    public static Shard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count >= 1 && index < count)
        {
            return new Shard(index, count);
        }
        throw new ArgumentException($"--shard {text}: write i/n with 0 <= i < n (e.g. 0/4 … 3/4; shards are numbered from 0)");
    }

    /// <summary>The first item of this shard and the one after its last, of <paramref name="total"/> items.</summary>
    public (int Start, int End) Range(int total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        int count = Math.Max(Count, 1);
        return ((int)((long)Index * total / count), (int)((long)(Index + 1) * total / count));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Math.Max(Count, 1)}");
}
