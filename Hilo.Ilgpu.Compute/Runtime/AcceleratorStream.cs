using System.Runtime.InteropServices;

namespace Hilo.Ilgpu.Compute;

/// <summary>
/// An in-order queue of commands on one accelerator (OpenCL command queue, CUDA stream; synchronous on the
/// managed CPU backend). Launches, device copies and fills are asynchronous; host copies block until done.
/// </summary>
public abstract class AcceleratorStream : IDisposable
{
    private int disposed;

    /// <summary>Creates the stream.</summary>
    protected AcceleratorStream(Accelerator accelerator) => Accelerator = accelerator;

    /// <summary>The accelerator this stream belongs to.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref disposed) != 0;

    /// <summary>
    /// Launches <paramref name="kernel"/> over <paramref name="dims"/> with <paramref name="args"/> (one per C#
    /// parameter, in order). Arguments and the launch shape are checked before anything is queued.
    /// </summary>
    /// <exception cref="KernelArgumentException">Wrong argument count or type, or an invalid launch shape.</exception>
    public void Launch(KernelDescriptor kernel, LaunchDims dims, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(args);
        ThrowIfDisposed();
        kernel.ValidateArguments(args);
        if (kernel.UsesBarriers && dims.Group is null)
        {
            throw new KernelArgumentException(
                $"Kernel {kernel.Name} uses Group.Barrier, so its launch needs an explicit group size that divides the global size {dims.Global}.");
        }
        foreach (var view in ViewMemory(kernel, args))
        {
            if (view.Accelerator != Accelerator)
            {
                throw new KernelArgumentException(
                    $"Kernel {kernel.Name} got a view of a buffer on {view.Accelerator.Device.Id}, but the launch is on {Accelerator.Device.Id}.");
            }
        }
        var compiled = Accelerator.LoadKernel(kernel);
        var group = dims.Group ?? Accelerator.ChooseGroupSize(compiled, dims.Global);
        CheckGroup(kernel, compiled, dims.Global, group);
        if (dims.IsEmpty)
        {
            return;
        }
        var profiler = Profiler;
        if (profiler is null)
        {
            LaunchCore(compiled, dims.Global, group, args);
            return;
        }
        SynchronizeCore();
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        LaunchCore(compiled, dims.Global, group, args);
        SynchronizeCore();
        profiler.Record(kernel.Name, dims.Global, System.Diagnostics.Stopwatch.GetTimestamp() - start);
    }

    /// <summary>
    /// When set, every launch on this stream is timed (waiting for the queue before and after it) and added to the
    /// profiler's per-kernel totals; null (the default) for normal asynchronous launches.
    /// </summary>
    public KernelProfiler? Profiler { get; set; }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/>; returns when the copy is done.</summary>
    public void CopyFromHost<T>(ReadOnlySpan<T> source, ArrayView<T> destination) where T : unmanaged
    {
        CheckView(destination, nameof(destination));
        CheckLengths(source.Length, destination.Length);
        if (source.IsEmpty)
        {
            return;
        }
        CopyFromHostCore(destination.Memory!, destination.Offset * (long)Marshal.SizeOf<T>(), MemoryMarshal.AsBytes(source));
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/>; returns when the copy is done (after earlier commands).</summary>
    public void CopyToHost<T>(ArrayView<T> source, Span<T> destination) where T : unmanaged
    {
        CheckView(source, nameof(source));
        CheckLengths(source.Length, destination.Length);
        if (destination.IsEmpty)
        {
            return;
        }
        CopyToHostCore(source.Memory!, source.Offset * (long)Marshal.SizeOf<T>(), MemoryMarshal.AsBytes(destination));
    }

    /// <summary>Copies between two views of equal length (device to device, in stream order). Views on another accelerator are staged through the host.</summary>
    public void Copy<T>(ArrayView<T> source, ArrayView<T> destination) where T : unmanaged
    {
        CheckView(source, nameof(source));
        CheckView(destination, nameof(destination));
        CheckLengths(source.Length, destination.Length);
        if (source.IsEmpty)
        {
            return;
        }
        if (source.Memory!.Accelerator != Accelerator || destination.Memory!.Accelerator != Accelerator)
        {
            var staging = new T[source.Length];
            source.Memory.Accelerator.DefaultStream.CopyToHost(source, staging);
            destination.Memory!.Accelerator.DefaultStream.CopyFromHost<T>(staging, destination);
            return;
        }
        long size = Marshal.SizeOf<T>();
        CopyCore(source.Memory, source.Offset * size, destination.Memory, destination.Offset * size, source.Length * size);
    }

    /// <summary>Sets every element of <paramref name="destination"/> to <paramref name="value"/> (in stream order).</summary>
    public void Fill<T>(ArrayView<T> destination, T value) where T : unmanaged
    {
        CheckView(destination, nameof(destination));
        if (destination.IsEmpty)
        {
            return;
        }
        long size = Marshal.SizeOf<T>();
        FillCore(destination.Memory!, destination.Offset * size, destination.Length * size,
            MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));
    }

