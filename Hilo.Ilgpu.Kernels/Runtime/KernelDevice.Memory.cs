using System.Globalization;
using ILGPU;
using ILGPU.Runtime;

namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>Allocation (pooled), host copies and memory counters.</summary>
public sealed partial class KernelDevice
{
    private readonly BufferPool pool;
    private long allocatedBytes;
    private long peakBytes;

    /// <summary>Bytes of live <see cref="DeviceBuffer"/>s of this device (kept pool blocks not counted).</summary>
    public long AllocatedBytes => Interlocked.Read(ref allocatedBytes);

    /// <summary>Device memory not held by live buffers: the device's global memory less <see cref="AllocatedBytes"/> (what size checks compare against).</summary>
    public long FreeBytes => Info.GlobalMemoryBytes - AllocatedBytes;

    /// <summary>Largest <see cref="AllocatedBytes"/> seen since the device was opened or <see cref="ResetPeakMemory"/>.</summary>
    public long PeakAllocatedBytes => Interlocked.Read(ref peakBytes);

    /// <summary>Bytes of freed buffers kept for reuse.</summary>
    public long PooledBytes => pool.KeptBytes;

    /// <summary>Starts a new peak-memory measurement from the current allocation.</summary>
    public void ResetPeakMemory() => Interlocked.Exchange(ref peakBytes, AllocatedBytes);

