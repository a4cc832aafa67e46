using System.Buffers.Binary;
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Cuda;

namespace Hilo.Ilgpu.Tests.Backends;

/// <summary>The GPU-independent parts of the CUDA backend: argument layout, fill plans, launch shapes, NVRTC search.</summary>
public class CudaLaunchHelpersTests
{
    private const ulong FakePointer = 0x7f00_1234_5600;

    [Fact]
    public void ViewsBecomePointerOffsetLengthThenScalarsAndStructsByValue()
    {
        using var acc = Devices.Open("cpu");
        using var buffer = acc.Allocate<float>(100);
        var packer = new CudaArgumentPacker(m => m is null ? 0 : FakePointer);
        var mixed = new CudaTestMixed { A = -7, B = 2.5, C = 1.5f };
        CudaTestKernels.Affine.WriteArguments([buffer.View.SubView(10, 80), mixed, true], packer);
        packer.Scalar(5);
        packer.Scalar(6);
        packer.Scalar(7);

        Assert.Equal([8, 4, 4, 24, 4, 4, 4, 4], packer.Sizes);
        var bytes = packer.Buffer.AsSpan();
        Assert.Equal(FakePointer, BinaryPrimitives.ReadUInt64LittleEndian(bytes[packer.Offsets[0]..]));
        Assert.Equal(10, BinaryPrimitives.ReadInt32LittleEndian(bytes[packer.Offsets[1]..]));
        Assert.Equal(80, BinaryPrimitives.ReadInt32LittleEndian(bytes[packer.Offsets[2]..]));
        var s = bytes[packer.Offsets[3]..];
        Assert.Equal(-7, BinaryPrimitives.ReadInt32LittleEndian(s));
        Assert.Equal(2.5, BinaryPrimitives.ReadDoubleLittleEndian(s[8..]));   // C layout: double at offset 8
        Assert.Equal(1.5f, BinaryPrimitives.ReadSingleLittleEndian(s[16..])); // float at 16
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(bytes[packer.Offsets[4]..])); // bool as int
        Assert.Equal([5, 6, 7], packer.Offsets.Skip(5).Select(o => BinaryPrimitives.ReadInt32LittleEndian(packer.Buffer.AsSpan(o))));
        Assert.All(packer.Offsets, o => Assert.Equal(0, o % 8));
        for (int i = 1; i < packer.Count; i++)
        {
            Assert.True(packer.Offsets[i] >= packer.Offsets[i - 1] + packer.Sizes[i - 1], "argument slots overlap");
        }
    }

    [Fact]
    public void View2DAddsWidthHeightStrideAndEmptyViewsPassNull()
    {
        using var acc = Devices.Open("cpu");
        using var buffer = acc.Allocate<int>(200);
        var packer = new CudaArgumentPacker(m => m is null ? 0 : FakePointer);
        CudaTestKernels.Grid2D.WriteArguments([buffer.View.SubView(4, 180).As2D(17, 9, 20)], packer);
        packer.View(default(ArrayView<float>));
        Assert.Equal([8, 4, 4, 4, 4, 4, 8, 4, 4], packer.Sizes);
        int[] ints = [.. new[] { 1, 2, 3, 4, 5 }.Select(i => BinaryPrimitives.ReadInt32LittleEndian(packer.Buffer.AsSpan(packer.Offsets[i])))];
        Assert.Equal([4, 180, 17, 9, 20], ints);
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(packer.Buffer.AsSpan(packer.Offsets[6])));
    }

    [Fact]
    public void ManyArgumentsGrowTheBuffer()
    {
        var packer = new CudaArgumentPacker(_ => 0);
        for (int i = 0; i < 100; i++)
        {
            packer.Scalar((long)i);
        }
        Assert.Equal(100, packer.Count);
        Assert.Equal(99L, BinaryPrimitives.ReadInt64LittleEndian(packer.Buffer.AsSpan(packer.Offsets[99])));
    }

    [Fact]
    public void ViewsOfOtherBackendsAreRejected()
    {
        using var acc = Devices.Open("cpu");
        using var buffer = acc.Allocate<float>(4);
        var packer = new CudaArgumentPacker(CudaArgumentPacker.PointerOf);
        Assert.Throws<KernelArgumentException>(() => packer.View(buffer.View));
        packer.View(default(ArrayView<float>));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(packer.Buffer));
    }

    [Theory]
    [InlineData(new byte[] { 0xAB }, 1, 0xABu)]
    [InlineData(new byte[] { 0x34, 0x12 }, 2, 0x1234u)]
    [InlineData(new byte[] { 7, 7 }, 1, 7u)]
    [InlineData(new byte[] { 4, 3, 2, 1 }, 4, 0x01020304u)]
    [InlineData(new byte[] { 1, 2, 1, 2 }, 2, 0x0201u)]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 }, 1, 0u)]
    [InlineData(new byte[] { 1, 2, 3, 4, 1, 2, 3, 4 }, 4, 0x04030201u)]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 0, 0u)]
    [InlineData(new byte[] { 1, 2, 3 }, 0, 0u)]
    [InlineData(new byte[] { 9, 9, 9 }, 1, 9u)]
    public void FillPatternsMapToTheSmallestMemset(byte[] pattern, int unit, uint value)
    {
        Assert.Equal((unit, value), CudaFillPlan.For(pattern));
    }

    [Fact]
    public void StagingHoldsWholePatternsAndNeverExceedsTheRange()
    {
        byte[] pattern = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        var chunk = CudaFillPlan.Staging(pattern, 12L * 1_000_000);
        Assert.Equal(0, chunk.Length % 12);
        Assert.InRange(chunk.Length, 12, CudaFillPlan.StagingBytes);
        Assert.Equal(pattern, chunk[^12..]);
        Assert.Equal(24, CudaFillPlan.Staging(pattern, 24).Length);
        Assert.Equal(100_000, CudaFillPlan.Staging(new byte[100_000], 300_000).Length); // one pattern larger than the chunk size
    }

    [Fact]
    public void GridIsCeilOfGlobalOverGroupWithinTheLimits()
    {
        var maxBlock = new Index3D(1024, 1024, 64);
        var maxGrid = new Index3D(int.MaxValue, 65535, 65535);
        Assert.Equal(new Index3D(4, 1, 1), CudaLaunchShape.Grid(new Index3D(1000), new Index3D(256), maxBlock, maxGrid, "k", "cuda:0"));
        Assert.Equal(new Index3D(3, 3, 1), CudaLaunchShape.Grid(new Index3D(37, 23), new Index3D(16, 8), maxBlock, maxGrid, "k", "cuda:0"));
        Assert.Equal(new Index3D(8388608, 1, 1), CudaLaunchShape.Grid(new Index3D(int.MaxValue), new Index3D(256), maxBlock, maxGrid, "k", "cuda:0"));
        Assert.Throws<KernelArgumentException>(() => CudaLaunchShape.Grid(new Index3D(1, 1, 128), new Index3D(1, 1, 128), maxBlock, maxGrid, "k", "cuda:0"));
        Assert.Throws<KernelArgumentException>(() => CudaLaunchShape.Grid(new Index3D(1, 70000), new Index3D(1, 1), maxBlock, maxGrid, "k", "cuda:0"));
    }

    [Fact]
    public void NvrtcSearchHonoursTheEnvironmentVariableThenNamesThenWheels()
    {
        string root = Path.Combine(Path.GetTempPath(), "hilo-nvrtc-" + Guid.NewGuid().ToString("N"));
        try
        {
            string wheelLib = Path.Combine(root, "venv", "lib", "python3.12", "site-packages", "nvidia", "cuda_nvrtc", "lib");
            string torchLib = Path.Combine(root, "venv", "lib", "python3.12", "site-packages", "torch", "lib");
            string cudaLib = Path.Combine(root, "cuda", "lib64");
            foreach (string dir in new[] { wheelLib, torchLib, cudaLib })
            {
                Directory.CreateDirectory(dir);
            }
            File.WriteAllText(Path.Combine(wheelLib, "libnvrtc.so.12"), "");
            File.WriteAllText(Path.Combine(wheelLib, "libnvrtc-builtins.so.12.4"), "");
            File.WriteAllText(Path.Combine(torchLib, "libnvrtc-672ee683.so.11.2"), "");
            File.WriteAllText(Path.Combine(cudaLib, "libnvrtc.so.13.0.48"), "");
            var env = new Dictionary<string, string>
            {
                [NvrtcLocator.PathVariable] = "/opt/custom/libnvrtc.so.12",
                ["VIRTUAL_ENV"] = Path.Combine(root, "venv"),
                ["CUDA_PATH"] = Path.Combine(root, "cuda"),
            };
            var candidates = NvrtcLocator.Candidates(k => env.GetValueOrDefault(k), home: null, systemPrefixes: []);
            if (!OperatingSystem.IsLinux())
            {
                return;
            }
            Assert.Equal("/opt/custom/libnvrtc.so.12", candidates[0]);
            Assert.Equal(NvrtcLocator.PlainNames, candidates.Skip(1).Take(NvrtcLocator.PlainNames.Count));
            int toolkit = IndexOf(candidates, Path.Combine(cudaLib, "libnvrtc.so.13.0.48"));
            int wheel = IndexOf(candidates, Path.Combine(wheelLib, "libnvrtc.so.12"));
            int torch = IndexOf(candidates, Path.Combine(torchLib, "libnvrtc-672ee683.so.11.2"));
            Assert.True(toolkit > 0 && wheel > toolkit && torch > wheel, string.Join("\n", candidates));
            Assert.DoesNotContain(candidates, c => c.Contains("builtins", StringComparison.Ordinal));
            Assert.Equal(candidates.Count, candidates.Distinct().Count());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void NvrtcSearchWithoutAnythingInstalledStillListsThePlainNames()
    {
        var candidates = NvrtcLocator.Candidates(_ => null, home: null, systemPrefixes: []);
        Assert.Equal(NvrtcLocator.PlainNames, candidates.Take(NvrtcLocator.PlainNames.Count));
    }

    [Fact]
    public void MissingNvrtcIsReportedWithEveryPlaceTried()
    {
        if (NvrtcLocator.Candidates().Any(c => System.Runtime.InteropServices.NativeLibrary.TryLoad(c, out _)))
        {
            Assert.Skip("an NVRTC library is installed here");
        }
        Assert.Null(NvrtcApi.TryLoad(12040, null, out string reason));
        Assert.Contains("NVRTC", reason, StringComparison.Ordinal);
        Assert.Contains(NvrtcLocator.PathVariable, reason, StringComparison.Ordinal);
        Assert.Contains(NvrtcLocator.PlainNames[0], reason, StringComparison.Ordinal);
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] == item)
            {
                return i;
            }
        }
        return -1;
    }
}
