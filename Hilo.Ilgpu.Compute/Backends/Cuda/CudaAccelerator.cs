namespace Hilo.Ilgpu.Compute.Cuda;

/// <summary>
/// A CUDA device opened through its primary context (the one the CUDA runtime and other libraries share).
/// The context is made current on the calling thread before every driver call, so any thread may use the
/// accelerator; <c>cuCtxSetCurrent</c> only swaps a thread-local pointer.
/// </summary>
internal sealed unsafe class CudaAccelerator : Accelerator
{
    private readonly HashSet<CudaEvent> events = [];
    private readonly Lock eventGate = new();
    private readonly int device;
    private readonly nint context;
    private int contextReleased;

    public CudaAccelerator(CudaRuntime runtime, DeviceInfo info) : base(info)
    {
        Runtime = runtime;
        Label = $"{info.Id} ({info.Name})";
        int dev = 0;
        Api.Check(Api.cuDeviceGet(&dev, info.BackendIndex), "cuDeviceGet", Label);
        device = dev;
        nint ctx = 0;
        Api.Check(Api.cuDevicePrimaryCtxRetain(&ctx, device), "cuDevicePrimaryCtxRetain", Label);
        context = ctx;
        try
        {
            Bind();
            int major = Attribute(CudaDriverApi.AttrComputeCapabilityMajor);
            int minor = Attribute(CudaDriverApi.AttrComputeCapabilityMinor);
            ComputeCapability = major * 10 + minor;
            MaxBlock = new Index3D(Attribute(CudaDriverApi.AttrMaxBlockDimX), Attribute(CudaDriverApi.AttrMaxBlockDimY), Attribute(CudaDriverApi.AttrMaxBlockDimZ));
            MaxGrid = new Index3D(Attribute(CudaDriverApi.AttrMaxGridDimX), Attribute(CudaDriverApi.AttrMaxGridDimY), Attribute(CudaDriverApi.AttrMaxGridDimZ));
        }
        catch
        {
            Api.cuDevicePrimaryCtxRelease(device);
            throw;
        }
    }

    /// <summary>The loaded driver and NVRTC.</summary>
    public CudaRuntime Runtime { get; }

    /// <summary>The driver API.</summary>
    public CudaDriverApi Api => Runtime.Driver;

    /// <summary>"cuda:N (name)", for messages.</summary>
    public string Label { get; }

    /// <summary>Compute capability as 10*major + minor (e.g. 90 for sm_90).</summary>
    public int ComputeCapability { get; }

    /// <summary>Largest block extent per dimension.</summary>
    public Index3D MaxBlock { get; }

    /// <summary>Largest grid extent (in blocks) per dimension.</summary>
    public Index3D MaxGrid { get; }

    /// <summary>Makes this accelerator's context current on the calling thread.</summary>
    public void Bind() => Check(Api.cuCtxSetCurrent(context), "cuCtxSetCurrent");

    /// <summary>Binds the context, ignoring failures: for release paths, which must not throw.</summary>
    public bool TryBind() =>
        Volatile.Read(ref contextReleased) == 0 && Api.cuCtxSetCurrent(context) == CudaDriverApi.CUDA_SUCCESS;

    /// <summary>Throws <see cref="DeviceException"/> for a failed driver call.</summary>
    public void Check(int result, string call) => Api.Check(result, call, Label);

    protected override DeviceMemory AllocateCore(long bytes)
    {
        if (bytes == 0)
        {
            return new CudaMemory(this, 0, 0);
        }
        Bind();
        ulong pointer = 0;
        int result = Api.cuMemAlloc_v2(&pointer, (nuint)bytes);
        if (result == CudaDriverApi.CUDA_ERROR_OUT_OF_MEMORY)
        {
            throw new DeviceOutOfMemoryException(bytes, Label, "cuMemAlloc_v2: " + Api.ErrorName(result));
        }
        Check(result, "cuMemAlloc_v2");
        return new CudaMemory(this, bytes, pointer);
    }

    protected override AcceleratorStream CreateStreamCore() => new CudaStream(this);

    protected override CompiledKernel CompileCore(KernelDescriptor kernel) => CudaKernelBuilder.Build(this, kernel);

    internal void OnEventCreated(CudaEvent e)
    {
        lock (eventGate)
        {
            events.Add(e);
        }
    }

    internal void OnEventDisposed(CudaEvent e)
    {
        lock (eventGate)
        {
            events.Remove(e);
        }
    }

    protected override void DisposeCore()
    {
        CudaEvent[] remaining;
        lock (eventGate)
        {
            remaining = [.. events];
        }
        foreach (var e in remaining)
        {
            e.Dispose();
        }
        // Streams, memory and modules are gone (the base class released them); the context goes last.
        if (Interlocked.Exchange(ref contextReleased, 1) == 0)
        {
            Api.cuDevicePrimaryCtxRelease(device);
        }
    }

    private int Attribute(int attribute)
    {
        int value = 0;
        Check(Api.cuDeviceGetAttribute(&value, attribute, device), $"cuDeviceGetAttribute({attribute})");
        return value;
    }
}

/// <summary>One <c>cuMemAlloc_v2</c> allocation; <see cref="Pointer"/> is 0 for zero-byte buffers.</summary>
internal sealed class CudaMemory : DeviceMemory
{
    private readonly CudaAccelerator owner;

    public CudaMemory(CudaAccelerator accelerator, long bytes, ulong pointer) : base(accelerator, bytes, 0)
    {
        owner = accelerator;
        Pointer = pointer;
    }

    /// <summary>The <c>CUdeviceptr</c> of the allocation's first byte.</summary>
    public ulong Pointer { get; }

    protected override unsafe void FreeCore()
    {
        // Freeing must not throw (it runs from Dispose); after a sticky device error the call fails and the
        // memory goes with the context.
        if (Pointer != 0 && owner.TryBind())
        {
            owner.Api.cuMemFree_v2(Pointer);
        }
    }
}
