using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary>
/// The unpickler's stack rules asserted as rules, not only as exception types: the depth limit counts values and MARKs
/// together and holds exactly at <see cref="CheckpointLimits.MaxStackDepth"/> (one more is refused, naming the limit);
/// an opcode never takes a value from below the last MARK (as CPython's fence). Each test fails on the mutant that drops
/// or loosens its rule (issue 20: the MARK-depth check removed, <c>Pop()</c> ignoring the mark floor).
/// </summary>
public class UnpicklerLimitTests
{
    private const byte Proto = 0x80, Mark = (byte)'(', Tuple = (byte)'t', Stop = (byte)'.';
    private static readonly byte[] One = [(byte)'K', 1];

    private static object? Unpickle(byte[] pickle, CheckpointLimits? limits = null)
    {
        using var zip = TorchZipBuilder.Build(pickle);
        using var reader = TorchCheckpointReader.Open(zip, "p.pt", limits);
        return reader.Root;
    }

    private static byte[] Pickle(params IEnumerable<byte>[] parts) => [Proto, 2, .. parts.SelectMany(p => p), Stop];

    private static IEnumerable<byte> Repeat(byte op, int count) => Enumerable.Repeat(op, count);

    private static IEnumerable<byte> Repeat(byte[] ops, int count) => Enumerable.Repeat(ops, count).SelectMany(o => o);

    /// <summary>MARK, <paramref name="values"/> ints, <paramref name="marks"/> MARKs closed as nested tuples, TUPLE: at its deepest, 1 + values + marks entries.</summary>
    private static byte[] Deep(int values, int marks) =>
        Pickle([Mark], Repeat(One, values), Repeat(Mark, marks), Repeat(Tuple, marks), [Tuple]);

    /// <param name="crossing">The byte offset of the opcode that makes the 7th entry: PROTO takes bytes 0–1, the outer MARK byte 2, each value 2 bytes, each MARK 1.</param>
    [Theory]
    [InlineData(5, 0, true, 0)]
    [InlineData(6, 0, false, 13)]
    [InlineData(0, 5, true, 0)]
    [InlineData(0, 6, false, 8)]
    [InlineData(2, 3, true, 0)]
    [InlineData(3, 3, false, 11)]
    public void TheDepthLimitCountsValuesAndMarksTogetherAndHoldsExactly(int values, int marks, bool loads, int crossing)
    {
        var limits = new CheckpointLimits { MaxStackDepth = 6 };
        byte[] pickle = Deep(values, marks);
        if (loads)
        {
            var outer = Assert.IsType<PickleTuple>(Unpickle(pickle, limits));
            Assert.Equal(values + (marks > 0 ? 1 : 0), outer.Count);
            return;
        }
        var e = Assert.Throws<CheckpointFormatException>(() => Unpickle(pickle, limits));
        Assert.Contains($"pickle stack deeper than 6 (values and MARKs; CheckpointLimits.MaxStackDepth) (pickle opcode at byte {crossing})", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NestedMarksTheDefaultLimitAllowsLoad()
    {
        // 1 + 0 + (MaxStackDepth − 1) entries at the deepest point: exactly the default limit.
        int depth = CheckpointLimits.Default.MaxStackDepth;
        object? value = Unpickle(Deep(0, depth - 1));
        for (int level = 0; level < depth - 1; level++)
        {
            var tuple = Assert.IsType<PickleTuple>(value);
            value = Assert.Single(tuple.Items);
        }
        Assert.Empty(Assert.IsType<PickleTuple>(value).Items);
    }

    [Fact]
    public void AMegabyteOfMarksIsRefusedAtTheDefaultLimitWithinBoundedMemory()
    {
        // A pickle of '(' only: without the MARK count in the limit, 256 MiB of it built a gigabyte of marks.
        int depth = CheckpointLimits.Default.MaxStackDepth;
        byte[] pickle = Pickle(Repeat(Mark, depth + 1));
        var (e, allocated) = Allocation.OnThisThread(() => Assert.Throws<CheckpointFormatException>(() => Unpickle(pickle)));
        Assert.Contains($"pickle stack deeper than {depth} (values and MARKs", e.Message, StringComparison.Ordinal);
        Assert.Contains($"(pickle opcode at byte {depth + 2})", e.Message, StringComparison.Ordinal); // the first MARK over the limit
        Assert.True(allocated < 64L << 20, $"refusing {depth + 1} MARKs allocated {allocated:N0} bytes");
    }

    [Theory]
    [InlineData(new byte[] { (byte)'}', Mark, (byte)'0', Tuple }, "POP")]
    [InlineData(new byte[] { (byte)'}', Mark, (byte)'2', Tuple }, "DUP")]
    [InlineData(new byte[] { (byte)'}', Mark, (byte)'K', 1, (byte)'s' }, "SETITEM's key")]
    [InlineData(new byte[] { (byte)'}', Mark, (byte)'q', 0, Tuple }, "BINPUT")]
    [InlineData(new byte[] { (byte)'K', 1, Mark, 0x85, Tuple }, "TUPLE1")]
    [InlineData(new byte[] { (byte)'K', 1, (byte)'K', 2, Mark, 0x86, Tuple }, "TUPLE2")]
    public void NoOpcodeTakesAValueFromBelowTheLastMark(byte[] ops, string what)
    {
        // \x80\x02}(0t. : with the floor ignored, POP took the dict and TUPLE then failed with ArgumentOutOfRangeException.
        var e = Assert.Throws<CheckpointFormatException>(() => Unpickle(Pickle(ops)));
        Assert.True(e.Message.Contains("opcode takes a value from below the last MARK", StringComparison.Ordinal), $"{what}: {e.Message}");
    }

    [Fact]
    public void ValuesAboveTheMarkAreTaken()
    {
        // Controls for the test above: the same opcodes with their values above the MARK.
        var dict = Assert.IsType<PickleDict>(Unpickle(Pickle([(byte)'}', Mark, (byte)'K', 1, (byte)'K', 2, (byte)'u'])));
        Assert.Equal(2L, dict.Entries.Single().Value);
        var tuple = Assert.IsType<PickleTuple>(Unpickle(Pickle([Mark, (byte)'K', 1, (byte)'2', (byte)'q', 0, (byte)'0', 0x85, Tuple])));
        var inner = Assert.IsType<PickleTuple>(Assert.Single(tuple.Items));
        Assert.Equal(1L, Assert.Single(inner.Items));
    }
}
