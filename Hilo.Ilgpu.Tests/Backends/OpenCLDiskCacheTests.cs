using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.OpenCL;
using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Backends;

/// <summary>
/// Tests that point <c>HILO_KERNEL_CACHE</c> (process-wide) somewhere else run in this collection: alone,
/// after every parallel test finished, so no other test sees the redirected cache.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelCacheEnvironmentCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Kernel cache environment";
}

[Collection(KernelCacheEnvironmentCollection.Name)]
public sealed class OpenCLDiskCacheTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "hilo-opencl-cache-" + Guid.NewGuid().ToString("N"));
    private readonly string? previous = Environment.GetEnvironmentVariable("HILO_KERNEL_CACHE");

    public OpenCLDiskCacheTests() => Environment.SetEnvironmentVariable("HILO_KERNEL_CACHE", directory);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("HILO_KERNEL_CACHE", previous);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Accelerator Open() => Devices.Open(DeviceRequirement.RequireDevice(BackendKind.OpenCL));

    private string[] Entries() => Directory.Exists(directory) ? Directory.GetFiles(directory, "*.clbin") : [];

    private static void CheckRuns(Accelerator accelerator, KernelDescriptor kernel)
    {
        using var data = accelerator.Allocate<int>(100);
        accelerator.Launch(kernel, new LaunchDims(100), data.View, 5);
        Assert.Equal(Enumerable.Range(5, 100), data.ToArray());
    }

    [Fact]
    public void SecondAcceleratorLoadsTheBinaryFromDisk()
    {
        var kernel = TestKernels.UniqueFillIota(nameof(SecondAcceleratorLoadsTheBinaryFromDisk));
        using (var first = Open())
        {
            Assert.False(first.LoadKernel(kernel).FromDiskCache);
            CheckRuns(first, kernel);
        }
        Assert.Single(Entries());
        using var second = Open();
        var compiled = second.LoadKernel(kernel);
        Assert.True(compiled.FromDiskCache);
        Assert.True(compiled.MaxGroupSize > 0);
        CheckRuns(second, kernel);
    }

    [Fact]
    public void GarbageCacheFileFallsBackToASourceBuild()
    {
        var kernel = TestKernels.UniqueFillIota(nameof(GarbageCacheFileFallsBackToASourceBuild));
        using (var first = Open())
        {
            first.LoadKernel(kernel);
        }
        string entry = Assert.Single(Entries());
        File.WriteAllBytes(entry, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        using (var second = Open())
        {
            Assert.False(second.LoadKernel(kernel).FromDiskCache);
            CheckRuns(second, kernel);
        }
        // The source build stored a good binary again.
        using var third = Open();
        Assert.True(third.LoadKernel(kernel).FromDiskCache);
    }

    [Fact]
    public void BinaryTheDriverRejectsFallsBackToASourceBuild()
    {
        var kernel = TestKernels.UniqueFillIota(nameof(BinaryTheDriverRejectsFallsBackToASourceBuild));
        using (var first = Open())
        {
            first.LoadKernel(kernel);
        }
        string entry = Assert.Single(Entries());
        // A well-formed envelope around a damaged binary: only the driver can tell it is bad.
        var binary = CacheEnvelope.TryOpen(File.ReadAllBytes(entry));
        Assert.NotNull(binary);
        for (int i = 0; i < binary.Length; i += 7)
        {
            binary[i] ^= 0x5A;
        }
        File.WriteAllBytes(entry, CacheEnvelope.Seal(binary.AsSpan(0, binary.Length / 2)));
        using var second = Open();
        Assert.False(second.LoadKernel(kernel).FromDiskCache);
        CheckRuns(second, kernel);
    }

    [Fact]
    public void CacheCanBeSwitchedOff()
    {
        Environment.SetEnvironmentVariable("HILO_KERNEL_CACHE", "off");
        var kernel = TestKernels.UniqueFillIota(nameof(CacheCanBeSwitchedOff));
        using (var first = Open())
        {
            first.LoadKernel(kernel);
        }
        using var second = Open();
        Assert.False(second.LoadKernel(kernel).FromDiskCache);
        Assert.Empty(Entries());
    }

    [Fact]
    public void EnvelopeDetectsDamage()
    {
        byte[] binary = [10, 20, 30, 40];
        var sealedEntry = CacheEnvelope.Seal(binary);
        Assert.Equal(binary, CacheEnvelope.TryOpen(sealedEntry));
        sealedEntry[^1] ^= 1;
        Assert.Null(CacheEnvelope.TryOpen(sealedEntry));
        Assert.Null(CacheEnvelope.TryOpen(sealedEntry[..10]));
        Assert.Null(CacheEnvelope.TryOpen([]));
    }
}
