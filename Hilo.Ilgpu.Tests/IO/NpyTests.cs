using System.Text;
using Hilo.Ilgpu.IO;
using static Hilo.Ilgpu.Tests.IO.CheckpointFixtures;

namespace Hilo.Ilgpu.Tests.IO;

public class NpyTests
{
    [Theory]
    [InlineData("input.npy")]
    [InlineData("fortran.npy")]
    [InlineData("float64.npy")]
    [InlineData("bigendian.npy")]
    public void Reads_numpy_files_exactly(string fixture)
    {
        var tensor = NpyFile.Read(PathOf(fixture));
        var facts = Expected(fixture);
        // float64.npy holds float32 values widened, so its facts are those of the float32 array.
        Assert.Equal(fixture == "float64.npy" ? TensorDType.Float64 : TensorDType.Float32, tensor.SourceDType);
        var copy = new HostTensor(tensor.Shape, tensor.Data);
        AssertTensor(copy, facts, fixture);
    }

    [Fact]
    public void Unsupported_dtype_is_named()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => NpyFile.Read(PathOf("int64.npy")));
        Assert.Contains("'<i8' is not supported", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Round_trips_every_rank()
    {
        using var dir = new TempDirectory();
        int[][] shapes = [[], [0], [3], [2, 3, 4], [1, 2, 1, 2, 1]];
        foreach (int[] shape in shapes)
        {
            var t = HostTensor.Zeros(shape);
            for (int i = 0; i < t.Data.Length; i++)
            {
                t.Data[i] = i * 0.5f - 1;
            }
            string path = dir.File("a.npy");
            NpyFile.Write(path, t);
            Assert.Equal(0, (System.IO.File.ReadAllBytes(path).Length - (4 * t.ElementCount)) % 64);
            var back = NpyFile.Read(path);
            Assert.Equal(shape, back.Shape);
            Assert.Equal(t.Data, back.Data);
        }
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    private static CheckpointFormatException ReadFails(byte[] bytes, CheckpointLimits? limits = null)
    {
        using var stream = new MemoryStream(bytes);
        return Assert.Throws<CheckpointFormatException>(() => NpyFile.Read(stream, "x.npy", limits));
    }

    private static byte[] Npy(string header, int dataBytes, byte major = 1)
    {
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        byte[] text = Encoding.Latin1.GetBytes(header);
        bytes.AddRange(major == 1 ? BitConverter.GetBytes((ushort)text.Length) : BitConverter.GetBytes(text.Length));
        bytes.AddRange(text);
        bytes.AddRange(new byte[dataBytes]);
        return bytes.ToArray();
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20, "truncated")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 28, "bytes after")]
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16, "'<c8' is not supported")]
    [InlineData("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8, "structured dtype")]
    [InlineData("{'descr': '<f4', 'shape': (2,), }", 8, "lacks one of")]
    [InlineData("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", 8, "neither True nor False")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 8, "not a non-negative")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }", 8, "not a non-negative")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8, "unknown key")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 8, "not a dict literal")]
    public void Malformed_files_are_refused(string header, int dataBytes, string expected)
    {
        Assert.Contains(expected, ReadFails(Npy(header, dataBytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_magic_version_and_header_size_are_refused()
    {
        Assert.Contains("magic", ReadFails([1, 2, 3]).Message, StringComparison.Ordinal);
        Assert.Contains("version 4.0", ReadFails(Npy("{}", 0, major: 4)).Message, StringComparison.Ordinal);
        string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
        Assert.Contains("exceeds the limit of 10", ReadFails(Npy(header, 4), new CheckpointLimits { MaxNpyHeaderBytes = 10 }).Message, StringComparison.Ordinal);
        using var v2 = new MemoryStream(Npy(header, 4, major: 2));
        Assert.Equal([1], NpyFile.Read(v2, "v2.npy").Shape);
    }
}

public class AtomicFileTests
{
    [Fact]
    public void Failed_write_leaves_the_old_file_and_no_temporary()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.npy");
        NpyFile.Write(path, HostTensor.Zeros(2));
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1000]);
            throw new InvalidOperationException("disk on fire");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Missing_folder_is_reported_and_nothing_is_created()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "no-such-dir", "out.npy");
        Assert.Throws<DirectoryNotFoundException>(() => NpyFile.Write(path, HostTensor.Zeros(1)));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
