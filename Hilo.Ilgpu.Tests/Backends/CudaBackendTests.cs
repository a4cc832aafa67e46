using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Cuda;

namespace Hilo.Ilgpu.Tests.Backends;

/// <summary>
/// The CUDA backend on a real device. Every test skips visibly ("no CUDA device: reason") where no CUDA device
/// exists: CUDA's absence is never a failure.
/// </summary>
public class CudaBackendTests
{
    [Fact]
    public void DeviceInfoIsComplete()
    {
        var device = RequireCudaDevice();
        Assert.StartsWith("cuda:", device.Id, StringComparison.Ordinal);
        Assert.Equal(BackendKind.Cuda, device.Backend);
        Assert.Equal("NVIDIA", device.Vendor);
        Assert.Equal(DeviceKind.Gpu, device.Kind);
        Assert.False(string.IsNullOrWhiteSpace(device.Name));
        Assert.True(device.GlobalMemoryBytes > 0);
        Assert.True(device.ComputeUnits > 0);
        Assert.True(device.MaxGroupSize >= 256);
        Assert.True(device.LocalMemoryBytes >= 16 * 1024);
        Assert.Matches(@"^CUDA driver \d+\.\d+, NVRTC \d+\.\d+, sm_\d+$", device.DriverVersion);
        Assert.Same(device, Devices.Find("cuda:0"));
    }

    [Fact]
    public void VectorAddWithOffsets() => OnCuda(CudaScenarios.VectorAddWithOffsets);

    [Fact]
    public void StructAndBoolParameters() => OnCuda(CudaScenarios.StructAndBoolParameters);

    [Fact]
    public void TwoDimensionalGridNotMultipleOfGroup() => OnCuda(CudaScenarios.TwoDimensionalGridNotMultipleOfGroup);

    [Fact]
    public void SharedMemoryReductionWithBarriers() => OnCuda(CudaScenarios.SharedMemoryReduction);

    [Fact]
    public void AtomicsUnderContention() => OnCuda(acc => CudaScenarios.AtomicsUnderContention(acc, 1 << 20));

    [Fact]
    public void CopiesWithOffsets() => OnCuda(CudaScenarios.CopiesWithOffsets);

    [Fact]
    public void FillPatternsOfEverySize() => OnCuda(CudaScenarios.FillPatterns);

    [Fact]
    public void ZeroSizeBuffersAndLaunches() => OnCuda(CudaScenarios.ZeroSizes);

    [Fact]
    public void ConcurrentUseFromSeveralThreads() => OnCuda(CudaScenarios.ConcurrentUse);

    [Fact]
    public void CompileErrorCarriesTheNvrtcLogAndSource()
    {
        using var acc = OpenCuda();
        var ex = Assert.Throws<KernelCompilationException>(() => acc.LoadKernel(CudaTestKernels.Broken));
        Assert.Contains("hilo_undeclared_identifier", ex.Log, StringComparison.Ordinal);
        Assert.Contains("NVRTC_ERROR_COMPILATION", ex.Log, StringComparison.Ordinal);
        Assert.Equal(CudaTestKernels.Broken.CudaSource, ex.Source);
        Assert.Equal(acc.Device.Id, ex.Device);
        Assert.Contains("   5| ", ex.Message, StringComparison.Ordinal); // numbered source
        // Not cached: a second attempt reports the error again.
        Assert.Throws<KernelCompilationException>(() => acc.LoadKernel(CudaTestKernels.Broken));
    }

    [Fact]
    public void CompiledKernelReportsLimits()
    {
        using var acc = OpenCuda();
        var kernel = acc.LoadKernel(CudaTestKernels.VectorAdd);
        Assert.InRange(kernel.MaxGroupSize, 1, acc.Device.MaxGroupSize);
        Assert.Same(kernel, acc.LoadKernel(CudaTestKernels.VectorAdd));
    }

    [Fact]
    public void GroupBeyondTheDeviceLimitIsRejectedBeforeLaunch()
    {
        using var acc = OpenCuda();
        using var x = acc.Allocate<float>(4096);
        Assert.Throws<KernelArgumentException>(() =>
            acc.Launch(CudaTestKernels.VectorAdd, LaunchDims.Create1D(4096, 4096), x.View, x.View, x.View));
        // Block z extent above 64 is invalid on every CUDA GPU even though the total size is small.
        Assert.Throws<KernelArgumentException>(() =>
            acc.Launch(CudaTestKernels.VectorAdd, new LaunchDims(new Index3D(1, 1, 128), new Index3D(1, 1, 128)), x.View, x.View, x.View));
    }

    [Fact]
    public void EventsMeasureDeviceTime()
    {
        using var acc = OpenCuda();
        using var counter = acc.Allocate<int>(1);
        counter.Fill(0);
        var stream = acc.CreateStream();
        using var start = stream.RecordEvent();
        stream.Launch(CudaTestKernels.Count, new LaunchDims(1 << 22), counter.View);
        using var end = stream.RecordEvent();
        double ms = end.ElapsedMillisecondsSince(start);
        Assert.InRange(ms, 0.0, 60_000.0);
        Assert.Equal(1 << 22, counter.ToArray()[0]);
    }