    /// <summary>Records a device timestamp after the commands queued so far.</summary>
    public AcceleratorEvent RecordEvent()
    {
        ThrowIfDisposed();
        return RecordEventCore();
    }

    /// <summary>Waits until every command queued on this stream finished.</summary>
    public void Synchronize()
    {
        ThrowIfDisposed();
        SynchronizeCore();
    }

    /// <summary>Launches a validated kernel: <paramref name="global"/> is the requested size, <paramref name="group"/> the group size.</summary>
    protected abstract void LaunchCore(CompiledKernel kernel, Index3D global, Index3D group, object?[] args);

    /// <summary>Blocking copy from host bytes to device memory.</summary>
    protected abstract void CopyFromHostCore(DeviceMemory destination, long destinationOffsetBytes, ReadOnlySpan<byte> source);

    /// <summary>Blocking copy from device memory to host bytes, after earlier commands.</summary>
    protected abstract void CopyToHostCore(DeviceMemory source, long sourceOffsetBytes, Span<byte> destination);

    /// <summary>Device-to-device copy on this accelerator, in stream order.</summary>
    protected abstract void CopyCore(DeviceMemory source, long sourceOffsetBytes, DeviceMemory destination, long destinationOffsetBytes, long bytes);

    /// <summary>Fills <paramref name="bytes"/> bytes with copies of <paramref name="pattern"/> (1 to 64 bytes; <paramref name="bytes"/> is a multiple of its length).</summary>
    protected abstract void FillCore(DeviceMemory destination, long offsetBytes, long bytes, ReadOnlySpan<byte> pattern);

    /// <summary>Records a timestamp event.</summary>
    protected abstract AcceleratorEvent RecordEventCore();

    /// <summary>Waits for the queue to drain.</summary>
    protected abstract void SynchronizeCore();

    /// <summary>Releases the native queue.</summary>
    protected virtual void DisposeCore()
    {
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> after dispose.</summary>
    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    /// <summary>Waits for pending work, then releases the stream.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            DisposeCore();
            Accelerator.OnStreamDisposed(this);
        }
        GC.SuppressFinalize(this);
    }

    private void CheckView<T>(ArrayView<T> view, string name) where T : unmanaged
    {
        ThrowIfDisposed();
        if (view.Memory is null)
        {
            if (view.Length != 0)
            {
                throw new ArgumentException("The view has no buffer.", name);
            }
            return;
        }
        view.EnsureAlive(name);
    }

    private static void CheckLengths(long source, long destination)
    {
        if (source != destination)
        {
            throw new ArgumentException($"Copy lengths differ: source has {source} elements, destination {destination}.");
        }
    }

    private void CheckGroup(KernelDescriptor kernel, CompiledKernel compiled, Index3D global, Index3D group)
    {
        long size = group.Size;
        int max = Math.Min(compiled.MaxGroupSize, Accelerator.Device.MaxGroupSize);
        if (size > max)
        {
            throw new KernelArgumentException(
                $"Group size {group} ({size} work-items) exceeds the maximum {max} of kernel {kernel.Name} on {Accelerator.Device.Id}.");
        }
        if (kernel.UsesBarriers && (global.X % group.X != 0 || global.Y % group.Y != 0 || global.Z % group.Z != 0))
        {
            throw new KernelArgumentException(
                $"Kernel {kernel.Name} uses Group.Barrier, so its global size {global} must be a multiple of the group size {group}.");
        }
        if (kernel.SharedMemoryBytes > Accelerator.Device.LocalMemoryBytes)
        {
            throw new KernelArgumentException(
                $"Kernel {kernel.Name} needs {kernel.SharedMemoryBytes} bytes of shared memory; {Accelerator.Device.Id} has {Accelerator.Device.LocalMemoryBytes}.");
        }
    }

    private static List<DeviceMemory> ViewMemory(KernelDescriptor kernel, object?[] args)
    {
        var collector = new MemoryCollector();
        kernel.WriteArguments(args, collector);
        return collector.Found;
    }

    private sealed class MemoryCollector : IKernelArgumentWriter
    {
        public List<DeviceMemory> Found { get; } = [];

        public void View<T>(ArrayView<T> view) where T : unmanaged
        {
            if (view.Memory is not null)
            {
                Found.Add(view.Memory);
            }
        }

        public void View2D<T>(ArrayView2D<T> view) where T : unmanaged => View(view.Data);

        public void View3D<T>(ArrayView3D<T> view) where T : unmanaged => View(view.Data);

        public void Scalar<T>(T value) where T : unmanaged
        {
        }
    }
}
