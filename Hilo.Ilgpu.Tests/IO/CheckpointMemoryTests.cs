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

    private static long Allocated(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

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

    [Fact]
    public void ADirectoryIsCalledADirectory()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(dir.Path));
        Assert.Contains("is a directory", e.Message, StringComparison.Ordinal);
    }
}
