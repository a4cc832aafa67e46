using System.Numerics;
using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary>
/// Every opcode of the safe unpickler, each in a hand-assembled pickle, against the value Python's pickle builds from
/// the same bytes (pickletools' opcode table); and every refusal by its message and the opcode's byte offset. Mutation
/// testing (<c>tools/mutation.sh io-pickle</c>) found opcodes that only real checkpoints exercised, or none did.
/// </summary>
public class PickleOpcodeTests
{
    private const byte Mark = (byte)'(', Stop = (byte)'.', Int1 = (byte)'K', Str1 = 0x8c;

    private static object? UnpickleRaw(byte[] pickle, CheckpointLimits? limits = null)
    {
        using var zip = TorchZipBuilder.Build(pickle);
        using var reader = TorchCheckpointReader.Open(zip, "p.pt", limits);
        return reader.Root;
    }

    // PROTO 2, the body, STOP.
    private static object? Unpickle(params byte[] body) => UnpickleRaw([0x80, 2, .. body, Stop]);

    // What is wrong, with the entry and the opcode's offset; the refusal must be a CheckpointFormatException.
    private static string Refusal(byte[] pickle, CheckpointLimits? limits = null) =>
        Assert.Throws<CheckpointFormatException>(() => UnpickleRaw(pickle, limits)).Problem;

    private static string RefusalOf(params byte[] body) => Refusal([0x80, 2, .. body, Stop]);

    private static object?[] Items(object? tuple) => [.. Assert.IsType<PickleTuple>(tuple).Items];

    private static object?[] List(object? list) => [.. Assert.IsType<List<object?>>(list)];

    [Fact]
    public void EmptyContainers()
    {
        Assert.Equal(0, Assert.IsType<PickleDict>(Unpickle((byte)'}')).Count);
        Assert.Empty(List(Unpickle((byte)']')));
        Assert.Same(PickleTuple.Empty, Unpickle((byte)')'));
        // EMPTY_SET, then ADDITEMS of 1 and 2: sets are kept as lists.
        Assert.Equal([1L, 2L], List(Unpickle(0x8f, Mark, Int1, 1, Int1, 2, 0x90)));
        // FROZENSET of the values above a MARK.
        Assert.Equal([1L, 2L], List(Unpickle(Mark, Int1, 1, Int1, 2, 0x91)));
    }

    [Fact]
    public void TuplesListsAndDicts()
    {
        Assert.Equal([1L], Items(Unpickle(Int1, 1, 0x85)));
        Assert.Equal([1L, 2L], Items(Unpickle(Int1, 1, Int1, 2, 0x86)));
        Assert.Equal([1L, 2L, 3L], Items(Unpickle(Int1, 1, Int1, 2, Int1, 3, 0x87)));
        Assert.Equal([1L, 2L], Items(Unpickle(Mark, Int1, 1, Int1, 2, (byte)'t')));
        Assert.Equal([1L, 2L], List(Unpickle(Mark, Int1, 1, Int1, 2, (byte)'l')));
        var dict = Assert.IsType<PickleDict>(Unpickle(Mark, Str1, 1, (byte)'a', Int1, 1, (byte)'d'));
        Assert.True(dict.TryGetValue("a", out object? a));
        Assert.Equal(1L, a);
        Assert.Equal(1, dict.Count);
    }

    [Fact]
    public void SetItemsAndAppends()
    {
        var one = Assert.IsType<PickleDict>(Unpickle((byte)'}', Str1, 1, (byte)'a', Int1, 1, (byte)'s'));
        Assert.Equal([new KeyValuePair<object?, object?>("a", 1L)], one.Entries);
        // SETITEMS of a=1, b=2, a=3: a string key set again keeps its place and takes the new value, as in Python.
        var three = Assert.IsType<PickleDict>(Unpickle((byte)'}', Mark, Str1, 1, (byte)'a', Int1, 1, Str1, 1, (byte)'b', Int1, 2,
            Str1, 1, (byte)'a', Int1, 3, (byte)'u'));
        Assert.Equal([new KeyValuePair<object?, object?>("a", 3L), new KeyValuePair<object?, object?>("b", 2L)], three.Entries);
        Assert.Equal([1L], List(Unpickle((byte)']', Int1, 1, (byte)'a')));
        Assert.Equal([1L, 2L], List(Unpickle((byte)']', Mark, Int1, 1, Int1, 2, (byte)'e')));
        Assert.Equal("archive/data.pkl: SETITEMS with an odd number of values (pickle opcode at byte 11)",
            RefusalOf((byte)'}', Mark, Str1, 1, (byte)'a', Int1, 1, Int1, 2, (byte)'u'));
        Assert.Contains("SETITEM on a list, not a dict", RefusalOf((byte)']', Int1, 1, Int1, 2, (byte)'s'), StringComparison.Ordinal);
        Assert.Contains("APPEND on a dict, not a list", RefusalOf((byte)'}', Int1, 1, (byte)'a'), StringComparison.Ordinal);
    }

