using System.Buffers.Binary;
using System.Text;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary>
/// What an input path may be (docs/errors.md, "Inputs"): a named FIFO is refused at once by every reader instead of
/// waiting for a writer forever; a pipe the shell opened (<c>&lt;(…)</c>, here <c>/proc/self/fd/N</c>) is read by the
/// sequential readers and refused clearly by the random-access ones; caps hold while reading (<c>/dev/zero</c>,
/// <c>&lt;(yes)</c>); a header's claims cost no memory before the bytes are there. Unix only.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InputFileTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private string Fifo()
    {
        string path = dir.File($"fifo-{Guid.NewGuid():N}");
        SpecialFiles.MakeFifo(path);
        return path;
    }

    // The readers run on a deadline thread (a blocking open must fail the test, not hang it): allocation is measured there.
    private static (T Result, long Bytes) WithinMeasured<T>(Func<T> work) => SpecialFiles.Within(Deadline, () => Allocation.OnThisThread(work));

    [Fact]
    public void ANamedFifoWithoutAWriterIsRefusedByEveryReaderAtOnce()
    {
        string fifo = Fifo();
        var weights = SpecialFiles.Within(Deadline, () => Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(fifo)));
        Assert.Equal($"{fifo}: is a pipe (FIFO); this file is read by random access, so it must be a regular file: save the data to a file first", weights.Message);
        var torch = SpecialFiles.Within(Deadline, () => Assert.Throws<CheckpointFormatException>(() => TorchCheckpointReader.Open(fifo)));
        Assert.Contains("read by random access", torch.Message, StringComparison.Ordinal);
        var safetensors = SpecialFiles.Within(Deadline, () => Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Read(fifo)));
        Assert.Contains("read by random access", safetensors.Message, StringComparison.Ordinal);
        var npy = SpecialFiles.Within(Deadline, () => Assert.Throws<CheckpointFormatException>(() => NpyFile.Read(fifo)));
        Assert.Contains("is a named pipe (FIFO): opening it waits for a writer", npy.Message, StringComparison.Ordinal);
        var config = SpecialFiles.Within(Deadline, () => Assert.Throws<Litv2ConfigException>(() => Litv2ConfigJson.Read(fifo)));
        Assert.Contains("is a named pipe (FIFO)", config.Message, StringComparison.Ordinal);
        var labels = SpecialFiles.Within(Deadline, () => Assert.Throws<ArgumentException>(() => ClassLabels.Read(fifo, 10)));
        Assert.Contains($"labels file {fifo} is a named pipe (FIFO)", labels.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WeightsThroughAShellPipeAreRefusedClearlyNotWithNotSupported()
    {
        // hilo infer -w <(cat tiny.pth): a checkpoint's zip directory is at its end.
        using var pipe = new DescriptorPipe();
        pipe.Feed([File.ReadAllBytes(Litv2Fixture("tiny_bare.pth"))]);
        var e = SpecialFiles.Within(Deadline, () => Assert.Throws<CheckpointFormatException>(() => CheckpointLoader.Load(pipe.Path)));
        Assert.Contains("is a pipe (FIFO); this file is read by random access", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnArrayThroughAShellPipeIsRead()
    {
        var expected = new HostTensor([2, 3], [1, 2, 3, 4, 5, 6.5f]);
        var bytes = new MemoryStream();
        NpyFile.Write(bytes, expected);
        using var pipe = new DescriptorPipe();
        pipe.Feed([bytes.ToArray()]);
        var read = SpecialFiles.Within(Deadline, () => NpyFile.Read(pipe.Path));
        Assert.Equal([2, 3], read.Shape);
        Assert.Equal(expected.Data, read.Data);
    }

    // A version 1.0 header claiming float32 of shape [count], then `data` bytes.
    private static byte[] NpyClaiming(long count, int data)
    {
        string text = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({count},), }}".PadRight(117) + "\n";
        var bytes = new byte[10 + text.Length + data];
        bytes[0] = 0x93;
        "NUMPY"u8.CopyTo(bytes.AsSpan(1));
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)text.Length);
        Encoding.Latin1.GetBytes(text).CopyTo(bytes, 10);
        return bytes;
    }

    [Fact]
    public void AnArrayHeaderClaimingGigabytesCostsNothingBeforeTheBytesAreThere()
    {
        // 500 M floats (2 GB) claimed, 100 bytes present: refused from the file's length, before any buffer.
        string path = dir.File("claims.npy");
        File.WriteAllBytes(path, NpyClaiming(500_000_000, 100));
        var (e, allocated) = WithinMeasured(() => Assert.Throws<CheckpointFormatException>(() => NpyFile.Read(path)));
        Assert.Contains("needs 2000000000 bytes, the file has 100 (truncated?)", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 4 << 20, $"refusing a claim of 2 GB allocated {allocated:N0} bytes");

        // Through a pipe the length is unknown: the buffer grows with what arrives.
        using var pipe = new DescriptorPipe();
        pipe.Feed([NpyClaiming(500_000_000, 100)]);
        (e, allocated) = WithinMeasured(() => Assert.Throws<CheckpointFormatException>(() => NpyFile.Read(pipe.Path)));
        Assert.Contains("the file has 100 (truncated?)", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 4 << 20, $"a pipe claiming 2 GB allocated {allocated:N0} bytes");
    }

    [Fact]
    public void LabelsFromDevZeroStopAtTheCapWhileReading()
    {
        var (e, allocated) = WithinMeasured(() => Assert.Throws<ArgumentException>(() => ClassLabels.Read("/dev/zero", 1000)));
        Assert.Equal($"/dev/zero: a labels file may hold at most {ClassLabels.MaxFileBytes} bytes (reading stopped there)", e.Message);
        Assert.True(allocated < 3 * ClassLabels.MaxFileBytes, $"reading /dev/zero allocated {allocated:N0} bytes");
    }

    [Fact]
    public void LabelsFromAnEndlessPipeStopAtTheCapWhileReading()
    {
        // hilo classify --labels <(yes)
        using var pipe = new DescriptorPipe();
        var line = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("y\n", 32768)));
        pipe.Feed(Endless(line));
        var (e, allocated) = WithinMeasured(() => Assert.Throws<ArgumentException>(() => ClassLabels.Read(pipe.Path, 1000)));
        Assert.Contains($"a labels file may hold at most {ClassLabels.MaxFileBytes} bytes", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 3 * ClassLabels.MaxFileBytes, $"reading <(yes) allocated {allocated:N0} bytes");

        static IEnumerable<byte[]> Endless(byte[] chunk)
        {
            while (true)
            {
                yield return chunk;
            }
        }
    }

    [Fact]
    public void LabelsThroughAShellPipeAreRead()
    {
        using var pipe = new DescriptorPipe();
        pipe.Feed([Encoding.UTF8.GetBytes("cat\ndog\nbird\n")]);
        var labels = SpecialFiles.Within(Deadline, () => ClassLabels.Read(pipe.Path, 3));
        Assert.Equal(["cat", "dog", "bird"], Enumerable.Range(0, 3).Select(i => labels[i]));
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a }, "not UTF-8 text (byte 0 is not valid UTF-8; a binary file?)")]
    [InlineData(new byte[] { 0x63, 0x61, 0x74, 0x0a, 0x64, 0x00, 0x67 }, "line 2 holds the control character U+0000 (a binary file?)")]
    public void ABinaryLabelsFileIsNamedWithWhatIsWrong(byte[] content, string expected)
    {
        string path = dir.File("labels.bin");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<ArgumentException>(() => ClassLabels.Read(path, 2));
        Assert.StartsWith($"{path}: {expected}", e.Message, StringComparison.Ordinal);
    }

    private static string Litv2Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Litv2", name);
}
