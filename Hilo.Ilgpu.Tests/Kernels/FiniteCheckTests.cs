using Hilo.Ilgpu.Kernels.Layers.Basic;

namespace Hilo.Ilgpu.Tests.Kernels;

/// <summary>
/// <see cref="Elementwise.FlagNonFinite"/> on every family: NaN, +∞ and −∞ each alone at every position class the
/// CPU family treats differently (the 16-lane vector body, the scalar tail of <c>length % 16</c> values, the first
/// and last element, a length below one vector, both sides of a 4096-element work-item chunk), with only the named
/// flag set; finite extremes (±float.MaxValue, subnormals, −0) never set it.
/// </summary>
public abstract partial class KernelSuite
{
    /// <summary>The CPU family's elements per work item (ElementwiseCpu.Chunk): each chunk has its own body and tail.</summary>
    private const int CpuChunk = 4096;

    private static readonly float[] NonFinite = [float.NaN, float.PositiveInfinity, float.NegativeInfinity];

    /// <summary>(length, position class) pairs; each class only where the length has it.</summary>
    public static TheoryData<int, string> FiniteCheckCases()
    {
        var data = new TheoryData<int, string>();
        foreach (int length in new[] { 1, 7, 15, 16, 17, 40, 48, CpuChunk, CpuChunk + 8, 2 * CpuChunk + 27 })
        {
            foreach (string position in new[] { "first", "last", "body", "tail", "chunk-end", "chunk-start" })
            {
                if (PositionOf(length, position) is not null)
                {
                    data.Add(length, position);
                }
            }
        }
        return data;
    }

    /// <summary>The index of <paramref name="position"/> in an array of <paramref name="length"/>, or null where there is none.</summary>
    private static int? PositionOf(int length, string position)
    {
        int tail = length % CpuChunk % 16;
        return position switch
        {
            "first" => 0,
            "last" => length - 1,
            // Inside a whole vector that is neither the first nor the last element.
            "body" when length >= 16 => length >= 32 ? 16 * (length / 32) + 5 : 9,
            // Inside the scalar tail, away from its ends where it has more than two values.
            "tail" when tail >= 3 => length - 1 - tail / 2,
            "chunk-end" when length > CpuChunk => CpuChunk - 1,
            "chunk-start" when length > CpuChunk => CpuChunk,
            _ => null,
        };
    }

    [Theory]
    [MemberData(nameof(FiniteCheckCases))]
    public void FiniteCheckFlagsNaNAndBothInfinitiesAtEveryPosition(int length, string position)
    {
        int at = PositionOf(length, position)!.Value;
        var rng = new Random(length * 31 + at);
        // Large finite values (whose product with 0 is still 0) around the bad one.
        float[] data = RandomFloats(rng, length, -1.5e38f, 1.5e38f);
        using var flags = Filled(3, 0f);
        using var x = Upload(data);
        Elementwise.FlagNonFinite(Dev, Family, x.View, flags.View, 1);
        Assert.Equal([0f, 0f, 0f], Download(flags));
        foreach (float bad in NonFinite)
        {
            data[at] = bad;
            using var withBad = Upload(data);
            using var fresh = Filled(3, 0f);
            Elementwise.FlagNonFinite(Dev, Family, withBad.View, fresh.View, 1);
            float[] got = Download(fresh);
            Assert.True(got is [0f, 1f, 0f], Invariant($"{bad} at {at} ({position}) of {length}: flags [{string.Join(", ", got)}], expected [0, 1, 0]"));
        }
    }

    [Fact]
    public void FiniteCheckLeavesFlagsAloneForFiniteExtremes()
    {
        float[] extremes = [float.MaxValue, -float.MaxValue, float.Epsilon, -float.Epsilon, -0f, 1.1754942e-38f, 0f];
        float[] data = [.. Enumerable.Range(0, 3 * 16 + 5).Select(i => extremes[i % extremes.Length])];
        using var x = Upload(data);
        // A flag already set by an earlier layer stays set; the others stay clear.
        using var flags = Upload([1f, 0f]);
        Elementwise.FlagNonFinite(Dev, Family, x.View, flags.View, 0);
        Elementwise.FlagNonFinite(Dev, Family, x.View, flags.View, 1);
        Assert.Equal([1f, 0f], Download(flags));
    }

    [Theory]
    [InlineData(21)]    // a view ending inside the scalar tail
    [InlineData(4101)]  // a view ending five elements into a second 4096-element chunk
    public void FiniteCheckReadsNothingPastItsView(int length)
    {
        // NaN and ±∞ right after the view, in the same buffer: a check that read one element too far would flag them
        // (issue 20's surviving mutant `k < n` → `k <= n` in the CPU family's tail loop).
        float[] data = [.. Enumerable.Range(0, length).Select(i => (float)i), float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        using var x = Upload(data);
        using var flags = Filled(1, 0f);
        Elementwise.FlagNonFinite(Dev, Family, x.View.SubView(0, length), flags.View, 0);
        Assert.Equal([0f], Download(flags));
        // The same NaN inside the view is flagged.
        Elementwise.FlagNonFinite(Dev, Family, x.View.SubView(0, length + 1), flags.View, 0);
        Assert.Equal([1f], Download(flags));
    }

    [Fact]
    public void FiniteCheckRejectsATagOutsideTheFlags()
    {
        using var x = Upload([1f, 2f]);
        using var flags = Filled(2, 0f);
        var e = Assert.Throws<ArgumentException>(() => Elementwise.FlagNonFinite(Dev, Family, x.View, flags.View, 2));
        // The message names the check, the tag and the flags' length.
        Assert.Contains("finite check of 2 elements into flag 2 of 2", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Elementwise.FlagNonFinite(Dev, Family, x.View, flags.View, -1));
        Assert.Equal([0f, 0f], Download(flags));
    }
}
