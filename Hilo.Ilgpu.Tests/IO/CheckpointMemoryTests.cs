using System.IO.Compression;
using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary>
/// Tiny hostile checkpoints must not make the loader allocate what the model does not need: keys and shapes are checked
/// against the model's schema before any tensor is read, only the model's tensors are read, a storage is read only as
/// far as its tensors reach, and a load without a schema is bounded by <see cref="CheckpointLimits.MaxMaterializedBytes"/>.
/// Allocation is measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/> (the loader runs on the test's thread).
/// </summary>
public sealed class CheckpointMemoryTests : IDisposable
{
    private const int Huge = 1 << 26;
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static readonly StateDictSchema TinyModel = new("tiny", [("w", [4])]);

    // Four stride-0 tensors of 2^26 elements on one 4-byte storage: 621 bytes on disk, 1 GiB if expanded.
    private string StrideZeroFile()
    {
        var pickle = new PickleBuilder().Proto().EmptyDict();
        foreach (string key in new[] { "a", "b", "c", "d" })
        {
            pickle.Str(key).Tensor("0", 1, 0, [Huge], [0]).SetItem();
        }
        string path = dir.File("stride0.pth");
        using (var zip = TorchZipBuilder.Build(pickle.Stop().ToArray(), new Dictionary<string, byte[]> { ["0"] = new byte[4] }))
        {
            File.WriteAllBytes(path, zip.ToArray());
        }
        return path;
    }

    private static long Allocated(Action action) => Allocation.OnThisThread(action);

    [Fact]
    public void StrideZeroTensorsTheModelDoesNotHaveAreRefusedBeforeAnyIsExpanded()
    {
        string path = StrideZeroFile();
        Assert.True(new FileInfo(path).Length < 2048);
        CheckpointMismatchException? e = null;
        long bytes = Allocated(() => e = Assert.Throws<CheckpointMismatchException>(() => CheckpointLoader.Load(path, schema: TinyModel)));
        Assert.Equal(["a", "b", "c", "d"], e!.Unexpected);
        Assert.Equal(["w"], e.Missing);
        Assert.True(bytes < 16 << 20, $"refusing a 1 GiB expansion allocated {bytes:N0} bytes");
    }