    /// <summary>
    /// A buffer of <paramref name="length"/> floats (contents undefined). Freed buffers of 1 MiB or more are kept and
    /// handed out again for the same size (a model allocates the same intermediates on every forward pass; fresh memory
    /// costs page faults on the CPU and driver allocations on GPUs). Safe because every op of a device runs on its one
    /// in-order <see cref="Stream"/>.
    /// </summary>
    /// <exception cref="DeviceOutOfMemoryException">The device has too little free memory.</exception>
    public DeviceBuffer Allocate(long length)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long bytes = length * sizeof(float);
        var buffer = pool.Take(bytes) ?? AllocateNew(length, bytes);
        long now = Interlocked.Add(ref allocatedBytes, bytes);
        long peak;
        while (now > (peak = Interlocked.Read(ref peakBytes)) && Interlocked.CompareExchange(ref peakBytes, now, peak) != peak)
        {
        }
        return new DeviceBuffer(this, buffer, length);
    }

    /// <summary>A buffer holding a copy of <paramref name="data"/>.</summary>
    public DeviceBuffer Upload(ReadOnlySpan<float> data)
    {
        var buffer = Allocate(data.Length);
        try
        {
            CopyFromHost(data, buffer.View);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        return buffer;
    }

    /// <summary>Copies <paramref name="data"/> into <paramref name="target"/> (same length), in order with queued work.</summary>
    public void CopyFromHost(ReadOnlySpan<float> data, ArrayView<float> target)
    {
        if (data.Length != target.Length)
        {
            throw new ArgumentException($"Copying {data.Length} host values into a device view of {target.Length}: the lengths must match.");
        }
        if (data.Length > 0)
        {
            target.CopyFromCPU(Stream, data);
        }
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="data"/> (same length); waits for queued work first.</summary>
    public void CopyToHost(ArrayView<float> source, Span<float> data)
    {
        if (data.Length != source.Length)
        {
            throw new ArgumentException($"Copying a device view of {source.Length} values into {data.Length} host values: the lengths must match.");
        }
        if (data.Length > 0)
        {
            source.CopyToCPU(Stream, data);
        }
        Stream.Synchronize();
    }

    private MemoryBuffer1D<float, Stride1D.Dense> AllocateNew(long length, long bytes)
    {
        try
        {
            // ILGPU allocates at least one element, so an empty tensor still has a valid (empty) view.
            return Accelerator.Allocate1D<float>(Math.Max(length, 1));
        }
        catch (Exception ex) when (ex is OutOfMemoryException or AcceleratorException or InsufficientMemoryException)
        {
            // Kept blocks may be what is missing: release them and try once more.
            if (pool.KeptBytes > 0)
            {
                pool.Clear();
                try
                {
                    return Accelerator.Allocate1D<float>(Math.Max(length, 1));
                }
                catch (Exception again) when (again is OutOfMemoryException or AcceleratorException or InsufficientMemoryException)
                {
                    ex = again;
                }
            }
            throw new DeviceOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"Allocating {bytes:N0} bytes on {Info.Id} ({Info.Name}, {Info.GlobalMemoryBytes:N0} bytes) failed with {AllocatedBytes:N0} bytes in use: {ex.Message}"), ex);
        }
    }

    internal void OnFreed(MemoryBuffer1D<float, Stride1D.Dense> buffer, long length)
    {
        Interlocked.Add(ref allocatedBytes, -length * sizeof(float));
        if (Volatile.Read(ref disposed) != 0)
        {
            buffer.Dispose();
            return;
        }
        pool.Return(buffer, length * sizeof(float));
    }

    /// <summary>Freed buffers kept by size (see <see cref="Allocate"/>).</summary>
    private sealed class BufferPool(KernelDevice device) : IDisposable
    {
        /// <summary>Smallest buffer kept (1 MiB): malloc and drivers reuse smaller ones cheaply.</summary>
        public const long MinimumBytes = 1 << 20;

        private readonly Dictionary<long, Stack<MemoryBuffer1D<float, Stride1D.Dense>>> free = [];
        private readonly Lock gate = new();
        private readonly long capacity = CapacityFromEnvironment();
        private long kept;

        public long KeptBytes
        {
            get
            {
                lock (gate)
                {
                    return kept;
                }
            }
        }

        public MemoryBuffer1D<float, Stride1D.Dense>? Take(long bytes)
        {
            if (bytes < MinimumBytes)
            {
                return null;
            }
            lock (gate)
            {
                if (free.TryGetValue(bytes, out var stack) && stack.Count > 0)
                {
                    kept -= bytes;
                    return stack.Pop();
                }
            }
            return null;
        }

        public void Return(MemoryBuffer1D<float, Stride1D.Dense> buffer, long bytes)
        {
            lock (gate)
            {
                if (bytes >= MinimumBytes && kept + bytes <= capacity)
                {
                    if (!free.TryGetValue(bytes, out var stack))
                    {
                        free[bytes] = stack = new Stack<MemoryBuffer1D<float, Stride1D.Dense>>();
                    }
                    stack.Push(buffer);
                    kept += bytes;
                    return;
                }
            }
            buffer.Dispose();
        }

        public void Clear()
        {
            List<MemoryBuffer1D<float, Stride1D.Dense>> all;
            lock (gate)
            {
                all = [.. free.Values.SelectMany(s => s)];
                free.Clear();
                kept = 0;
            }
            // Queued kernels may still use a kept buffer: wait before freeing.
            device.Stream.Synchronize();
            foreach (var b in all)
            {
                b.Dispose();
            }
        }

        public void Dispose() => Clear();

        private static long CapacityFromEnvironment()
        {
            string? text = Environment.GetEnvironmentVariable("HILO_MEMORY_CACHE_MB");
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long mb) ? mb << 20 : 2048L << 20;
        }
    }
}

/// <summary>
/// A float buffer on a <see cref="KernelDevice"/> (from its pool). <see cref="View"/> is an ILGPU view that ILGPU
/// kernels take directly; on the CPU accelerator it is host memory the CPU family works on in place.
/// </summary>
public sealed class DeviceBuffer : IDisposable
{
    private MemoryBuffer1D<float, Stride1D.Dense>? buffer;

    internal DeviceBuffer(KernelDevice device, MemoryBuffer1D<float, Stride1D.Dense> buffer, long length)
    {
        Device = device;
        this.buffer = buffer;
        Length = length;
        View = buffer.AsContiguous().SubView(0, length);
    }

    /// <summary>The device holding the buffer.</summary>
    public KernelDevice Device { get; }

    /// <summary>Number of floats.</summary>
    public long Length { get; }

    /// <summary>The elements, for kernel launches.</summary>
    public ArrayView<float> View { get; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => buffer is null;

    /// <summary>Returns the memory to the device (its pool, or the driver).</summary>
    public void Dispose()
    {
        var b = Interlocked.Exchange(ref buffer, null);
        if (b is not null)
        {
            Device.OnFreed(b, Length);
        }
    }
}
