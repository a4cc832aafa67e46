using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Hilo.Ilgpu.IO;
using static Hilo.Ilgpu.Tests.IO.CheckpointFixtures;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary>
/// The torch.save reader's edges that mutation testing (issue 20, area <c>io-torch</c>) found unasserted: byte order
/// of every dtype, wrapper and key rules, zip directories that lie, per-storage and per-load limits at their exact
/// values, the sniffer's boundaries and what the reader leaves open after a failure. Each expectation comes from the
/// format (or from the limit given), not from the reader's own output.
/// </summary>
public sealed class TorchReaderEdgeTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static byte[] OneTensor(string type, int numel, int offset, int[] size) =>
        new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("0", numel, offset, size, [1], type).SetItem().Stop().ToArray();

    private static StateDict Read(MemoryStream zip, CheckpointLimits? limits = null)
    {
        using var reader = TorchCheckpointReader.Open(zip, "edge.pt", limits);
        var state = reader.ReadStateDict();
        state.Materialize();
        return state;
    }

    private static CheckpointFormatException Refused(MemoryStream zip, CheckpointLimits? limits = null) =>
        Assert.Throws<CheckpointFormatException>(() => Read(zip, limits));

    private string Save(MemoryStream zip, string name = "edge.pt")
    {
        string path = dir.File(name);
        File.WriteAllBytes(path, zip.ToArray());
        return path;
    }

    // --- byte order, every multi-byte dtype -------------------------------------------------------------------------

    public static TheoryData<string, string> Dtypes() => new()
    {
        { "DoubleStorage", "big" }, { "DoubleStorage", "little" },
        { "HalfStorage", "big" }, { "HalfStorage", "little" },
        { "BFloat16Storage", "big" }, { "BFloat16Storage", "little" },
        { "LongStorage", "big" }, { "LongStorage", "little" },
        { "IntStorage", "big" }, { "IntStorage", "little" },
        { "ShortStorage", "big" }, { "ShortStorage", "little" },
        { "FloatStorage", "big" }, { "FloatStorage", "little" },
    };

    [Theory]
    [MemberData(nameof(Dtypes))]
    public void EveryDtypeIsReadInTheArchivesByteOrder(string type, string order)
    {
        // Values exact in every dtype, with bytes that differ when reversed.
        float[] values = [1.5f, -2.25f, 300f, -7f];
        bool big = order == "big";
        int size = type switch { "DoubleStorage" or "LongStorage" => 8, "FloatStorage" or "IntStorage" => 4, _ => 2 };
        var storage = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++)
        {
            var at = storage.AsSpan(i * size, size);
            float v = values[i];
            switch (type)
            {
                case "DoubleStorage":
                    long d = BitConverter.DoubleToInt64Bits(v);
                    if (big) { BinaryPrimitives.WriteInt64BigEndian(at, d); } else { BinaryPrimitives.WriteInt64LittleEndian(at, d); }
                    break;
                case "FloatStorage":
                    int f = BitConverter.SingleToInt32Bits(v);
                    if (big) { BinaryPrimitives.WriteInt32BigEndian(at, f); } else { BinaryPrimitives.WriteInt32LittleEndian(at, f); }
                    break;
                case "HalfStorage":
                    short h = BitConverter.HalfToInt16Bits((Half)v);
                    if (big) { BinaryPrimitives.WriteInt16BigEndian(at, h); } else { BinaryPrimitives.WriteInt16LittleEndian(at, h); }
                    break;
                case "BFloat16Storage":
                    // bfloat16 is the high half of a float32; these values have no bits in the low half.
                    ushort b = (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16);
                    if (big) { BinaryPrimitives.WriteUInt16BigEndian(at, b); } else { BinaryPrimitives.WriteUInt16LittleEndian(at, b); }
                    break;
                default:
                    // Integers: the floats' integer parts (1, -2, 300, -7).
                    long n = (long)Math.Truncate(v);
                    if (size == 8) { if (big) { BinaryPrimitives.WriteInt64BigEndian(at, n); } else { BinaryPrimitives.WriteInt64LittleEndian(at, n); } }
                    else if (size == 4) { if (big) { BinaryPrimitives.WriteInt32BigEndian(at, (int)n); } else { BinaryPrimitives.WriteInt32LittleEndian(at, (int)n); } }
                    else if (big) { BinaryPrimitives.WriteInt16BigEndian(at, (short)n); } else { BinaryPrimitives.WriteInt16LittleEndian(at, (short)n); }
                    break;
            }
        }
        bool integer = type is "LongStorage" or "IntStorage" or "ShortStorage";
        float[] expected = [.. values.Select(v => integer ? MathF.Truncate(v) : v)];
        using var zip = TorchZipBuilder.Build(OneTensor(type, values.Length, 0, [values.Length]), new Dictionary<string, byte[]> { ["0"] = storage }, byteOrder: order);
        Assert.Equal(expected, Read(zip)["w"].Data);
    }

    [Fact]
    public void AnUnknownByteOrderIsNamed()
    {
        using var zip = TorchZipBuilder.Build(OneTensor("FloatStorage", 1, 0, [1]), new Dictionary<string, byte[]> { ["0"] = new byte[4] }, byteOrder: "middle");
        Assert.Contains("unknown byte order 'middle' in archive/byteorder", Refused(zip).Message, StringComparison.Ordinal);
    }

    // --- storages: shared tensors, disjoint views, the per-storage limit --------------------------------------------

    [Fact]
    public void ATensorSharedByTwoKeysGivesEachItsOwnArray()
    {
        // {'a': t, 'b': t} with the second a memo reference (BINPUT 0 / BINGET 0) to the same tensor object.
        byte[] pickle = new PickleBuilder().Proto().EmptyDict().Mark()
            .Str("a").Tensor("0", 2, 0, [2], [1]).Op('q').Byte(0)
            .Str("b").Op('h').Byte(0)
            .Op('u').Stop().ToArray();
        byte[] storage = [.. BitConverter.GetBytes(1.25f), .. BitConverter.GetBytes(-4f)];
        using var zip = TorchZipBuilder.Build(pickle, new Dictionary<string, byte[]> { ["0"] = storage });
        var state = Read(zip);
        Assert.Equal([1.25f, -4f], state["a"].Data);
        Assert.Equal([1.25f, -4f], state["b"].Data);
        // Writing one key's weights must not change the other's.
        Assert.NotSame(state["a"].Data, state["b"].Data);
    }

    [Fact]
    public void DisjointViewsOfOneStorageAreReadFromTheirOwnBytes()
    {
        // Storage of 8 floats i + 0.5; 'a' = elements 0..1, 'b' = elements 5..7: the 12 bytes between are skipped.
        byte[] pickle = new PickleBuilder().Proto().EmptyDict()
            .Str("a").Tensor("0", 8, 0, [2], [1]).SetItem()
            .Str("b").Tensor("0", 8, 5, [3], [1]).SetItem().Stop().ToArray();
        byte[] storage = [.. Enumerable.Range(0, 8).SelectMany(i => BitConverter.GetBytes(i + 0.5f))];
        using var zip = TorchZipBuilder.Build(pickle, new Dictionary<string, byte[]> { ["0"] = storage });
        var state = Read(zip);
        Assert.Equal([0.5f, 1.5f], state["a"].Data);
        Assert.Equal([5.5f, 6.5f, 7.5f], state["b"].Data);
    }

    [Fact]
    public void TheBytesKeptPerStorageAreBoundedAtExactlyTheLimit()
    {
        // Four float64 elements from offset 1 of a 5-element storage: bytes 8..40, 32 kept (16 as float32).
        byte[] storage = [.. Enumerable.Range(0, 5).SelectMany(i => BitConverter.GetBytes(i * 0.5))];
        MemoryStream Zip() => TorchZipBuilder.Build(OneTensor("DoubleStorage", 5, 1, [4]), new Dictionary<string, byte[]> { ["0"] = storage });
        using (var zip = Zip())
        {
            Assert.Equal([0.5f, 1f, 1.5f, 2f], Read(zip, new CheckpointLimits { MaxMaterializedBytes = 32 })["w"].Data);
        }
        using (var zip = Zip())
        {
            var e = Refused(zip, new CheckpointLimits { MaxMaterializedBytes = 31 });
            Assert.Contains("the tensors read from storage '0' cover 32 of its bytes, over the limit of 31", e.Message, StringComparison.Ordinal);
        }
    }

    // A byte storage of int.MaxValue bytes by the zip directory's word (2.2 MB stored, which may claim up to 2.27 GB),
    // holding a uint8 tensor of two elements `stride` apart from `offset`: never inflated, every case is refused first.
    private static MemoryStream ClaimedHugeStorage(int offset, int stride)
    {
        byte[] pickle = new PickleBuilder().Proto().EmptyDict()
            .Str("w").Tensor("0", int.MaxValue, offset, [2], [stride], "ByteStorage").SetItem().Stop().ToArray();
        return WithDeclaredLength(ZipOf(("archive/data.pkl", pickle, false), ("archive/data/0", new byte[2_200_000], false)), "archive/data/0", int.MaxValue);
    }

    [Fact]
    public void ATensorSpanningMoreThanOneArrayIsRefusedByItsSpan()
    {
        int most = Array.MaxLength;
        // Two elements Array.MaxLength apart span Array.MaxLength + 1 bytes: refused as such.
        using (var zip = ClaimedHugeStorage(0, most))
        {
            Assert.Contains($"spans elements 0..{most} of storage '0', more than one array can hold", Refused(zip).Message, StringComparison.Ordinal);
        }
        // A span of exactly Array.MaxLength bytes, and one of 1.1 GB starting 1 GB in: one array can hold them (the
        // per-storage limit then refuses them).
        foreach (var (offset, stride) in new[] { (0, most - 1), (1_000_000_000, 1_099_999_999) })
        {
            using var zip = ClaimedHugeStorage(offset, stride);
            string message = Refused(zip).Message;
            Assert.DoesNotContain("more than one array", message, StringComparison.Ordinal);
            Assert.Contains("(CheckpointLimits.MaxMaterializedBytes)", message, StringComparison.Ordinal);
        }
    }

    // --- the state dict: wrappers, keys, values ---------------------------------------------------------------------

    [Fact]
    public void OnlyOneWrapperLevelIsUnwrapped()
    {
        // {'model': {'state_dict': {}}}: 'model' is the state dict, and its entry 'state_dict' is not a tensor.
        byte[] pickle = new PickleBuilder().Proto().EmptyDict()
            .Str("model").EmptyDict().Str("state_dict").EmptyDict().SetItem().SetItem().Stop().ToArray();
        using var zip = TorchZipBuilder.Build(pickle);
        var e = Refused(zip);
        Assert.Contains("entry 'state_dict' of ['model'] is a dict, not a tensor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonTensorEntryIsNamedWithTheShapesExpected()
    {
        byte[] pickle = new PickleBuilder().Proto().EmptyDict().Str("w").Str("text").SetItem().Stop().ToArray();
        using var zip = TorchZipBuilder.Build(pickle);
        Assert.Contains("entry 'w' is a str, not a tensor; expected a state dict (or a dict with a 'model' or 'state_dict' entry holding one)",
            Refused(zip).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonStringKeyIsNamed()
    {
        byte[] pickle = new PickleBuilder().Proto().EmptyDict().Int(7).Tensor("0", 1, 0, [1], [1]).SetItem().Stop().ToArray();
        using var zip = TorchZipBuilder.Build(pickle, new Dictionary<string, byte[]> { ["0"] = new byte[4] });
        Assert.Contains("state dict has a key of type int", Refused(zip).Message, StringComparison.Ordinal);
    }

    // --- the zip: roots, duplicate names, lengths the directory gets wrong ------------------------------------------

    private static MemoryStream ZipOf(params (string Name, byte[] Bytes, bool Deflate)[] entries)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes, deflate) in entries)
            {
                var entry = zip.CreateEntry(name, deflate ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                using var s = entry.Open();
                s.Write(bytes);
            }
        }
        stream.Position = 0;
        return stream;
    }

    private static readonly byte[] EmptyDictPickle = new PickleBuilder().Proto().EmptyDict().Stop().ToArray();

    private static CheckpointFormatException OpenRefused(MemoryStream zip, CheckpointLimits? limits = null) =>
        Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Open(zip, "edge.pt", limits).Dispose());

    [Fact]
    public void TheRootIsTheOneTopLevelFolderWithADataPkl()
    {
        // An entry whose only '/' sits nine characters from its end is not a second root.
        using (var zip = ZipOf(("archive/data.pkl", EmptyDictPickle, false), ("extra/12345678", [1], false)))
        {
            Assert.Empty(Read(zip).Keys);
        }
        // data.pkl one folder deeper is not a torch.save root.
        using (var zip = ZipOf(("a/b/data.pkl", EmptyDictPickle, false)))
        {
            Assert.Contains("zip has no ROOT/data.pkl entry", OpenRefused(zip).Message, StringComparison.Ordinal);
        }
        using (var zip = ZipOf(("a/data.pkl", EmptyDictPickle, false), ("b/data.pkl", EmptyDictPickle, false)))
        {
            Assert.Contains("zip holds several data.pkl entries (a/data.pkl, b/data.pkl)", OpenRefused(zip).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("archive/constants.pkl")]
    [InlineData("archive/code/__torch__/model.py")]
    public void ATorchScriptArchiveIsCalledOne(string entry)
    {
        using var zip = ZipOf((entry, [0x80, 2, (byte)'.'], false), ("archive/version", "3\n"u8.ToArray(), false));
        Assert.Contains("this is a TorchScript archive (torch.jit.save)", OpenRefused(zip).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEntryListedTwiceIsRefused()
    {
        using var zip = ZipOf(("archive/data.pkl", EmptyDictPickle, false), ("archive/data.pkl", EmptyDictPickle, false));
        Assert.Contains("zip lists entry archive/data.pkl twice", OpenRefused(zip).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePickleLimitIsALimitOnItsExactLength()
    {
        using (var zip = ZipOf(("archive/data.pkl", EmptyDictPickle, false)))
        {
            Assert.Empty(Read(zip, new CheckpointLimits { MaxPickleBytes = EmptyDictPickle.Length }).Keys);
        }
        using (var zip = ZipOf(("archive/data.pkl", EmptyDictPickle, false)))
        {
            int limit = EmptyDictPickle.Length - 1;
            Assert.Contains($"zip entry archive/data.pkl of {EmptyDictPickle.Length} bytes exceeds the limit of {limit}",
                OpenRefused(zip, new CheckpointLimits { MaxPickleBytes = limit }).Message, StringComparison.Ordinal);
        }
    }

    // Sets the uncompressed size the central directory gives for an entry (offset 24 of its central header).
    private static MemoryStream WithDeclaredLength(MemoryStream zip, string name, uint length)
    {
        byte[] bytes = zip.ToArray();
        byte[] wanted = Encoding.ASCII.GetBytes(name);
        for (int i = 0; i + 46 <= bytes.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)) == 0x02014b50
                && bytes.AsSpan(i + 46).StartsWith(wanted) && BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + 28)) == wanted.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 24), length);
                return new MemoryStream(bytes);
            }
        }
        throw new InvalidOperationException($"no central directory entry {name}");
    }

    [Fact]
    public void ADirectoryLengthNoCompressedSizeCanHoldIsRefusedBeforeAllocating()
    {
        // A stored entry of c bytes can inflate to at most 1032·c + 1024 bytes (deflate's largest ratio, plus slack).
        int c = EmptyDictPickle.Length;
        uint most = (uint)(1032 * c + 1024);
        using (var zip = WithDeclaredLength(ZipOf(("archive/data.pkl", EmptyDictPickle, false)), "archive/data.pkl", most + 1))
        {
            string message = OpenRefused(zip).Message;
            Assert.Contains($"zip entry archive/data.pkl claims {most + 1} bytes, more than its {c} compressed bytes can hold", message, StringComparison.Ordinal);
            // The reader's own refusal is not mistaken for a zip parse error and wrapped again.
            Assert.DoesNotContain("corrupt zip entry", message, StringComparison.Ordinal);
        }
        // At the bound the claim is believed, and the short entry is found out when read.
        using (var zip = WithDeclaredLength(ZipOf(("archive/data.pkl", EmptyDictPickle, false)), "archive/data.pkl", most))
        {
            var e = OpenRefused(zip);
            Assert.DoesNotContain("claims", e.Message, StringComparison.Ordinal);
            Assert.Contains("archive/data.pkl", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnEntryHoldingMoreThanItsDirectorySaysIsRefused()
    {
        // The pickle plus one zero byte, the directory claiming one byte fewer: the zero byte must still be noticed.
        byte[] pickle = [.. EmptyDictPickle, 0];
        using var zip = WithDeclaredLength(ZipOf(("archive/data.pkl", pickle, false)), "archive/data.pkl", (uint)(pickle.Length - 1));
        var e = OpenRefused(zip);
        Assert.Contains("zip entry archive/data.pkl holds more data than its directory says", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot read", e.Message, StringComparison.Ordinal);
    }

    // Overwrites the first byte of an entry's deflated data with 0xFF: a block of the reserved type 3, invalid.
    private static MemoryStream WithCorruptDeflate(MemoryStream zip, string name)
    {
        byte[] bytes = zip.ToArray();
        byte[] wanted = Encoding.ASCII.GetBytes(name);
        for (int i = 0; i + 30 <= bytes.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)) == 0x04034b50 && bytes.AsSpan(i + 30).StartsWith(wanted))
            {
                int data = i + 30 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + 26)) + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + 28));
                bytes[data] = 0xFF;
                return new MemoryStream(bytes);
            }
        }
        throw new InvalidOperationException($"no local header for {name}");
    }

    [Fact]
    public void CorruptDeflatedDataIsAFormatErrorNamingTheEntry()
    {
        using (var zip = WithCorruptDeflate(ZipOf(("archive/data.pkl", EmptyDictPickle, true)), "archive/data.pkl"))
        {
            Assert.Contains("cannot read zip entry archive/data.pkl (truncated or corrupt?)", OpenRefused(zip).Message, StringComparison.Ordinal);
        }
        byte[] pickle = OneTensor("FloatStorage", 64, 0, [64]);
        using (var zip = WithCorruptDeflate(ZipOf(("archive/data.pkl", pickle, false), ("archive/data/0", new byte[256], true)), "archive/data/0"))
        {
            Assert.Contains("cannot read zip entry archive/data/0 (truncated or corrupt?)", Refused(zip).Message, StringComparison.Ordinal);
        }
    }

    // --- what the reader takes and leaves open ----------------------------------------------------------------------

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public void StreamsThatCannotBeCheckpointsAreRefusedAsSuch()
    {
        Assert.Throws<ArgumentNullException>(() => TorchCheckpointReader.Open(null!, "none.pt"));
        var e = Assert.Throws<ArgumentException>(() => TorchCheckpointReader.Open(new NonSeekable([1, 2, 3]), "pipe.pt"));
        Assert.Contains("seekable", e.Message, StringComparison.Ordinal);
        // Shorter than the 16 bytes sniffed: a format error, not an end of stream.
        Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Open(new MemoryStream([1, 2, 3]), "short.pt"));
        Assert.Contains("plain pickle stream, not a torch.save zip archive",
            Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Open(new MemoryStream(EmptyDictPickle), "p.pkl")).Message,
            StringComparison.Ordinal);
        Assert.Contains("legacy", Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Open(PathOf("legacy.pt"))).Message,
            StringComparison.Ordinal);
    }

    // Whether some handle still holds the file: .NET locks a file opened with FileShare.None exclusively (flock on
    // Unix), which fails while another FileStream (shared lock) has it open.
    private static bool IsOpenElsewhere(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    [Fact]
    public void TheReaderClosesTheFileWhenDisposedAndWhenItFails()
    {
        string good = Save(TorchZipBuilder.Build(EmptyDictPickle), "good.pt");
        using (TorchCheckpointReader.Open(good))
        {
            // The probe works: while the reader is open the file is held.
            Assert.True(IsOpenElsewhere(good));
        }
        Assert.False(IsOpenElsewhere(good));
        string bad = Save(TorchZipBuilder.Build(new PickleBuilder().Proto().Op('P').Stop().ToArray()), "bad.pt");
        Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Open(bad));
        Assert.False(IsOpenElsewhere(bad));
        // Refused before a zip is made of it (a plain pickle): closed as well.
        string pickle = dir.File("plain.pt");
        File.WriteAllBytes(pickle, EmptyDictPickle);
        Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Open(pickle));
        Assert.False(IsOpenElsewhere(pickle));
        // A stream handed over (leaveOpen: false) is closed by a failed open too.
        var stream = TorchZipBuilder.Build(new PickleBuilder().Proto().Op('P').Stop().ToArray());
        Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Open(stream, "bad.pt"));
        Assert.False(stream.CanRead);
    }

    // --- the loader -------------------------------------------------------------------------------------------------

    private string TwoStorages()
    {
        // 'a': 3 floats in storage 0, 'b': 5 floats in storage 1; 32 bytes as float32 in all, at most 20 per storage.
        byte[] pickle = new PickleBuilder().Proto().EmptyDict()
            .Str("a").Tensor("0", 3, 0, [3], [1]).SetItem()
            .Str("b").Tensor("1", 5, 0, [5], [1]).SetItem().Stop().ToArray();
        return Save(TorchZipBuilder.Build(pickle, new Dictionary<string, byte[]> { ["0"] = new byte[12], ["1"] = new byte[20] }), "two.pt");
    }

    [Fact]
    public void TheLoadersTotalLimitCountsEveryTensorAtExactlyTheLimit()
    {
        string path = TwoStorages();
        Assert.Equal(["a", "b"], CheckpointLoader.Load(path, new CheckpointLimits { MaxMaterializedBytes = 32 }).Keys);
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path, new CheckpointLimits { MaxMaterializedBytes = 31 }));
        Assert.Contains("its tensors take 32 bytes as float32, over the limit of 31", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadStateDictAppliesTheLimitsItIsGiven()
    {
        string path = TwoStorages();
        var e = Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.ReadStateDict(path, new CheckpointLimits { MaxMaterializedBytes = 31 }));
        Assert.Contains("over the limit of 31", e.Message, StringComparison.Ordinal);
        Assert.Equal(["a", "b"], TorchCheckpointReader.ReadStateDict(path).Keys);
    }

    [Fact]
    public void WithASchemaOnlyItsTensorsAreReadAndTheTotalLimitDoesNotApply()
    {
        string path = TwoStorages();
        var schema = new StateDictSchema("edge", [("a", [3]), ("b", [5])]);
        // The schema bounds what is read: a total limit below the tensors' 32 bytes does not refuse them (the limit
        // still bounds each storage's bytes, here at most 20).
        var limits = new CheckpointLimits { MaxMaterializedBytes = 20 };
        Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path, limits));
        var state = CheckpointLoader.Load(path, limits, schema);
        Assert.Equal(["a", "b"], state.Keys);
        // A schema whose shapes differ is a mismatch, before anything is read.
        var wrong = new StateDictSchema("edge", [("a", [3]), ("b", [4])]);
        Assert.Throws<CheckpointMismatchException>(() => CheckpointLoader.Load(path, schema: wrong));
    }

    [Fact]
    public void TheLoaderNamesWhatAFileIsWhenItIsNoCheckpoint()
    {
        Assert.Throws<ArgumentException>(() => CheckpointLoader.Load(""));
        Assert.Contains("this is a directory, not a weights file",
            Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(dir.Path)).Message, StringComparison.Ordinal);
        string pickle = dir.File("plain.pkl");
        File.WriteAllBytes(pickle, EmptyDictPickle);
        Assert.Contains("this is a plain pickle stream, not a torch.save zip archive or a safetensors file",
            Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(pickle)).Message, StringComparison.Ordinal);
        // A file too short to sniff says how short; one of 16 bytes or more does not.
        foreach (int length in new[] { 3, 15, 16 })
        {
            string path = dir.File($"junk{length}.bin");
            File.WriteAllBytes(path, Enumerable.Repeat((byte)1, length).ToArray());
            string message = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path)).Message;
            Assert.Contains("unrecognised weights file", message, StringComparison.Ordinal);
            if (length < 16)
            {
                Assert.Contains($"({length} bytes: empty or truncated?)", message, StringComparison.Ordinal);
            }
            else
            {
                Assert.EndsWith("neither a torch.save zip archive nor a safetensors file", message, StringComparison.Ordinal);
            }
        }
    }

    // --- the sniffer's boundaries -----------------------------------------------------------------------------------

    [Fact]
    public void TheSnifferDecidesAtTheExactBoundaries()
    {
        Assert.Equal(CheckpointKind.TorchZip, CheckpointSniffer.Detect("PK\x03\x04"u8));
        Assert.Equal(CheckpointKind.Unknown, CheckpointSniffer.Detect("PK\x03"u8));
        Assert.Equal(CheckpointKind.Unknown, CheckpointSniffer.Detect("XK\x03\x04\0\0\0\0"u8));
        // A pickle: PROTO 0x80 and a protocol of at most 5, from two bytes on.
        Assert.Equal(CheckpointKind.Pickle, CheckpointSniffer.Detect([0x80, 2]));
        Assert.Equal(CheckpointKind.Pickle, CheckpointSniffer.Detect([0x80, 5]));
        Assert.Equal(CheckpointKind.Unknown, CheckpointSniffer.Detect([0x80, 6]));
        Assert.Equal(CheckpointKind.Unknown, CheckpointSniffer.Detect([0x80]));
        // A safetensors header length without a file length is bounded by the default header limit.
        long most = CheckpointLimits.Default.MaxSafeTensorsHeaderBytes;
        static byte[] Head(long n)
        {
            var head = new byte[9];
            BinaryPrimitives.WriteInt64LittleEndian(head, n);
            head[8] = (byte)'{';
            return head;
        }
        Assert.Equal(CheckpointKind.SafeTensors, CheckpointSniffer.Detect(Head(most)));
        Assert.NotEqual(CheckpointKind.SafeTensors, CheckpointSniffer.Detect(Head(most + 1)));
        Assert.Equal(CheckpointKind.SafeTensors, CheckpointSniffer.Detect(Head(2)));
    }
}
