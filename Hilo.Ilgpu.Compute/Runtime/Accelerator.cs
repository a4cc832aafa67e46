using System.Collections.Concurrent;

namespace Hilo.Ilgpu.Compute;

/// <summary>
/// An opened device: allocates buffers, builds and caches kernels, owns streams. Thread-safe: one
/// accelerator may be used from several threads. <see cref="Dispose"/> frees everything it created.
/// Open one with <see cref="Devices.Open(string)"/>.
/// </summary>
public abstract class Accelerator : IDisposable
{
    private readonly ConcurrentDictionary<KernelDescriptor, Lazy<CompiledKernel>> kernels = new();
    private readonly HashSet<DeviceMemory> liveMemory = [];
    private readonly List<AcceleratorStream> streams = [];
    private readonly Lock gate = new();
    private AcceleratorStream? defaultStream;
    private long allocatedBytes;
    private long peakBytes;
    private int disposed;

    /// <summary>Creates the accelerator for <paramref name="device"/>.</summary>
    protected Accelerator(DeviceInfo device) => Device = device;

    /// <summary>The device.</summary>
    public DeviceInfo Device { get; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref disposed) != 0;

    /// <summary>Bytes currently allocated through this accelerator.</summary>
    public long AllocatedBytes => Interlocked.Read(ref allocatedBytes);

    /// <summary>Largest <see cref="AllocatedBytes"/> seen since creation or <see cref="ResetPeakMemory"/>.</summary>
    public long PeakAllocatedBytes => Interlocked.Read(ref peakBytes);

    /// <summary>Starts a new peak-memory measurement from the current allocation.</summary>
    public void ResetPeakMemory() => Interlocked.Exchange(ref peakBytes, AllocatedBytes);

    /// <summary>The stream used by the convenience methods of the accelerator and of <see cref="MemoryBuffer{T}"/>.</summary>
    public AcceleratorStream DefaultStream
    {
        get
        {
            ThrowIfDisposed();
            if (defaultStream is null)
            {
                lock (gate)
                {
                    defaultStream ??= CreateStream();
                }
            }
            return defaultStream;
        }
    }

    /// <summary>Allocates <paramref name="length"/> elements (contents undefined).</summary>
    public MemoryBuffer<T> Allocate<T>(int length) where T : unmanaged
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long bytes = (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var memory = AllocateCore(bytes);
        lock (gate)
        {
            liveMemory.Add(memory);
        }
        long now = Interlocked.Add(ref allocatedBytes, bytes);
        long peak;
        while (now > (peak = Interlocked.Read(ref peakBytes)) && Interlocked.CompareExchange(ref peakBytes, now, peak) != peak)
        {
        }
        return new MemoryBuffer<T>(memory, length);
    }

    /// <summary>Allocates a buffer holding a copy of <paramref name="data"/>.</summary>
    public MemoryBuffer<T> Allocate<T>(ReadOnlySpan<T> data) where T : unmanaged
    {
        var buffer = Allocate<T>(data.Length);
        try
        {
            buffer.CopyFromHost(data);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        return buffer;
    }

    /// <summary>Creates an independent stream (queue) of commands on this device.</summary>
    public AcceleratorStream CreateStream()
    {
        ThrowIfDisposed();
        var stream = CreateStreamCore();
        lock (gate)
        {
            streams.Add(stream);
        }
        return stream;
    }

    /// <summary>Builds <paramref name="kernel"/> for this device, or returns the already built one.</summary>
    /// <exception cref="KernelCompilationException">The driver rejected the generated source.</exception>
    public CompiledKernel LoadKernel(KernelDescriptor kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ThrowIfDisposed();
        var lazy = kernels.GetOrAdd(kernel, k => new Lazy<CompiledKernel>(() => CompileCore(k), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A failed build is not cached: the next call reports the error again.
            kernels.TryRemove(new KeyValuePair<KernelDescriptor, Lazy<CompiledKernel>>(kernel, lazy));
            throw;
        }
    }

    /// <summary>Launches <paramref name="kernel"/> on the default stream (asynchronously on device backends).</summary>
    public void Launch(KernelDescriptor kernel, LaunchDims dims, params object?[] args) => DefaultStream.Launch(kernel, dims, args);

    /// <summary>Waits until every stream of this accelerator finished its work.</summary>
    public void Synchronize()
    {
        ThrowIfDisposed();
        AcceleratorStream[] all;
        lock (gate)
        {
            all = [.. streams];
        }
        foreach (var s in all)
        {
            if (!s.IsDisposed)
            {
                s.Synchronize();
            }
        }
    }

    /// <summary>The group size used when a launch gives none. Backends refine it per device class.</summary>
    protected internal virtual Index3D ChooseGroupSize(CompiledKernel kernel, Index3D global)
    {
        int max = Math.Min(kernel.MaxGroupSize, Device.MaxGroupSize);
        if (global.Z > 1)
        {
            return Fit(new Index3D(8, 8, 4), max);
        }
        if (global.Y > 1)
        {
            return Fit(new Index3D(16, 16, 1), max);
        }
        return new Index3D(Math.Min(256, max), 1, 1);

        static Index3D Fit(Index3D g, int max)
        {
            while (g.Size > max)
            {
                g = g.X >= g.Y ? g with { X = Math.Max(1, g.X / 2) } : g with { Y = Math.Max(1, g.Y / 2) };
            }
            return g;
        }
    }

    /// <summary>Allocates <paramref name="bytes"/> bytes; throws <see cref="DeviceOutOfMemoryException"/> when the device has too little.</summary>
    protected abstract DeviceMemory AllocateCore(long bytes);

    /// <summary>Creates a backend stream.</summary>
    protected abstract AcceleratorStream CreateStreamCore();

    /// <summary>Builds a kernel; throws <see cref="KernelCompilationException"/> with the log on failure.</summary>
    protected abstract CompiledKernel CompileCore(KernelDescriptor kernel);

    /// <summary>Releases backend state after all buffers, kernels and streams were released.</summary>
    protected virtual void DisposeCore()
    {
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>.</summary>
    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    internal void OnMemoryFreed(DeviceMemory memory)
    {
        bool removed;
        lock (gate)
        {
            removed = liveMemory.Remove(memory);
        }
        if (removed)
        {
            Interlocked.Add(ref allocatedBytes, -memory.SizeInBytes);
        }
    }

    internal void OnStreamDisposed(AcceleratorStream stream)
    {
        lock (gate)
        {
            streams.Remove(stream);
        }
    }

    /// <summary>Frees every buffer, kernel and stream created through this accelerator, then the device context.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        DeviceMemory[] memory;
        AcceleratorStream[] all;
        lock (gate)
        {
            memory = [.. liveMemory];
            all = [.. streams];
        }
        foreach (var s in all)
        {
            s.Dispose();
        }
        foreach (var m in memory)
        {
            m.Dispose();
        }
        foreach (var k in kernels.Values)
        {
            if (k.IsValueCreated)
            {
                k.Value.Dispose();
            }
        }
        kernels.Clear();
        DisposeCore();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => Device.ToString();
}
