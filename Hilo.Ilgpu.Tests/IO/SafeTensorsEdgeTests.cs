using System.Buffers.Binary;
using System.Text;
using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary>
/// The .safetensors reader's and writer's edges that mutation testing (<c>tools/mutation.sh io-safetensors</c>) found
/// untested: each bound on its exact value, every refusal by its full message (names, counts, offsets), each missing
/// field alone, the byte-exact header the writer produces, shapes above rank 64.
/// </summary>
public class SafeTensorsEdgeTests
{
    // An 8-byte little-endian header length, the header as UTF-8, then the data.
    private static byte[] File(string header, int dataBytes) => File(Encoding.UTF8.GetBytes(header), new byte[dataBytes]);

    private static byte[] File(byte[] header, byte[] data)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    private static StateDict Read(byte[] bytes, CheckpointLimits? limits = null)
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        return SafeTensorsFile.Read(path, limits);
    }

    // What is wrong (the message without the file name); the refusal must be a CheckpointFormatException, no other.
    private static string Refusal(byte[] bytes, CheckpointLimits? limits = null)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        return Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Read(path, limits)).Problem;
    }

    private static string Tensor(string name, string dtype, string shape, string offsets) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}";

    [Fact]
    public void AFileShorterThanTheLengthPrefixIsTooShortAndEightBytesAreNot()
    {
        Assert.Equal("file of 5 bytes is too short for a safetensors header", Refusal(new byte[5]));
        // Eight zero bytes: a complete prefix announcing an empty header, which is no JSON.
        Assert.StartsWith("safetensors header is not ", Refusal(new byte[8]), StringComparison.Ordinal);
    }

    [Fact]
    public void TheHeaderLimitIncludesItsValueAndTheFileMustHoldTheHeader()
    {
        string header = "{" + Tensor("a", "F32", "[1]", "[0,4]") + "}";
        var limits = new CheckpointLimits { MaxSafeTensorsHeaderBytes = header.Length };
        Assert.Equal([1], Read(File(header, 4), limits)["a"].Shape);
        // A prefix claiming 60 header bytes in a file with 50 after the prefix: 10 too many, fewer than 8 + 8.
        var bytes = File(new string(' ', 50), 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 60);
        Assert.Equal("safetensors header of 60 bytes runs past the end of the file (58 bytes; truncated?)", Refusal(bytes));
    }

    [Fact]
    public void AHeaderThatIsNotUtf8IsNamed()
    {
        byte[] header = Encoding.UTF8.GetBytes("{\"a\u00e9\":{}}");
        header[3] = 0xFF; // the first byte of é: no UTF-8 sequence starts with FF
        Assert.Equal("safetensors header is not valid UTF-8", Refusal(File(header, [])));
    }

    [Fact]
    public void NestingDeeperThanEightLevelsIsRefusedEvenInAnIgnoredField()
    {
        // The unknown field "extra" is skipped, but the parser stops at 8 levels: here 2 + 7 arrays.
        string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":[[[[[[[1]]]]]]]}}";
        Assert.StartsWith("safetensors header is not valid JSON", Refusal(File(header, 4)), StringComparison.Ordinal);
        // One level less is read.
        string shallower = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":[[[[[[1]]]]]]}}";
        Assert.Equal([1], Read(File(shallower, 4))["a"].Shape);
    }

    [Fact]
    public void MetadataThatIsNotAnObjectIsNamed()
    {
        Assert.Equal("safetensors __metadata__ is not an object", Refusal(File("{\"__metadata__\":[1]}", 0)));
    }

    [Theory]
    [InlineData("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}")]
    [InlineData("{\"a\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"a\":[1]}")]
    public void EachMissingOrMistypedFieldIsNamed(string header)
    {
        Assert.Equal("safetensors tensor 'a': needs string 'dtype', array 'shape' and array 'data_offsets'", Refusal(File(header, 4)));
    }

    [Theory]
    [InlineData("shape", "[1]")]
    [InlineData("data_offsets", "[0,4]")]
    public void AFieldGivenTwiceIsNamed(string field, string value)
    {
        string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"" + field + "\":" + value + "}}";
        Assert.Equal($"safetensors tensor 'a': '{field}' is given twice", Refusal(File(header, 4)));
    }

    [Theory]
    [InlineData("[-1,4]", "data_offsets holds a value that is not a non-negative integer")]
    [InlineData("[0]", "data_offsets must be [begin, end] with begin ≤ end")]
    [InlineData("[]", "data_offsets must be [begin, end] with begin ≤ end")]
    public void MalformedOffsetsAreNamed(string offsets, string expected)
    {
        Assert.Equal("safetensors tensor 'a': " + expected, Refusal(File("{" + Tensor("a", "F32", "[1]", offsets) + "}", 4)));
    }

    [Fact]
    public void ASizeMismatchNamesTheDTypeAndTheSpan()
    {
        // F16 (not the table's first dtype) of shape [2] needs 4 bytes; the offsets [8, 20] span 12.
        string header = "{" + Tensor("a", "F32", "[2]", "[0,8]") + "," + Tensor("b", "F16", "[2]", "[8,20]") + "}";
        Assert.Equal("safetensors tensor 'b': shape [2] of F16 needs 4 bytes but data_offsets span 12", Refusal(File(header, 20)));
    }

    [Fact]
    public void AnUnsupportedDTypeListsTheSupportedOnes()
    {
        Assert.Equal("safetensors tensor 'a': unsupported dtype C64 (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)",
            Refusal(File("{" + Tensor("a", "C64", "[1]", "[0,8]") + "}", 8)));
    }

    [Fact]
    public void ElementCountsAreBoundedByTheLargestArray()
    {
        // 600 M float32: the count fits an array, the 2.4 GB do not; refused before the data is looked at.
        Assert.Equal("safetensors tensor 'a': 600000000 elements is too large for one array",
            Refusal(File("{" + Tensor("a", "F32", "[600000000]", "[0,2400000000]") + "}", 0)));
        // Array.MaxLength one-byte elements do fit one array: this tensor is refused only because the data is not there.
        long max = Array.MaxLength;
        Assert.Equal($"safetensors tensor 'a' data_offsets [0, {max}] run past the data buffer of 1 bytes (truncated?)",
            Refusal(File("{" + Tensor("a", "U8", $"[{max}]", $"[0,{max}]") + "}", 1)));
    }

    [Fact]
    public void RanksAboveSixtyFourAreReadWhereTheLimitAllowsThem()
    {
        int[] shape = [.. Enumerable.Range(0, 70).Select(d => d == 0 || d == 69 ? 2 : 1)];
        string dims = "[" + string.Join(",", shape) + "]";
        var t = Read(File("{" + Tensor("a", "F32", dims, "[0,16]") + "}", 16), new CheckpointLimits { MaxRank = 100 })["a"];
        Assert.Equal(shape, t.Shape);
        Assert.Equal("safetensors tensor 'a': rank above 69",
            Refusal(File("{" + Tensor("a", "F32", dims, "[0,16]") + "}", 16), new CheckpointLimits { MaxRank = 69 }));
    }

    [Fact]
    public void TheMessageCountsTheBytesAfterTheLastTensor()
    {
        Assert.Equal("safetensors data buffer has 6 bytes after the last tensor", Refusal(File("{" + Tensor("a", "F32", "[1]", "[0,4]") + "}", 10)));
    }

    [Fact]
    public void TheWrittenFileIsTheReferenceLayout()
    {
        // The JSON without spaces, metadata first only when there is some, offsets running on; spaces pad the header
        // so the data starts at a multiple of 8; the floats follow little-endian in state-dict order.
        var sd = new StateDict
        {
            { "w", new HostTensor([2], [1.5f, -2f]) },
            { "b", new HostTensor([], [0.25f]) },
        };
        using var dir = new TempDirectory();
        string path = dir.File("out.safetensors");
        SafeTensorsFile.Write(path, sd, new Dictionary<string, string>());
        string json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}";
        Assert.Equal(107, json.Length);
        byte[] bytes = System.IO.File.ReadAllBytes(path);
        Assert.Equal(112UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal(json + "     ", Encoding.UTF8.GetString(bytes, 8, 112));
        Assert.Equal(8 + 112 + 12, bytes.Length);
        Assert.Equal([1.5f, -2f, 0.25f], [.. Enumerable.Range(0, 3).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(120 + 4 * i)))]);
    }

    [Fact]
    public void TheWriterRefusesWhatTheFormatCannotHold()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.safetensors");
        Assert.Equal("tensors", Assert.Throws<ArgumentNullException>(() => SafeTensorsFile.Write(path, null!)).ParamName);
        var named = new StateDict { { "__metadata__", HostTensor.Zeros(1) } };
        var e = Assert.Throws<ArgumentException>(() => SafeTensorsFile.Write(path, named));
        Assert.Equal("tensors", e.ParamName);
        Assert.StartsWith("a tensor cannot be named __metadata__", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
