using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Hilo.Ilgpu.Compute.Cpu;

/// <summary>The managed CPU backend: always available, needs nothing installed.</summary>
internal sealed class CpuBackend : IBackend
{
    public BackendKind Kind => BackendKind.Cpu;

    public (BackendStatus Status, IReadOnlyList<DeviceInfo> Devices) Probe()
    {
        var info = GC.GetGCMemoryInfo();
        var device = new DeviceInfo
        {
            Id = "cpu",
            Backend = BackendKind.Cpu,
            Name = $"Managed CPU ({RuntimeInformation.ProcessArchitecture}, {SimdDescription()})",
            Vendor = "Hilo.Ilgpu",
            Kind = DeviceKind.Cpu,
            GlobalMemoryBytes = info.TotalAvailableMemoryBytes,
            ComputeUnits = Environment.ProcessorCount,
            MaxGroupSize = 1024,
            LocalMemoryBytes = 64 * 1024,
            DriverVersion = RuntimeInformation.FrameworkDescription,
        };
        return (new BackendStatus(BackendKind.Cpu, true, null), [device]);
    }

    public Accelerator Open(DeviceInfo device) => new CpuAccelerator(device);

    private static string SimdDescription() =>
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "512-bit SIMD"
        : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "256-bit SIMD"
        : "128-bit SIMD";
}

/// <summary>Accelerator of the managed CPU backend: memory is native host memory, kernels are their C# bodies.</summary>
internal sealed unsafe class CpuAccelerator(DeviceInfo device) : Accelerator(device)
{
    /// <summary>Freed large blocks kept for the next allocation of the same size.</summary>
    internal MemoryBlockPool Pool { get; } = new(pointer => NativeMemory.AlignedFree((void*)pointer));

    protected override DeviceMemory AllocateCore(long bytes) => new CpuMemory(this, bytes);

    protected override void DisposeCore() => Pool.Dispose();

    protected override AcceleratorStream CreateStreamCore() => new CpuStream(this);

    protected override CompiledKernel CompileCore(KernelDescriptor kernel) =>
        new CpuCompiledKernel(this, kernel);

    protected internal override Index3D ChooseGroupSize(CompiledKernel kernel, Index3D global) =>
        // Without barriers groups only matter for scheduling: large 1D groups amortize the per-group cost.
        global.Z > 1 ? new Index3D(Math.Min(global.X, 64), Math.Min(global.Y, 4), 1)
        : global.Y > 1 ? new Index3D(Math.Min(global.X, 64), Math.Min(global.Y, 4), 1)
        : new Index3D(Math.Min(Math.Max(global.X, 1), 256));
}

internal sealed class CpuCompiledKernel(Accelerator accelerator, KernelDescriptor kernel)
    : CompiledKernel(accelerator, kernel, 1024, TimeSpan.Zero, fromDiskCache: false);

/// <summary>Native, 64-byte aligned host memory.</summary>
internal sealed unsafe class CpuMemory : DeviceMemory
{
    public CpuMemory(CpuAccelerator accelerator, long bytes)
        : base(accelerator, bytes, Allocate(accelerator, bytes))
    {
    }

    private static nint Allocate(CpuAccelerator accelerator, long bytes)
    {
        nint kept = accelerator.Pool.Take(bytes);
        if (kept != 0)
        {
            return kept;
        }
        string device = accelerator.Device.Id;
        try
        {
            void* p = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 64);
            return (nint)p;
        }
        catch (OutOfMemoryException ex)
        {
            throw new DeviceOutOfMemoryException(bytes, device, ex.Message);
        }
    }

    protected override void FreeCore() => ((CpuAccelerator)Accelerator).Pool.Return(HostPointer, SizeInBytes);
}

/// <summary>A CPU stream runs every command synchronously on the calling thread (kernels use all cores).</summary>
internal sealed unsafe class CpuStream(Accelerator accelerator) : AcceleratorStream(accelerator)
{
    protected override void LaunchCore(CompiledKernel kernel, Index3D global, Index3D group, object?[] args) =>
        CpuRunner.Run(kernel.Descriptor, global, group, args);

    protected override void CopyFromHostCore(DeviceMemory destination, long destinationOffsetBytes, ReadOnlySpan<byte> source) =>
        source.CopyTo(new Span<byte>((byte*)destination.HostPointer + destinationOffsetBytes, source.Length));

    protected override void CopyToHostCore(DeviceMemory source, long sourceOffsetBytes, Span<byte> destination) =>
        new ReadOnlySpan<byte>((byte*)source.HostPointer + sourceOffsetBytes, destination.Length).CopyTo(destination);

    protected override void CopyCore(DeviceMemory source, long sourceOffsetBytes, DeviceMemory destination, long destinationOffsetBytes, long bytes) =>
        Buffer.MemoryCopy((byte*)source.HostPointer + sourceOffsetBytes, (byte*)destination.HostPointer + destinationOffsetBytes, bytes, bytes);

    protected override void FillCore(DeviceMemory destination, long offsetBytes, long bytes, ReadOnlySpan<byte> pattern)
    {
        byte* start = (byte*)destination.HostPointer + offsetBytes;
        if (pattern.Length == 1)
        {
            NativeMemory.Fill(start, (nuint)bytes, pattern[0]);
            return;
        }
        // Write the pattern once, then double the filled prefix until the range is full.
        pattern.CopyTo(new Span<byte>(start, pattern.Length));
        long filled = pattern.Length;
        while (filled < bytes)
        {
            long n = Math.Min(filled, bytes - filled);
            Buffer.MemoryCopy(start, start + filled, n, n);
            filled += n;
        }
    }

    protected override AcceleratorEvent RecordEventCore() => new CpuEvent(Stopwatch.GetTimestamp());

    protected override void SynchronizeCore()
    {
    }
}

internal sealed class CpuEvent(long timestamp) : AcceleratorEvent
{
    public long Timestamp { get; } = timestamp;

    public override double ElapsedMillisecondsSince(AcceleratorEvent start) =>
        start is CpuEvent s
            ? Stopwatch.GetElapsedTime(s.Timestamp, Timestamp).TotalMilliseconds
            : throw new ArgumentException("Both events must come from the managed CPU backend.", nameof(start));
}
