using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Cuda;

namespace Hilo.Ilgpu.Tests.Backends;

/// <summary>How the CUDA backend reports itself, on machines with and without CUDA (run everywhere).</summary>
public class CudaAvailabilityTests
{
    [Fact]
    public void ProbingNeverThrowsAndIsConsistent()
    {
        var (status, devices) = new CudaBackend().Probe();
        Assert.Equal(BackendKind.Cuda, status.Backend);
        if (status.IsAvailable)
        {
            Assert.Null(status.Reason);
            Assert.NotEmpty(devices);
            Assert.All(devices, d => Assert.Equal(BackendKind.Cuda, d.Backend));
        }
        else
        {
            Assert.Empty(devices);
            Assert.False(string.IsNullOrWhiteSpace(status.Reason));
        }
    }

    [Fact]
    public void UnavailableBackendSaysPreciselyWhy()
    {
        var status = Devices.Backends.Single(b => b.Backend == BackendKind.Cuda);
        if (status.IsAvailable)
        {
            Assert.Skip("CUDA is available on this machine");
        }
        // One of: the driver library is missing, cuInit failed, no device, NVRTC missing.
        Assert.Matches("libcuda|nvcuda|cuInit|cuDeviceGetCount|NVRTC|CUDA driver", status.Reason!);
        Assert.DoesNotContain(Devices.All, d => d.Backend == BackendKind.Cuda);
        bool driverLoadable = CudaDriverApi.LibraryCandidates.Any(n => System.Runtime.InteropServices.NativeLibrary.TryLoad(n, out _));
        if (!driverLoadable && OperatingSystem.IsLinux())
        {
            Assert.Contains("libcuda.so.1", status.Reason!, StringComparison.Ordinal);
            Assert.Contains("not found", status.Reason!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OpeningCudaWithoutCudaThrowsDeviceNotFoundWithTheReason()
    {
        var status = Devices.Backends.Single(b => b.Backend == BackendKind.Cuda);
        if (status.IsAvailable)
        {
            Assert.Skip("CUDA is available on this machine");
        }
        var ex = Assert.Throws<DeviceNotFoundException>(() => Devices.Open("cuda:0"));
        Assert.Contains(status.Reason!, ex.Message, StringComparison.Ordinal);
        Assert.Throws<DeviceNotFoundException>(() => Devices.Find("cuda:GeForce"));
    }

    [Fact]
    public void DriverLibraryNamesFollowThePlatform()
    {
        var names = CudaDriverApi.LibraryCandidates;
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(["libcuda.so.1", "libcuda.so"], names);
        }
        Assert.Equal("12.4", CudaDriverApi.FormatVersion(12040));
        Assert.Equal("13.0", CudaDriverApi.FormatVersion(13000));
        Assert.Equal("11.8", CudaDriverApi.FormatVersion(11080));
    }
}