    [Fact]
    public void OutOfMemoryNamesSizeAndDevice()
    {
        using var acc = OpenCuda();
        var ex = Assert.Throws<DeviceOutOfMemoryException>(() => acc.Allocate<Huge>(int.MaxValue));
        Assert.Equal((long)int.MaxValue * 256, ex.RequestedBytes);
        Assert.Contains(acc.Device.Id, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, acc.AllocatedBytes);
        // The device still works afterwards.
        CudaScenarios.AtomicsUnderContention(acc, 1000);
    }

    [Fact]
    public void DisposeFreesEverythingAndLaterUseThrows()
    {
        var acc = OpenCuda();
        var buffer = acc.Allocate<float>(1 << 20);
        var stream = acc.CreateStream();
        stream.Launch(CudaTestKernels.VectorAdd, new LaunchDims(1 << 20), buffer.View, buffer.View, buffer.View);
        var e = stream.RecordEvent();
        Assert.Equal(4L << 20, acc.AllocatedBytes);
        acc.Dispose();
        acc.Dispose(); // idempotent
        Assert.True(buffer.Memory.IsDisposed);
        Assert.True(stream.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => acc.Allocate<float>(1));
        Assert.Throws<ObjectDisposedException>(() => buffer.View);
        Assert.Throws<ObjectDisposedException>(() => stream.Synchronize());
        Assert.Throws<ObjectDisposedException>(() => e.ElapsedMillisecondsSince(e));
        e.Dispose();
        buffer.Dispose();
        // A fresh accelerator on the same device works (the primary context is retained again).
        OnCuda(acc2 => CudaScenarios.AtomicsUnderContention(acc2, 100));
    }

    [Fact]
    public void DiskCacheServesLaterBuildsAndSurvivesCorruptEntries()
    {
        if (KernelDiskCache.Directory is null)
        {
            Assert.Skip("the on-disk kernel cache is disabled (HILO_KERNEL_CACHE=off)");
        }
        using (var first = OpenCuda())
        {
            first.LoadKernel(CudaTestKernels.Grid2D);
        }
        using (var second = OpenCuda())
        {
            Assert.True(second.LoadKernel(CudaTestKernels.Grid2D).FromDiskCache);
        }
        using var third = OpenCuda();
        var cuda = (CudaAccelerator)third;
        var (arch, cubin) = CudaKernelBuilder.ChooseTarget(cuda, CudaTestKernels.Affine);
        string[] options = [$"--gpu-architecture={(cubin ? "sm_" : "compute_")}{arch}", "--fmad=false"];
        string key = CudaKernelBuilder.CacheKey(CudaTestKernels.Affine.CudaSource, options, cuda.Runtime.Nvrtc.VersionText, cuda.ComputeCapability);
        KernelDiskCache.Store(key, cubin ? ".cubin" : ".ptx", "this is not PTX\0"u8);
        var kernel = third.LoadKernel(CudaTestKernels.Affine);
        Assert.False(kernel.FromDiskCache);
        CudaScenarios.StructAndBoolParameters(third);
    }

    private struct Huge
    {
#pragma warning disable CS0169, IDE0051 // only its size matters
        private unsafe fixed byte bytes[256];
#pragma warning restore CS0169, IDE0051
    }

    private static void OnCuda(Action<Accelerator> scenario)
    {
        using var acc = OpenCuda();
        scenario(acc);
    }

    internal static Accelerator OpenCuda() => Devices.Open(RequireCudaDevice());

    /// <summary>The first CUDA device, or a visible skip naming why there is none.</summary>
    internal static DeviceInfo RequireCudaDevice()
    {
        var status = Devices.Backends.First(b => b.Backend == BackendKind.Cuda);
        var device = Devices.All.FirstOrDefault(d => d.Backend == BackendKind.Cuda);
        if (device is null)
        {
            Assert.Skip("no CUDA device: " + (status.Reason ?? "the CUDA backend lists no device"));
        }
        return device;
    }
}

/// <summary>The CUDA scenarios on the managed CPU backend: proves the scenarios and hand-written descriptors here.</summary>
public class CudaScenarioHarnessTests
{
    [Fact]
    public void VectorAddWithOffsets() => OnCpu(CudaScenarios.VectorAddWithOffsets);

    [Fact]
    public void StructAndBoolParameters() => OnCpu(CudaScenarios.StructAndBoolParameters);

    [Fact]
    public void TwoDimensionalGridNotMultipleOfGroup() => OnCpu(CudaScenarios.TwoDimensionalGridNotMultipleOfGroup);

    [Fact]
    public void SharedMemoryReduction() => OnCpu(CudaScenarios.SharedMemoryReduction);

    [Fact]
    public void AtomicsUnderContention() => OnCpu(acc => CudaScenarios.AtomicsUnderContention(acc, 100_000));

    [Fact]
    public void CopiesWithOffsets() => OnCpu(CudaScenarios.CopiesWithOffsets);

    [Fact]
    public void FillPatterns() => OnCpu(CudaScenarios.FillPatterns);

    [Fact]
    public void ZeroSizes() => OnCpu(CudaScenarios.ZeroSizes);

    [Fact]
    public void ConcurrentUse() => OnCpu(CudaScenarios.ConcurrentUse);

    private static void OnCpu(Action<Accelerator> scenario)
    {
        using var acc = Devices.Open("cpu");
        scenario(acc);
    }
}
