using System.Diagnostics;
using System.Runtime.InteropServices;
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Cuda;

namespace Hilo.Ilgpu.Tests.Backends;

/// <summary>Runs alone: its tests point the process-wide kernel cache at a temporary directory.</summary>
[CollectionDefinition(nameof(CudaFakeDriverCollection), DisableParallelization = true)]
public sealed class CudaFakeDriverCollection;

/// <summary>
/// The CUDA backend's native call paths against strict stand-ins for libcuda and libnvrtc (built here with
/// clang-14 from <see cref="CudaFakeDriverSource"/>; skipped visibly without clang-14 or on non-Linux). This checks
/// the C# side — argument order, <c>kernelParams</c> layout, context binding on every thread, JIT-log options,
/// cache and error paths, and that Dispose releases every driver object — not GPU semantics.
/// </summary>
[Collection(nameof(CudaFakeDriverCollection))]
public sealed unsafe class CudaFakeDriverTests : IDisposable
{
    private static readonly Lazy<(string? Driver, string? Nvrtc, string Why)> Built = new(Build);
    private readonly string? savedCache = Environment.GetEnvironmentVariable("HILO_KERNEL_CACHE");
    private readonly string cacheDir = Path.Combine(Path.GetTempPath(), "hilo-fake-cuda-cache-" + Guid.NewGuid().ToString("N"));