    [Fact]
    public void StackOpcodes()
    {
        Assert.Equal(1L, Unpickle(Int1, 1, Int1, 2, (byte)'0')); // POP
        Assert.Equal(1L, Unpickle(Int1, 1, Mark, Int1, 2, Int1, 3, (byte)'1')); // POP_MARK
        Assert.Equal([1L, 1L], Items(Unpickle(Int1, 1, (byte)'2', 0x86))); // DUP
        Assert.Null(Unpickle((byte)'N'));
        Assert.Equal(true, Unpickle(0x88));
        Assert.Equal(false, Unpickle(0x89));
    }

    [Fact]
    public void Integers()
    {
        Assert.Equal(-2L, Unpickle((byte)'J', 0xFE, 0xFF, 0xFF, 0xFF)); // BININT: signed 32-bit
        Assert.Equal(255L, Unpickle(Int1, 0xFF)); // BININT1: unsigned byte
        Assert.Equal(0x1234L, Unpickle((byte)'M', 0x34, 0x12)); // BININT2: unsigned 16-bit
        // LONG1: n bytes of little-endian two's complement; no bytes is 0.
        Assert.Equal(0L, Unpickle(0x8a, 0));
        Assert.Equal(-1L, Unpickle(0x8a, 1, 0xFF));
        Assert.Equal(-32768L, Unpickle(0x8a, 2, 0x00, 0x80));
        Assert.Equal(long.MaxValue, Unpickle(0x8a, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F));
        Assert.Equal(long.MinValue, Unpickle(0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0x80));
        // 2^64 does not fit a long: kept as a BigInteger.
        Assert.Equal(BigInteger.One << 64, Unpickle(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1));
        Assert.Equal(-(BigInteger.One << 63) - 1, Unpickle(0x8a, 9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF));
        Assert.Equal(12345L, Unpickle(0x8b, 2, 0, 0, 0, 0x39, 0x30)); // LONG4
        Assert.Equal(1.5, Unpickle((byte)'G', 0x3F, 0xF8, 0, 0, 0, 0, 0, 0)); // BINFLOAT: big-endian double
    }

    [Fact]
    public void StringsAndBytes()
    {
        Assert.Equal("hé", Unpickle((byte)'X', 3, 0, 0, 0, (byte)'h', 0xC3, 0xA9)); // BINUNICODE: UTF-8
        Assert.Equal("é", Unpickle(Str1, 2, 0xC3, 0xA9));
        Assert.Equal("é", Unpickle(0x8d, 2, 0, 0, 0, 0, 0, 0, 0, 0xC3, 0xA9)); // BINUNICODE8
        Assert.Equal("é", Unpickle((byte)'T', 1, 0, 0, 0, 0xE9)); // BINSTRING: Latin-1 (Python 2 str)
        Assert.Equal("é", Unpickle((byte)'U', 1, 0xE9)); // SHORT_BINSTRING
        Assert.Equal(new byte[] { 1, 2 }, Assert.IsType<byte[]>(Unpickle((byte)'B', 2, 0, 0, 0, 1, 2)));
        Assert.Equal(new byte[] { 1, 2 }, Assert.IsType<byte[]>(Unpickle((byte)'C', 2, 1, 2)));
        Assert.Equal(new byte[] { 1, 2 }, Assert.IsType<byte[]>(Unpickle(0x8e, 2, 0, 0, 0, 0, 0, 0, 0, 1, 2))); // BINBYTES8
        Assert.Equal(new byte[] { 1, 2 }, Assert.IsType<byte[]>(Unpickle(0x96, 2, 0, 0, 0, 0, 0, 0, 0, 1, 2))); // BYTEARRAY8
        Assert.Equal("archive/data.pkl: string is not valid UTF-8 (pickle opcode at byte 2)", RefusalOf(Str1, 1, 0xFF));
    }