    [Fact]
    public void WithoutASchemaTheTotalIsBoundedBeforeAnythingIsRead()
    {
        string path = StrideZeroFile();
        CheckpointFormatException? e = null;
        long bytes = Allocated(() => e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path)));
        Assert.Contains("MaxMaterializedBytes", e!.Message, StringComparison.Ordinal);
        Assert.Contains("stride0.pth", e.Message, StringComparison.Ordinal);
        Assert.True(bytes < 16 << 20, $"refusing allocated {bytes:N0} bytes");
    }

    [Fact]
    public void AStrideZeroTensorOfTheModelsShapeIsReadFromItsFewBytes()
    {
        var pickle = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("0", 1, 0, [4], [0]).SetItem().Stop().ToArray();
        string path = dir.File("broadcast.pth");
        using (var zip = TorchZipBuilder.Build(pickle, new Dictionary<string, byte[]> { ["0"] = BitConverter.GetBytes(2.5f) }))
        {
            File.WriteAllBytes(path, zip.ToArray());
        }
        Assert.Equal([2.5f, 2.5f, 2.5f, 2.5f], CheckpointLoader.Load(path, schema: TinyModel)["w"].Data);
    }

    [Fact]
    public void ADeflatedStorageIsReadOnlyAsFarAsItsTensorReaches()
    {
        // 256 MiB of zeros deflate to ≈ 256 KiB; the model's tensor is 4 floats at the start of that storage.
        const int StorageBytes = 256 << 20;
        var pickle = new PickleBuilder().Proto().EmptyDict().Str("w").Tensor("0", StorageBytes / 4, 0, [4], [1]).SetItem().Stop().ToArray();
        string path = dir.File("bomb.pth");
        using (var file = File.Create(path))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open())
            {
                s.Write(pickle);
            }
            using (var s = zip.CreateEntry("archive/data/0", CompressionLevel.Fastest).Open())
            {
                var chunk = new byte[1 << 20];
                for (int i = 0; i < StorageBytes / chunk.Length; i++)
                {
                    s.Write(chunk);
                }
            }
        }
        Assert.True(new FileInfo(path).Length < 4 << 20);
        StateDict? state = null;
        long bytes = Allocated(() => state = CheckpointLoader.Load(path, schema: TinyModel));
        Assert.Equal(new float[4], state!["w"].Data);
        Assert.True(bytes < 16 << 20, $"reading 16 bytes of a 256 MiB storage allocated {bytes:N0} bytes");
    }

    // 64 Mi float32 elements (256 MiB, deflated to ≈ 256 KiB): zeros but for 4 KiB of known values at the very end.
    private const int BigElements = 1 << 26;
    private const int TailElements = 1024;

    private static float TailValue(long element) => (element - (BigElements - TailElements)) * 0.25f + 1;

    /// <summary>A checkpoint whose <paramref name="views"/> (offset, shape, stride) all view storage "0" of 256 MiB.</summary>
    private string ViewsOfOneBigStorage(string name, params (int Offset, int[] Shape, int[] Stride)[] views)
    {
        var pickle = new PickleBuilder().Proto().EmptyDict();
        for (int i = 0; i < views.Length; i++)
        {
            pickle.Str($"v{i}").Tensor("0", BigElements, views[i].Offset, views[i].Shape, views[i].Stride).SetItem();
        }
        string path = dir.File(name);
        using (var file = File.Create(path))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open())
            {
                s.Write(pickle.Stop().ToArray());
            }
            using (var s = zip.CreateEntry("archive/data/0", CompressionLevel.Fastest).Open())
            {
                var zeros = new byte[1 << 20];
                long bytes = 4L * (BigElements - TailElements);
                for (long written = 0; written < bytes; written += zeros.Length)
                {
                    s.Write(zeros, 0, (int)Math.Min(zeros.Length, bytes - written));
                }
                for (long e = BigElements - TailElements; e < BigElements; e++)
                {
                    s.Write(BitConverter.GetBytes(TailValue(e)));
                }
            }
        }
        return path;
    }

    [Fact]
    public void ViewsNearTheEndOfOneDeflatedStorageInflateItOnceAndKeepOnlyTheirBytes()
    {
        // Eight views of 64 elements, each reaching further into the last 4 KiB: read one by one, each used to inflate
        // the storage again as far as it reached (a pass and a buffer of 256 MiB per view).
        const int Views = 8;
        var views = Enumerable.Range(0, Views)
            .Select(i => (BigElements - TailElements + 128 * i, new[] { 64 }, new[] { 1 })).ToArray();
        string path = ViewsOfOneBigStorage("views.pth", views);
        long fileLength = new FileInfo(path).Length;
        Assert.True(fileLength < 4 << 20, $"fixture is {fileLength} bytes");

        using var counting = new CountingStream(File.OpenRead(path));
        StateDict? state = null;
        long allocated = Allocated(() =>
        {
            using var reader = TorchCheckpointReader.Open(counting, path);
            state = reader.ReadStateDict();
            state.Materialize();
        });
        for (int i = 0; i < Views; i++)
        {
            int first = views[i].Item1;
            Assert.Equal(Enumerable.Range(0, 64).Select(k => TailValue(first + k)), state!["v" + i].Data);
        }
        // One pass over the compressed storage (plus the directory and the pickle), not one per view.
        Assert.True(counting.BytesRead < fileLength + (256 << 10), $"read {counting.BytesRead:N0} bytes of a {fileLength:N0}-byte file");
        Assert.True(allocated < 16 << 20, $"reading {Views} views of 256 bytes allocated {allocated:N0} bytes");
    }

    [Fact]
    public void TheLoaderInflatesAStorageOnceForEveryTensorOfTheModel()
    {
        var schema = new StateDictSchema("views", [("v0", [64]), ("v1", [64])]);
        string path = ViewsOfOneBigStorage("two.pth",
            (BigElements - 64, [64], [1]), (BigElements - TailElements, [64], [1]));
        long allocated = 0;
        StateDict? state = null;
        allocated = Allocated(() => state = CheckpointLoader.Load(path, schema: schema));
        Assert.Equal(TailValue(BigElements - 1), state!["v0"].Data[^1]);
        Assert.Equal(TailValue(BigElements - TailElements), state["v1"].Data[0]);
        Assert.True(allocated < 16 << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void AViewSpreadOverMoreThanTheLimitIsRefusedBeforeItsBytesAreKept()
    {
        // Two elements 64 MiB apart: 8 bytes of data, but a 64 MiB span of the storage to keep.
        string path = ViewsOfOneBigStorage("sparse.pth", (0, [2], [1 << 24]));
        var limits = new CheckpointLimits { MaxMaterializedBytes = 16 << 20 };
        CheckpointFormatException? e = null;
        long allocated = Allocated(() => e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(path, limits)));
        Assert.Contains("storage '0' cover 67,108,868 of its bytes, over the limit of 16,777,216", e!.Message, StringComparison.Ordinal);
        Assert.True(allocated < 4 << 20, $"refusing allocated {allocated:N0} bytes");
    }

    /// <summary>A read-only stream that counts the bytes read through it (to tell one pass over a file from several).</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }

        private int Count(int read)
        {
            BytesRead += read;
            return read;
        }
    }

    [Fact]
    public void ADirectoryIsCalledADirectory()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(dir.Path));
        Assert.Contains("is a directory", e.Message, StringComparison.Ordinal);
    }
}
