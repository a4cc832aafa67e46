using System.Buffers.Binary;
using System.Text;
using Hilo.Ilgpu.IO;
using static Hilo.Ilgpu.Tests.IO.CheckpointFixtures;

namespace Hilo.Ilgpu.Tests.IO;

public class SafeTensorsTests
{
    private static byte[] File(string header, int dataBytes)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    private static CheckpointFormatException ReadFails(byte[] bytes, CheckpointLimits? limits = null)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Read(path, limits));
        Assert.Contains("bad.safetensors", e.Message, StringComparison.Ordinal);
        return e;
    }

    /// <summary>
    /// A valid file whose header is padded (as the format allows) to <paramref name="headerLength"/> bytes loads
    /// through <see cref="CheckpointLoader"/> — in particular the lengths whose first two bytes look like a pickle's
    /// PROTO opcode (0x80, ≤ 5: 0x80–0x580, and those + k·65536), which the sniffer once called "a plain pickle".
    /// </summary>
    [Theory]
    [InlineData(0x60)]
    [InlineData(0x80)]
    [InlineData(0x180)]
    [InlineData(0x580)]
    [InlineData(0x581)]
    [InlineData(0x80 + 65536)]
    [InlineData(0x380 + 3 * 65536)]
    public void Every_header_length_class_is_sniffed_as_safetensors(int headerLength)
    {
        const string Json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] bytes = File(Json.PadRight(headerLength), 8);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + headerLength), 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(12 + headerLength), -2f);
        using var dir = new TempDirectory();
        string path = dir.File("padded.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        Assert.Equal(CheckpointKind.SafeTensors, CheckpointSniffer.Detect(path));
        Assert.Equal([1.5f, -2f], CheckpointLoader.Load(path)["w"].Data);
    }

    [Fact]
    public void A_pickle_is_still_called_a_pickle()
    {
        // PROTO 2, EMPTY_DICT, BINPUT 0, MARK, ...: bytes 2..7 make a header length far beyond any file.
        byte[] pickle = [0x80, 0x02, 0x7d, 0x71, 0x00, 0x28, 0x58, 0x01, 0x7b, 0x00, 0x00, 0x00, 0x2e];
        Assert.Equal(CheckpointKind.Pickle, CheckpointSniffer.Detect(pickle, pickle.Length));
        // A header length the file cannot hold is no safetensors file either.
        byte[] shortFile = File("{}", 0);
        Assert.Equal(CheckpointKind.Unknown, CheckpointSniffer.Detect(shortFile, 9));
    }

    [Fact]
    public void Reads_metadata()
    {
        SafeTensorsFile.Read(PathOf("tiny.safetensors"), out var metadata);
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal("make_checkpoint_fixtures", metadata["source"]);
    }

    [Fact]
    public void Round_trips_through_write_and_read()
    {
        var random = new Random(3);
        var sd = new StateDict();
        int[][] shapes = [[], [0], [7], [2, 3, 4], [1, 1, 5]];
        for (int i = 0; i < shapes.Length; i++)
        {
            var t = HostTensor.Zeros(shapes[i]);
            for (int j = 0; j < t.Data.Length; j++)
            {
                t.Data[j] = (float)random.NextDouble() - 0.5f;
            }
            sd.Add($"t{i}.weight", t);
        }
        using var dir = new TempDirectory();
        string path = dir.File("out.safetensors");
        SafeTensorsFile.Write(path, sd, new Dictionary<string, string> { ["format"] = "pt" });
        var back = SafeTensorsFile.Read(path, out var metadata);
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal(sd.Keys, back.Keys);
        foreach (var (key, tensor) in sd)
        {
            Assert.Equal(tensor.Shape, back[key].Shape);
            Assert.Equal(tensor.Data, back[key].Data);
        }
        Assert.Equal(0, (8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(System.IO.File.ReadAllBytes(path))) % 8);
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left behind
        // Overwriting an existing file works and leaves one file.
        SafeTensorsFile.Write(path, back);
        Assert.Single(Directory.GetFiles(dir.Path));
        Assert.Equal(sd.Keys, CheckpointLoader.Load(path).Keys);
    }

    [Fact]
    public void Oversized_header_is_refused_before_reading_it()
    {
        var bytes = File("{}", 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1UL << 40);
        Assert.Contains("exceeds the limit", ReadFails(bytes).Message, StringComparison.Ordinal);
        var small = File("{}", 0);
        Assert.Contains("exceeds the limit of 1", ReadFails(small, new CheckpointLimits { MaxSafeTensorsHeaderBytes = 1 }).Message, StringComparison.Ordinal);
        BinaryPrimitives.WriteUInt64LittleEndian(small, 100);
        Assert.Contains("runs past the end", ReadFails(small).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_over_the_limit_is_called_that_by_the_loader_not_empty_or_truncated()
    {
        // A sparse file of 150 MB whose first 8 bytes say its header fills it.
        using var dir = new TempDirectory();
        string path = dir.File("big.safetensors");
        const long Header = 150_000_000;
        using (var stream = System.IO.File.Create(path))
        {
            var prefix = new byte[9];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, Header);
            prefix[8] = (byte)'{';
            stream.Write(prefix);
            stream.SetLength(8 + Header);
        }
        Assert.Equal(CheckpointKind.SafeTensors, CheckpointSniffer.Detect(path));
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path));
        Assert.Equal($"{path}: safetensors header of 150,000,000 bytes exceeds the limit of 100,000,000 (CheckpointLimits.MaxSafeTensorsHeaderBytes)", e.Message);
    }

    /// <summary>A header listing <paramref name="tensors"/> empty F32 tensors (≈ 55 bytes each).</summary>
    private static string ManyTensors(TempDirectory dir, int tensors)
    {
        var json = new StringBuilder("{");
        for (int i = 0; i < tensors; i++)
        {
            json.Append(i == 0 ? "" : ",").Append("\"t").Append(i).Append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        string path = dir.File("many.safetensors");
        System.IO.File.WriteAllBytes(path, File(json.Append('}').ToString(), 0));
        return path;
    }

    [Fact]
    public void The_tensor_limit_applies_while_the_header_is_parsed()
    {
        using var dir = new TempDirectory();
        string path = ManyTensors(dir, 1001);
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Read(path, new CheckpointLimits { MaxTensors = 1000 }));
        Assert.EndsWith("safetensors header lists more than 1,000 tensors (CheckpointLimits.MaxTensors)", e.Message, StringComparison.Ordinal);
        Assert.Equal(1000, SafeTensorsFile.Read(ManyTensors(dir, 1000), new CheckpointLimits { MaxTensors = 1000 }).Count);
    }

    [Fact]
    public void A_header_of_a_million_and_one_tensors_is_refused_within_bounded_memory()
    {
        // ≈ 59 MB of header: a document tree of it took 1.5 GB; the streaming parse keeps the header and the entries
        // (≈ 230 bytes per tensor: its name, shape, offsets and the duplicate-name set), and stops at the limit.
        using var dir = new TempDirectory();
        string path = ManyTensors(dir, 1_000_001);
        long length = new FileInfo(path).Length;
        var (e, allocated) = Allocation.OnThisThread(() => Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path)));
        Assert.EndsWith("more than 1,000,000 tensors (CheckpointLimits.MaxTensors)", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < length + (256L << 20), $"parsing a {length:N0}-byte header allocated {allocated:N0} bytes");
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "run past the data buffer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", 12, "needs 8 bytes but data_offsets span 12")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", 6, "overlaps")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "gap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, "bytes after the last tensor")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8, "begin ≤ end")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "non-negative")]
    [InlineData("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1, "unsupported dtype F8_E4M3")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "twice")]
    [InlineData("{\"a\":{\"dtype\":\"F32\"}}", 0, "needs string 'dtype'")]
    [InlineData("{\"a\":", 0, "not valid JSON")]
    [InlineData("[1,2]", 0, "not a JSON object")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "'dtype' is given twice")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4, "data_offsets must be [begin, end]")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":{\"x\":[1]}}} x", 4, "not valid JSON")]
    [InlineData("{\"__metadata__\":{\"k\":1}}", 0, "is not a string")]
    public void Malformed_headers_are_refused(string header, int dataBytes, string expected)
    {
        Assert.Contains(expected, ReadFails(File(header, dataBytes)).Message, StringComparison.Ordinal);
    }
}