    [Fact]
    public void TheMemo()
    {
        // BINPUT 0, BINGET 0; LONG_BINPUT 10000, LONG_BINGET 10000.
        Assert.Equal([7L, 7L], Items(Unpickle(Int1, 7, (byte)'q', 0, (byte)'h', 0, 0x86)));
        Assert.Equal([7L, 7L], Items(Unpickle(Int1, 7, (byte)'r', 0x10, 0x27, 0, 0, (byte)'j', 0x10, 0x27, 0, 0, 0x86)));
        // MEMOIZE stores at the memo's size: 7 at 0, 8 at 1.
        Assert.Equal([7L, 8L, 7L, 8L], Items(Unpickle(Mark, Int1, 7, 0x94, Int1, 8, 0x94, (byte)'h', 0, (byte)'h', 1, (byte)'t')));
        Assert.Equal("archive/data.pkl: memo entry 5 read before it was stored (pickle opcode at byte 4)", RefusalOf(Int1, 7, (byte)'h', 5));
        // The memo limit counts entries, not indices: storing an index again is no new entry.
        var limits = new CheckpointLimits { MaxMemoEntries = 1 };
        Assert.Equal(8L, UnpickleRaw([0x80, 2, Int1, 7, (byte)'q', 3, Int1, 8, (byte)'q', 3, (byte)'h', 3, Stop], limits));
        Assert.Contains("more than 1 memo entries", Refusal([0x80, 2, Int1, 7, (byte)'q', 3, (byte)'q', 4, Stop], limits), StringComparison.Ordinal);
    }

    private static readonly byte[] GlobalMC = [(byte)'c', (byte)'m', (byte)'\n', (byte)'C', (byte)'\n'];

    [Fact]
    public void GlobalsAndObjects()
    {
        // GLOBAL m.C, EMPTY_TUPLE, NEWOBJ: an inert record, never constructed.
        var o = Assert.IsType<ForeignObject>(Unpickle([.. GlobalMC, (byte)')', 0x81]));
        Assert.Equal(new PickleGlobal("m", "C"), o.Type);
        Assert.Same(PickleTuple.Empty, o.Arguments);
        // STACK_GLOBAL of two strings names the same class; NEWOBJ_EX drops its kwargs.
        var s = Assert.IsType<ForeignObject>(Unpickle(Str1, 1, (byte)'m', Str1, 1, (byte)'C', 0x93, Int1, 5, 0x85, (byte)'}', 0x92));
        Assert.Equal("m.C", s.Type.FullName);
        Assert.Equal([5L], Items(s.Arguments));
        // BUILD sets an object's state and a dict's attributes; SETITEM and APPEND on an object fill its items.
        var built = Assert.IsType<ForeignObject>(Unpickle([.. GlobalMC, (byte)')', 0x81, Int1, 9, (byte)'b',
            Str1, 1, (byte)'k', Int1, 1, (byte)'s', Int1, 2, (byte)'a']));
        Assert.Equal(9L, built.State);
        Assert.Equal([new KeyValuePair<object?, object?>("k", 1L)], built.DictItems.Entries);
        Assert.Equal([2L], built.ListItems);
        Assert.Equal(4L, Assert.IsType<PickleDict>(Unpickle((byte)'}', Int1, 4, (byte)'b')).Attributes);
    }

