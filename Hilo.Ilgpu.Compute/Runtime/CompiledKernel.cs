namespace Hilo.Ilgpu.Compute;

/// <summary>A kernel built for one accelerator; cached by the accelerator per descriptor.</summary>
public abstract class CompiledKernel : IDisposable
{
    /// <summary>Creates the compiled kernel.</summary>
    protected CompiledKernel(Accelerator accelerator, KernelDescriptor descriptor, int maxGroupSize, TimeSpan buildTime, bool fromDiskCache)
    {
        Accelerator = accelerator;
        Descriptor = descriptor;
        MaxGroupSize = maxGroupSize;
        BuildTime = buildTime;
        FromDiskCache = fromDiskCache;
    }

    /// <summary>The accelerator it was built for.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The kernel.</summary>
    public KernelDescriptor Descriptor { get; }

    /// <summary>Largest group size this kernel can be launched with on this device.</summary>
    public int MaxGroupSize { get; }

    /// <summary>Wall time the build (or the load from the on-disk cache) took.</summary>
    public TimeSpan BuildTime { get; }

    /// <summary>True when the binary came from the on-disk kernel cache.</summary>
    public bool FromDiskCache { get; }

    /// <summary>Releases native resources.</summary>
    public void Dispose()
    {
        DisposeCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases native resources.</summary>
    protected virtual void DisposeCore()
    {
    }
}

/// <summary>A point in a stream's command sequence, timestamped on the device (for benchmarks).</summary>
public abstract class AcceleratorEvent : IDisposable
{
    /// <summary>Milliseconds of device time between <paramref name="start"/> and this event; waits for this event to complete.</summary>
    public abstract double ElapsedMillisecondsSince(AcceleratorEvent start);

    /// <summary>Releases native resources.</summary>
    public void Dispose()
    {
        DisposeCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases native resources.</summary>
    protected virtual void DisposeCore()
    {
    }
}
