namespace Hilo.Ilgpu.Compute;

/// <summary>
/// One raw allocation on a device. Backends subclass it to hold their native handle (host pointer,
/// <c>cl_mem</c>, <c>CUdeviceptr</c>); users hold it through <see cref="MemoryBuffer{T}"/>.
/// </summary>
public abstract class DeviceMemory : IDisposable
{
    private int disposed;

    /// <summary>Registers the allocation with its accelerator.</summary>
    protected DeviceMemory(Accelerator accelerator, long sizeInBytes, nint hostPointer)
    {
        Accelerator = accelerator;
        SizeInBytes = sizeInBytes;
        HostPointer = hostPointer;
    }

    /// <summary>The accelerator that owns this memory.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>Size in bytes.</summary>
    public long SizeInBytes { get; }

    /// <summary>Host address of the memory on the managed CPU backend; 0 elsewhere.</summary>
    internal nint HostPointer { get; }

    /// <summary>True once freed (by <see cref="Dispose()"/> or by disposing the accelerator).</summary>
    public bool IsDisposed => Volatile.Read(ref disposed) != 0;

    /// <summary>Throws <see cref="ObjectDisposedException"/> if freed.</summary>
    public void EnsureNotDisposed()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
    }

    /// <summary>Frees the memory (idempotent).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            FreeCore();
            Accelerator.OnMemoryFreed(this);
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the native allocation.</summary>
    protected abstract void FreeCore();
}

/// <summary>A typed buffer of <typeparamref name="T"/> on one accelerator.</summary>
/// <typeparam name="T">Element type.</typeparam>
public sealed class MemoryBuffer<T> : IDisposable where T : unmanaged
{
    internal MemoryBuffer(DeviceMemory memory, int length)
    {
        Memory = memory;
        Length = length;
    }

    /// <summary>The raw allocation.</summary>
    public DeviceMemory Memory { get; }

    /// <summary>The accelerator that owns the buffer.</summary>
    public Accelerator Accelerator => Memory.Accelerator;

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>A view of the whole buffer, to pass to kernels and copies.</summary>
    public ArrayView<T> View
    {
        get
        {
            Memory.EnsureNotDisposed();
            return new ArrayView<T>(Memory, Memory.HostPointer, 0, Length);
        }
    }

    /// <summary>Copies <paramref name="source"/> into the start of the buffer (blocking) on the default stream.</summary>
    public void CopyFromHost(ReadOnlySpan<T> source) => Accelerator.DefaultStream.CopyFromHost(source, View.SubView(0, source.Length));

    /// <summary>Copies the start of the buffer into <paramref name="destination"/> (blocking) on the default stream.</summary>
    public void CopyToHost(Span<T> destination) => Accelerator.DefaultStream.CopyToHost(View.SubView(0, destination.Length), destination);

    /// <summary>The buffer's contents as a new array (blocking).</summary>
    public T[] ToArray()
    {
        var result = new T[Length];
        CopyToHost(result);
        return result;
    }

    /// <summary>Sets every element to <paramref name="value"/> on the default stream.</summary>
    public void Fill(T value) => Accelerator.DefaultStream.Fill(View, value);

    /// <summary>Frees the buffer.</summary>
    public void Dispose() => Memory.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"MemoryBuffer<{typeof(T).Name}>[{Length}] on {Accelerator.Device.Id}";
}