    [Theory]
    [InlineData(new byte[] { Int1, 1, Int1, 2, 0x93 }, "STACK_GLOBAL needs two strings (pickle opcode at byte 6)")]
    [InlineData(new byte[] { Int1, 1, (byte)')', (byte)'R' }, "REDUCE calls a int, not a named global; refused (pickle opcode at byte 5)")]
    [InlineData(new byte[] { (byte)'c', (byte)'m', 10, (byte)'C', 10, Int1, 1, (byte)'R' }, "REDUCE of m.C with int arguments instead of a tuple (pickle opcode at byte 9)")]
    [InlineData(new byte[] { Int1, 1, (byte)')', 0x81 }, "NEWOBJ of a int, not a named class (pickle opcode at byte 5)")]
    [InlineData(new byte[] { Int1, 1, Int1, 2, (byte)'b' }, "BUILD (set state) on a int (pickle opcode at byte 6)")]
    [InlineData(new byte[] { (byte)'c', 10, (byte)'C', 10, (byte)')', 0x81 }, "GLOBAL with an empty or overlong name (pickle opcode at byte 2)")]
    [InlineData(new byte[] { (byte)'c', (byte)'m', 10, 10, (byte)')', 0x81 }, "GLOBAL with an empty or overlong name (pickle opcode at byte 2)")]
    [InlineData(new byte[] { Int1, 1, (byte)'0', (byte)'0' }, "pop from an empty pickle stack (pickle opcode at byte 5)")]
    [InlineData(new byte[] { (byte)'2' }, "opcode needs a value but the pickle stack is empty (pickle opcode at byte 2)")]
    [InlineData(new byte[] { Int1, 1, (byte)'t' }, "opcode needs a MARK but none is set (pickle opcode at byte 4)")]
    [InlineData(new byte[] { Int1, 1, Mark, (byte)'2' }, "opcode takes a value from below the last MARK (pickle opcode at byte 5)")]
    [InlineData(new byte[] { (byte)'i' }, "unsupported pickle opcode 0x69 ('i'); this reader handles the binary opcodes torch.save writes (protocols 2-5) (pickle opcode at byte 2)")]
    [InlineData(new byte[] { 0xFF }, "unsupported pickle opcode 0xff; this reader handles the binary opcodes torch.save writes (protocols 2-5) (pickle opcode at byte 2)")]
    [InlineData(new byte[] { 0x20 }, "unsupported pickle opcode 0x20 (' '); this reader handles the binary opcodes torch.save writes (protocols 2-5) (pickle opcode at byte 2)")]
    [InlineData(new byte[] { 0x7f }, "unsupported pickle opcode 0x7f; this reader handles the binary opcodes torch.save writes (protocols 2-5) (pickle opcode at byte 2)")]
    [InlineData(new byte[] { 0x80, 6 }, "unsupported pickle protocol 6 (pickle opcode at byte 2)")]
    [InlineData(new byte[] { (byte)'T', 0xFF, 0xFF, 0xFF, 0xFF }, "negative length -1 (pickle opcode at byte 2)")]
    [InlineData(new byte[] { (byte)'X', 100, 0, 0, 0, 1, 2 }, "pickle ends inside a value: 100 bytes needed, 3 left (truncated?) (pickle opcode at byte 2)")]
    [InlineData(new byte[] { (byte)'J', 1, 2 }, "pickle ends inside a value: 4 bytes needed, 3 left (truncated?) (pickle opcode at byte 2)")]
    [InlineData(new byte[] { 0x8d, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, "value of 18446744073709551615 bytes exceeds the limit of 67108864 (pickle opcode at byte 2)")]
    public void RefusalsNameTheProblemAndTheOpcodesOffset(byte[] body, string expected)
    {
        // The body follows PROTO 2 (bytes 0 and 1) and is closed by STOP.
        Assert.Equal("archive/data.pkl: " + expected, RefusalOf(body));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'N' }, "None")]
    [InlineData(new byte[] { 0x88 }, "bool")]
    [InlineData(new byte[] { (byte)'G', 0x3F, 0xF8, 0, 0, 0, 0, 0, 0 }, "float")]
    [InlineData(new byte[] { Str1, 1, (byte)'s' }, "str")]
    [InlineData(new byte[] { (byte)'C', 1, 0 }, "bytes")]
    [InlineData(new byte[] { (byte)']' }, "list")]
    [InlineData(new byte[] { (byte)')' }, "tuple")]
    [InlineData(new byte[] { (byte)'c', (byte)'m', 10, (byte)'C', 10 }, "global m.C")]
    [InlineData(new byte[] { 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, "int")]
    public void RefusalsNameTheValuesPythonType(byte[] value, string type)
    {
        // BUILD with state 1 on the value: only objects, dicts and tensors take a state.
        Assert.Contains($"BUILD (set state) on a {type} (", RefusalOf([.. value, Int1, 1, (byte)'b']), StringComparison.Ordinal);
    }

    [Fact]
    public void NewobjOfAnObjectNamesItsClass()
    {
        Assert.Contains("NEWOBJ of a m.C object, not a named class", RefusalOf([.. GlobalMC, (byte)')', 0x81, (byte)')', 0x81]), StringComparison.Ordinal);
    }

    [Fact]
    public void AValueEndingExactlyAtTheEndIsReadAndTheMissingStopNamed()
    {
        // BININT's 4 bytes and BINUNICODE's 3 are all there; the STOP after them is not.
        Assert.Equal("archive/data.pkl: pickle ends before its STOP opcode (truncated?) (pickle opcode at byte 7)",
            Refusal([0x80, 2, (byte)'J', 1, 2, 3, 4]));
        Assert.Equal("archive/data.pkl: pickle ends before its STOP opcode (truncated?) (pickle opcode at byte 10)",
            Refusal([0x80, 2, (byte)'X', 3, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c']));
    }

    [Fact]
    public void StructuralRefusals()
    {
        Assert.Equal("archive/data.pkl: STOP with an empty stack (pickle opcode at byte 2)", Refusal([0x80, 2, Stop]));
        Assert.Equal("archive/data.pkl: pickle ends before its STOP opcode (truncated?) (pickle opcode at byte 4)", Refusal([0x80, 2, Int1, 1]));
        Assert.Equal("archive/data.pkl: GLOBAL name is unterminated or longer than 1024 bytes (pickle opcode at byte 2)",
            Refusal([0x80, 2, (byte)'c', (byte)'m', Stop]));
        // A module name of 1023 bytes and its newline fit the 1024 bytes a line may take, with a class name of 1 byte the
        // 1024 a name may take; a class name of 2 bytes does not, nor does a module name of 1025 bytes.
        byte[] name1023 = [.. Enumerable.Repeat((byte)'m', 1023)];
        Assert.Contains("GLOBAL with an empty or overlong name",
            Refusal([0x80, 2, (byte)'c', .. name1023, 10, (byte)'C', (byte)'C', 10, (byte)')', 0x81, Stop]), StringComparison.Ordinal);
        var fits = Assert.IsType<ForeignObject>(UnpickleRaw([0x80, 2, (byte)'c', .. name1023, 10, (byte)'C', 10, (byte)')', 0x81, Stop]));
        Assert.Equal(1023, fits.Type.Module.Length);
        Assert.Contains("GLOBAL name is unterminated or longer than 1024 bytes",
            Refusal([0x80, 2, (byte)'c', .. name1023, (byte)'m', (byte)'m', 10, (byte)'C', 10, (byte)')', 0x81, Stop]), StringComparison.Ordinal);
        // The string limit holds at its value.
        var limits = new CheckpointLimits { MaxStringBytes = 3 };
        Assert.Equal("abc", UnpickleRaw([0x80, 2, (byte)'X', 3, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c', Stop], limits));
        Assert.Equal("archive/data.pkl: value of 4 bytes exceeds the limit of 3 (pickle opcode at byte 2)",
            Refusal([0x80, 2, (byte)'X', 4, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c', (byte)'d', Stop], limits));
    }

    [Fact]
    public void FramesAndLongIntegers()
    {
        // PROTO 4, FRAME of exactly the bytes that follow: read on.
        Assert.Equal(7L, UnpickleRaw([0x80, 4, 0x95, 3, 0, 0, 0, 0, 0, 0, 0, Int1, 7, Stop]));
        Assert.Equal("archive/data.pkl: FRAME of 4 bytes runs past the end of the pickle (3 left) (pickle opcode at byte 2)",
            Refusal([0x80, 4, 0x95, 4, 0, 0, 0, 0, 0, 0, 0, Int1, 7, Stop]));
        // LONG4 of 65,536 bytes is read; 65,537 bytes are too long even when they are there.
        byte[] Long4(int n) => [0x80, 2, 0x8b, .. BitConverter.GetBytes(n), .. new byte[n - 1], 1, Stop];
        Assert.Equal(BigInteger.One << (8 * 65_535), UnpickleRaw(Long4(65_536)));
        Assert.Equal("archive/data.pkl: integer of 65537 bytes is too long (pickle opcode at byte 2)", Refusal(Long4(65_537)));
    }
}