    public CudaFakeDriverTests() => Environment.SetEnvironmentVariable("HILO_KERNEL_CACHE", cacheDir);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("HILO_KERNEL_CACHE", savedCache);
        if (Directory.Exists(cacheDir))
        {
            Directory.Delete(cacheDir, recursive: true);
        }
    }

    [Fact]
    public void ProbeDescribesTheDevice()
    {
        var (status, devices) = Backend().Probe();
        Assert.True(status.IsAvailable, status.Reason);
        var d = Assert.Single(devices);
        Assert.Equal("cuda:0", d.Id);
        Assert.Equal("Fake CUDA Device", d.Name);
        Assert.Equal("NVIDIA", d.Vendor);
        Assert.Equal(DeviceKind.Gpu, d.Kind);
        Assert.Equal(8L << 30, d.GlobalMemoryBytes);
        Assert.Equal(28, d.ComputeUnits);
        Assert.Equal(1024, d.MaxGroupSize);
        Assert.Equal(49152, d.LocalMemoryBytes);
        Assert.Equal("CUDA driver 12.4, NVRTC 12.4, sm_86", d.DriverVersion);
    }

    [Fact]
    public void MissingNvrtcMakesTheBackendUnavailableWithTheReason()
    {
        var paths = Require();
        var backend = new CudaBackend([paths.Driver!], ["/nonexistent/libnvrtc.so.12"]);
        var (status, devices) = backend.Probe();
        Assert.False(status.IsAvailable);
        Assert.Empty(devices);
        Assert.Contains("CUDA driver 12.4 sees 1 device(s), but NVRTC", status.Reason!, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/libnvrtc.so.12", status.Reason!, StringComparison.Ordinal);
    }

    [Fact]
    public void Scenarios()
    {
        using var acc = Open();
        CudaScenarios.VectorAddWithOffsets(acc);
        CudaScenarios.StructAndBoolParameters(acc);
        CudaScenarios.TwoDimensionalGridNotMultipleOfGroup(acc);
        CudaScenarios.SharedMemoryReduction(acc);
        CudaScenarios.AtomicsUnderContention(acc, 12345);
        CudaScenarios.CopiesWithOffsets(acc);
        CudaScenarios.FillPatterns(acc);
        CudaScenarios.ZeroSizes(acc);
    }

    [Fact]
    public void ConcurrentUseBindsTheContextOnEveryThread()
    {
        using var acc = Open();
        CudaScenarios.ConcurrentUse(acc);
    }

    [Fact]
    public void EveryOperationBindsTheContextOnAFreshThread()
    {
        using var acc = Open();
        // Each step runs on a new thread, where no context is current until the backend makes it so.
        static void OnNewThread(Action step)
        {
            Exception? error = null;
            var thread = new Thread(() =>
            {
                try
                {
                    step();
                }
#pragma warning disable CA1031 // rethrown on the test thread
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    error = ex;
                }
            });
            thread.Start();
            thread.Join();
            if (error is not null)
            {
                throw new InvalidOperationException("step failed on a fresh thread", error);
            }
        }

        MemoryBuffer<float>? a = null, b = null;
        AcceleratorStream? stream = null;
        AcceleratorEvent? e1 = null, e2 = null;
        OnNewThread(() => a = acc.Allocate<float>(64));
        OnNewThread(() => b = acc.Allocate<float>(64));
        OnNewThread(() => stream = acc.CreateStream());
        OnNewThread(() => a!.CopyFromHost(Enumerable.Range(0, 64).Select(i => (float)i).ToArray()));
        OnNewThread(() => stream!.Copy(a!.View, b!.View));
        OnNewThread(() => b!.Fill(1f));
        OnNewThread(() => stream!.Fill(b!.View, (byte)0));
        OnNewThread(() => stream!.Fill(b!.View.SubView(0, 2), 0f));
        OnNewThread(() => acc.LoadKernel(CudaTestKernels.VectorAdd));
        OnNewThread(() => e1 = stream!.RecordEvent());
        OnNewThread(() => stream!.Launch(CudaTestKernels.VectorAdd, new LaunchDims(64), a!.View, a!.View, b!.View));
        OnNewThread(() => e2 = stream!.RecordEvent());
        OnNewThread(() => e2!.ElapsedMillisecondsSince(e1!));
        OnNewThread(() => stream!.Synchronize());
        OnNewThread(() => Assert.Equal(Enumerable.Range(0, 64).Select(i => 2f * i), b!.ToArray()));
        OnNewThread(() => acc.Synchronize());
        OnNewThread(() => e1!.Dispose());
        OnNewThread(() => stream!.Dispose());
        OnNewThread(() => a!.Dispose());
        OnNewThread(() => Assert.Equal(64 * sizeof(float), acc.AllocatedBytes));
        OnNewThread(acc.Dispose);
        Assert.Equal(0, ((delegate* unmanaged<int, long>)NativeLibrary.GetExport(NativeLibrary.Load(Require().Driver!), "fake_live"))(0));
    }

    [Fact]
    public void CompiledKernelCarriesTheFunctionLimitAndLaunchLimitsAreChecked()
    {
        using var acc = Open();
        Assert.Equal(768, acc.LoadKernel(CudaTestKernels.VectorAdd).MaxGroupSize);
        using var x = acc.Allocate<float>(1024);
        Assert.Throws<KernelArgumentException>(() => acc.Launch(CudaTestKernels.VectorAdd, LaunchDims.Create1D(1024, 1024), x.View, x.View, x.View));
        Assert.Throws<KernelArgumentException>(() =>
            acc.Launch(CudaTestKernels.VectorAdd, new LaunchDims(new Index3D(1, 1, 128), new Index3D(1, 1, 128)), x.View, x.View, x.View));
    }

    [Fact]
    public void CompileErrorCarriesTheNvrtcLog()
    {
        using var acc = Open();
        var ex = Assert.Throws<KernelCompilationException>(() => acc.LoadKernel(CudaTestKernels.Broken));
        Assert.Contains("NVRTC_ERROR_COMPILATION", ex.Log, StringComparison.Ordinal);
        Assert.Contains("identifier \"hilo_undeclared_identifier\" is undefined", ex.Log, StringComparison.Ordinal);
        Assert.Contains("hilo_test_broken.cu", ex.Log, StringComparison.Ordinal);
        Assert.Equal(CudaTestKernels.Broken.CudaSource, ex.Source);
    }

    [Fact]
    public void DiskCacheServesLaterBuildsAndRejectedEntriesAreRebuilt()
    {
        long before = Compiles();
        using (var first = Open())
        {
            Assert.False(first.LoadKernel(CudaTestKernels.Grid2D).FromDiskCache);
        }
        Assert.Equal(before + 1, Compiles());
        Assert.Single(Directory.GetFiles(cacheDir, "*.ptx"));
        using (var second = Open())
        {
            Assert.True(second.LoadKernel(CudaTestKernels.Grid2D).FromDiskCache);
            CudaScenarios.TwoDimensionalGridNotMultipleOfGroup(second);
        }
        Assert.Equal(before + 1, Compiles());

        string entry = Directory.GetFiles(cacheDir, "*.ptx").Single();
        File.WriteAllText(entry, "this is not PTX");
        using var third = Open();
        Assert.False(third.LoadKernel(CudaTestKernels.Grid2D).FromDiskCache);
        Assert.Equal(before + 2, Compiles());
        Assert.StartsWith("// fake ptx", File.ReadAllText(entry), StringComparison.Ordinal);
    }

    [Fact]
    public void EventsMeasureBetweenRecords()
    {
        using var acc = Open();
        using var counter = acc.Allocate<int>(1);
        counter.Fill(0);
        var stream = acc.CreateStream();
        using var start = stream.RecordEvent();
        stream.Launch(CudaTestKernels.Count, new LaunchDims(1000), counter.View);
        using var end = stream.RecordEvent();
        Assert.Equal(0.25, end.ElapsedMillisecondsSince(start), 6);
        Assert.Throws<ArgumentException>(() => end.ElapsedMillisecondsSince(new CpuLikeEvent()));
    }

    [Fact]
    public void OutOfMemoryNamesSizeAndDevice()
    {
        using var acc = Open();
        var ex = Assert.Throws<DeviceOutOfMemoryException>(() => acc.Allocate<Huge>(int.MaxValue));
        Assert.Equal((long)int.MaxValue * 256, ex.RequestedBytes);
        Assert.Contains("cuda:0 (Fake CUDA Device)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CUDA_ERROR_OUT_OF_MEMORY", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DisposeReleasesEveryDriverObjectAndTheContext()
    {
        var paths = Require();
        nint lib = NativeLibrary.Load(paths.Driver!);
        var live = (delegate* unmanaged<int, long>)NativeLibrary.GetExport(lib, "fake_live");
        long[] Counts() => [live(0), live(1), live(2), live(3)];
        var baseline = Counts();
        long refs = live(4);

        var acc = Open();
        var buffer = acc.Allocate<float>(1000);
        var stream = acc.CreateStream();
        stream.Launch(CudaTestKernels.VectorAdd, new LaunchDims(1000), buffer.View, buffer.View, buffer.View);
        var e = stream.RecordEvent();
        acc.LoadKernel(CudaTestKernels.Affine);
        Assert.Equal(refs + 1, live(4));
        Assert.True(Counts().Zip(baseline).All(p => p.First > p.Second), "every kind of object should be live now");

        acc.Dispose();
        Assert.Equal(baseline, Counts());
        Assert.Equal(refs, live(4));
        Assert.Throws<ObjectDisposedException>(() => acc.Allocate<float>(1));
        Assert.Throws<ObjectDisposedException>(() => stream.Synchronize());
        Assert.Throws<ObjectDisposedException>(() => e.ElapsedMillisecondsSince(e));
        e.Dispose();
        buffer.Dispose();
        acc.Dispose();
        Assert.Equal(baseline, Counts());
    }

    private struct Huge
    {
#pragma warning disable CS0169 // only its size matters
        private fixed byte bytes[256];
#pragma warning restore CS0169
    }

    private sealed class CpuLikeEvent : AcceleratorEvent
    {
        public override double ElapsedMillisecondsSince(AcceleratorEvent start) => 0;
    }

    private static long Compiles()
    {
        nint lib = NativeLibrary.Load(Require().Nvrtc!);
        return ((delegate* unmanaged<long>)NativeLibrary.GetExport(lib, "fake_nvrtc_compiles"))();
    }

    private static Accelerator Open()
    {
        var backend = Backend();
        var (status, devices) = backend.Probe();
        Assert.True(status.IsAvailable, status.Reason);
        return backend.Open(devices[0]);
    }

    private static CudaBackend Backend()
    {
        var paths = Require();
        return new CudaBackend([paths.Driver!], [paths.Nvrtc!]);
    }

    private static (string? Driver, string? Nvrtc, string Why) Require()
    {
        var built = Built.Value;
        if (built.Driver is null)
        {
            Assert.Skip(built.Why);
        }
        return built;
    }

    private static (string? Driver, string? Nvrtc, string Why) Build()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (null, null, "the fake CUDA driver is built for Linux only");
        }
        string? clang = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "clang-14")).FirstOrDefault(File.Exists);
        if (clang is null)
        {
            return (null, null, "clang-14 is not on PATH: the fake CUDA driver could not be built");
        }
        string dir = Path.Combine(Path.GetTempPath(), "hilo-fake-cuda-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        string driver = Compile(clang, dir, "libfakecuda.so", CudaFakeDriverSource.Driver, out string e1);
        string nvrtc = Compile(clang, dir, "libfakenvrtc.so", CudaFakeDriverSource.Nvrtc, out string e2);
        return File.Exists(driver) && File.Exists(nvrtc) ? (driver, nvrtc, "") : (null, null, "building the fake CUDA driver failed: " + e1 + e2);
    }

    private static string Compile(string clang, string dir, string name, string source, out string errors)
    {
        string c = Path.Combine(dir, Path.ChangeExtension(name, ".c"));
        string so = Path.Combine(dir, name);
        File.WriteAllText(c, source);
        var info = new ProcessStartInfo(clang) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o", so, c, "-lpthread" })
        {
            info.ArgumentList.Add(arg);
        }
        using var p = Process.Start(info)!;
        errors = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return so;
    }
}
