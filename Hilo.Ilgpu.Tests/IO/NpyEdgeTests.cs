using System.Buffers.Binary;
using System.Text;
using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary>
/// The .npy reader's and writer's edges that mutation testing (<c>tools/mutation.sh io-npy</c>) found untested: each
/// bound on its exact value, every refusal by its message, the header's text encoding per version, the byte-exact
/// header numpy writes and the switch to version 2.0 for headers too long for version 1.0.
/// </summary>
public class NpyEdgeTests
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // A .npy file: magic, version major.0, the header's length (2 bytes in 1.0, 4 in 2.0 and 3.0), the header, the data.
    private static byte[] Npy(byte[] header, byte[] data, byte major = 1)
    {
        var bytes = new List<byte>(Magic) { major, 0 };
        bytes.AddRange(major == 1 ? BitConverter.GetBytes((ushort)header.Length) : BitConverter.GetBytes(header.Length));
        bytes.AddRange(header);
        bytes.AddRange(data);
        return [.. bytes];
    }

    private static byte[] Npy(string header, int dataBytes, byte major = 1) =>
        Npy(Encoding.Latin1.GetBytes(header), new byte[dataBytes], major);

    private static byte[] LittleEndian(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }
        return bytes;
    }

    private static HostTensor Read(byte[] bytes, CheckpointLimits? limits = null)
    {
        using var stream = new MemoryStream(bytes);
        return NpyFile.Read(stream, "x.npy", limits);
    }

    // What is wrong (the message without the file name); the refusal must be a CheckpointFormatException, no other.
    private static string Refusal(byte[] bytes, CheckpointLimits? limits = null)
    {
        using var stream = new MemoryStream(bytes);
        return Assert.Throws<CheckpointFormatException>(() => NpyFile.Read(stream, "x.npy", limits)).Problem;
    }

    private static string Header(string descr, string shape, string order = "False") =>
        $"{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}";

    [Fact]
    public void NullArgumentsAreRefusedByName()
    {
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => NpyFile.Read((Stream)null!, "x.npy")).ParamName);
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => NpyFile.Write((Stream)null!, HostTensor.Zeros(1))).ParamName);
        using var sink = new MemoryStream();
        Assert.Equal("tensor", Assert.Throws<ArgumentNullException>(() => NpyFile.Write(sink, null!)).ParamName);
        Assert.Equal(0, sink.Length);
    }

    [Fact]
    public void AShortFileOrAWrongMagicIsNotANpyFile()
    {
        // The magic alone, with a version byte but nothing after: too short for the 8-byte preamble.
        Assert.Contains("magic", Refusal([.. Magic, 1]), StringComparison.Ordinal);
        // A whole file whose magic is off by one letter.
        byte[] wrong = Npy(Header("<f4", "(2,)"), 8);
        wrong[5] = (byte)'X';
        Assert.Contains("magic", Refusal(wrong), StringComparison.Ordinal);
    }

    [Fact]
    public void APreambleOrHeaderCutShortIsNamed()
    {
        // Version 1.0 stores the header's length in 2 bytes, 2.0 in 4: one byte short of each.
        Assert.Contains("ends inside its preamble", Refusal([.. Magic, 1, 0, 60]), StringComparison.Ordinal);
        Assert.Contains("ends inside its preamble", Refusal([.. Magic, 2, 0, 60, 0, 0]), StringComparison.Ordinal);
        // The length says 57 bytes of header, 30 are there.
        byte[] cut = Npy(Header("<f4", "(2,)"), 0)[..40];
        Assert.Equal(57, Header("<f4", "(2,)").Length);
        Assert.Contains("ends inside its header", Refusal(cut), StringComparison.Ordinal);
    }

    [Fact]
    public void TheHeaderLimitIncludesItsValue()
    {
        string header = Header("<f4", "(1,)");
        Assert.Equal([1], Read(Npy(header, 4), new CheckpointLimits { MaxNpyHeaderBytes = header.Length }).Shape);
        Assert.Contains($"header of {header.Length} bytes exceeds the limit of {header.Length - 1}",
            Refusal(Npy(header, 4), new CheckpointLimits { MaxNpyHeaderBytes = header.Length - 1 }), StringComparison.Ordinal);
    }

    [Fact]
    public void TheHeaderIsLatin1BeforeVersion3AndUtf8InIt()
    {
        // The same key, é, named back as é: one byte E9 in Latin-1 (1.0, 2.0), two bytes C3 A9 in UTF-8 (3.0).
        const string text = "{'é': 1}";
        Assert.Contains("unknown key 'é'", Refusal(Npy(Encoding.Latin1.GetBytes(text), [], major: 1)), StringComparison.Ordinal);
        Assert.Contains("unknown key 'é'", Refusal(Npy(Encoding.Latin1.GetBytes(text), [], major: 2)), StringComparison.Ordinal);
        Assert.Contains("unknown key 'é'", Refusal(Npy(Encoding.UTF8.GetBytes(text), [], major: 3)), StringComparison.Ordinal);
        // A version 3.0 file is read like the others otherwise.
        var t = Read(Npy(Encoding.UTF8.GetBytes(Header("<f4", "(2,)")), LittleEndian(1.5f, -2f), major: 3));
        Assert.Equal([1.5f, -2f], t.Data);
    }

    [Fact]
    public void AnArrayTooLargeForOneArrayIsRefusedBeforeItsData()
    {
        // 600 M float32 elements: the count fits an array, its 2.4 GB of bytes do not.
        Assert.Contains("of shape [600000000] is too large for one array", Refusal(Npy(Header("<f4", "(600000000,)"), 0)), StringComparison.Ordinal);
        Assert.Contains("of shape [300000000] is too large for one array", Refusal(Npy(Header("<f8", "(300000000,)"), 0)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("=")]
    [InlineData("|")]
    public void NativeAndNotApplicableByteOrdersReadAsThisMachinesOrder(string order)
    {
        Assert.True(BitConverter.IsLittleEndian, "the expectation below assumes a little-endian machine");
        var t = Read(Npy(Encoding.Latin1.GetBytes(Header(order + "f4", "(3,)")), LittleEndian(1.5f, -2f, 1e-30f)));
        Assert.Equal([1.5f, -2f, 1e-30f], t.Data);
        Assert.Equal(TensorDType.Float32, t.SourceDType);
    }

    [Theory]
    [InlineData("xf4")]
    [InlineData("f4")]
    [InlineData("")]
    [InlineData("<f4x")]
    [InlineData("<i4")]
    public void ADescrOutsideTheFloatFormsIsRefusedWithTheWayOut(string descr)
    {
        string problem = Refusal(Npy(Header(descr, "(2,)"), 8));
        Assert.Contains($"dtype '{descr}' is not supported", problem, StringComparison.Ordinal);
        Assert.EndsWith("convert with array.astype(numpy.float32)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void WhitespaceWherePythonAllowsItIsAccepted()
    {
        // Spaces, tabs and newlines before every comma, colon and bracket; Fortran order, so the data is column-major.
        const string header = "{ 'descr' :\t'<f4' , 'fortran_order' : True ,\n'shape' : ( 2 , 3 ) , }";
        var t = Read(Npy(header, 0).Concat(LittleEndian(0, 1, 2, 3, 4, 5)).ToArray());
        Assert.Equal([2, 3], t.Shape);
        // Element [i, j] is stored at i + 2 j.
        Assert.Equal([0f, 2f, 4f, 1f, 3f, 5f], t.Data);
    }

    [Theory]
    [InlineData("[]", "expected '{' at character 0")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", "expected '(' at character 50")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk", "has text after the dict")]
    [InlineData("{descr: '<f4'}", "expected a string at character 1")]
    [InlineData("{'descr", "has an unterminated string")]
    [InlineData("{'de\\scr': '<f4'}", "has an escaped string")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2", "has a malformed shape tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2;3), }", "has a malformed shape tuple")]
    [InlineData("{'fortran_order': False, 'shape': (2,), }", "lacks one of")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, }", "lacks one of")]
    public void AMalformedHeaderIsNamed(string header, string expected)
    {
        Assert.Contains(".npy header " + expected, Refusal(Npy(header, 8)), StringComparison.Ordinal);
    }

    [Fact]
    public void AMessageShowsTheFirst200CharactersOfTheHeader()
    {
        // "{'" + key + "': 1}" with an unknown key: 200 characters are shown whole, 201 are cut to 200 and "…".
        string exact = "{'" + new string('k', 193) + "': 1}";
        Assert.Equal(200, exact.Length);
        Assert.EndsWith(": " + exact, Refusal(Npy(exact, 0)), StringComparison.Ordinal);
        string longer = "{'" + new string('k', 194) + "': 1}";
        Assert.EndsWith(": " + longer[..200] + "…", Refusal(Npy(longer, 0)), StringComparison.Ordinal);
    }

    [Fact]
    public void TheRankLimitIncludesItsValue()
    {
        var limits = new CheckpointLimits { MaxRank = 2 };
        Assert.Equal([2, 1], Read(Npy(Header("<f4", "(2, 1)"), 8), limits).Shape);
        Assert.Contains("has rank above 2", Refusal(Npy(Header("<f4", "(2, 1, 1)"), 8), limits), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 3 }, "(3,)")]
    [InlineData(new[] { 2, 3 }, "(2, 3)")]
    [InlineData(new int[0], "()")]
    public void TheWrittenHeaderIsTheOneNumpyWrites(int[] shape, string tuple)
    {
        // numpy's format 1.0: the dict, spaces up to one byte before the next multiple of 64 bytes of file, '\n'.
        var tensor = HostTensor.Zeros(shape);
        using var stream = new MemoryStream();
        NpyFile.Write(stream, tensor);
        byte[] bytes = stream.ToArray();
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {tuple}, }}";
        Assert.Equal(Magic, bytes[..6]);
        Assert.Equal([1, 0], bytes[6..8]);
        Assert.Equal(118, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(dict.PadRight(117) + "\n", Encoding.Latin1.GetString(bytes, 10, 118));
        Assert.Equal(128 + 4 * tensor.ElementCount, bytes.Length);
    }

    // A shape of 21,823 dimensions, `tens` of them 10 and the others 1: its header's dict is 65,522 + tens characters.
    private static int[] ManyDimensions(int tens) => [.. Enumerable.Range(0, 21_823).Select(d => d < tens ? 10 : 1)];

    [Theory]
    [InlineData(2, 1, 10, 65_526)] // a dict of 65,524 characters: 10 + 65,524 + '\n' = 65,535 bytes fit version 1.0's length
    [InlineData(3, 2, 12, 65_588)] // 65,525 characters do not: version 2.0, 4-byte length, padded to 65,600 bytes
    public void AHeaderTooLongForVersion1IsWrittenAsVersion2(int tens, byte major, int preamble, int headerLength)
    {
        var tensor = HostTensor.Zeros(ManyDimensions(tens));
        for (int i = 0; i < tensor.Data.Length; i++)
        {
            tensor.Data[i] = i;
        }
        using var stream = new MemoryStream();
        NpyFile.Write(stream, tensor);
        byte[] bytes = stream.ToArray();
        Assert.Equal(major, bytes[6]);
        long length = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        Assert.Equal(headerLength, length);
        Assert.Equal(0, (preamble + headerLength) % 64);
        Assert.Equal(preamble + headerLength + 4 * tensor.ElementCount, bytes.Length);
        var back = Read(bytes, new CheckpointLimits { MaxRank = 30_000 });
        Assert.Equal(tensor.Shape, back.Shape);
        Assert.Equal(tensor.Data, back.Data);
    }

    [Fact]
    public void AnArrayLargerThanTheFirstBufferIsReadFromAPipeAndItsTrailingBytesRefused()
    {
        // 1.5 MiB of float32 from a stream that cannot seek: the buffer starts at 1 MiB and grows to the array's size.
        const int count = 393_216;
        float[] values = [.. Enumerable.Range(0, count).Select(i => i * 0.25f)];
        byte[] file = Npy(Encoding.Latin1.GetBytes(Header("<f4", $"({count},)")), LittleEndian(values));
        using (var pipe = new PipeLikeStream(file))
        {
            var t = NpyFile.Read(pipe, "pipe.npy");
            Assert.Equal([count], t.Shape);
            Assert.Equal(values, t.Data);
        }
        // Four bytes after the array: refused, not read into a buffer larger than the array.
        using var longer = new PipeLikeStream([.. file, 1, 2, 3, 4]);
        var e = Assert.Throws<CheckpointFormatException>(() => NpyFile.Read(longer, "pipe.npy"));
        Assert.Contains($"has bytes after the {4 * count} bytes of its [{count}] array", e.Problem, StringComparison.Ordinal);
    }

    /// <summary>A stream that cannot seek, like a pipe; a read returns as much as asked while bytes are left.</summary>
    private sealed class PipeLikeStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(count, bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
