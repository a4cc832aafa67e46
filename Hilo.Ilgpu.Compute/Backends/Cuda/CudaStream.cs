namespace Hilo.Ilgpu.Compute.Cuda;

/// <summary>
/// A CUDA stream (<c>CU_STREAM_NON_BLOCKING</c>: no implicit ordering with the legacy default stream of other
/// libraries in the process). Launches, device copies and fills are queued; host copies are queued on this
/// stream and then waited for, so they follow earlier commands and return when done.
/// </summary>
internal sealed unsafe class CudaStream : AcceleratorStream
{
    private readonly CudaAccelerator owner;

    public CudaStream(CudaAccelerator accelerator) : base(accelerator)
    {
        owner = accelerator;
        accelerator.Bind();
        nint stream = 0;
        accelerator.Check(Api.cuStreamCreate(&stream, CudaDriverApi.StreamNonBlocking), "cuStreamCreate");
        Handle = stream;
    }

    /// <summary>The <c>CUstream</c>.</summary>
    public nint Handle { get; }

    private CudaDriverApi Api => owner.Api;

    protected override void LaunchCore(CompiledKernel kernel, Index3D global, Index3D group, object?[] args)
    {
        var compiled = (CudaCompiledKernel)kernel;
        var grid = CudaLaunchShape.Grid(global, group, owner.MaxBlock, owner.MaxGrid, kernel.Descriptor.Name, owner.Device.Id);
        var packer = new CudaArgumentPacker(CudaArgumentPacker.PointerOf);
        kernel.Descriptor.WriteArguments(args, packer);
        packer.Scalar(global.X);
        packer.Scalar(global.Y);
        packer.Scalar(global.Z);

        owner.Bind();
        int count = packer.Count;
        // cuLaunchKernel copies each argument from kernelParams[i] before it returns: the pinned buffer and the
        // pointer array only need to live for the call.
        void** parameters = stackalloc void*[Math.Max(count, 1)];
        fixed (byte* data = packer.Buffer)
        {
            for (int i = 0; i < count; i++)
            {
                parameters[i] = data + packer.Offsets[i];
            }
            owner.Check(Api.cuLaunchKernel(compiled.Function,
                (uint)grid.X, (uint)grid.Y, (uint)grid.Z,
                (uint)group.X, (uint)group.Y, (uint)group.Z,
                0, Handle, parameters, null), $"cuLaunchKernel({kernel.Descriptor.EntryPoint})");
        }
    }

    protected override void CopyFromHostCore(DeviceMemory destination, long destinationOffsetBytes, ReadOnlySpan<byte> source)
    {
        owner.Bind();
        ulong target = Pointer(destination) + (ulong)destinationOffsetBytes;
        fixed (byte* host = source)
        {
            // The host span is pageable and managed: wait for the copy before unpinning it.
            owner.Check(Api.cuMemcpyHtoDAsync_v2(target, host, (nuint)source.Length, Handle), "cuMemcpyHtoDAsync_v2");
            owner.Check(Api.cuStreamSynchronize(Handle), "cuStreamSynchronize (after a host-to-device copy)");
        }
    }

    protected override void CopyToHostCore(DeviceMemory source, long sourceOffsetBytes, Span<byte> destination)
    {
        owner.Bind();
        ulong from = Pointer(source) + (ulong)sourceOffsetBytes;
        fixed (byte* host = destination)
        {
            owner.Check(Api.cuMemcpyDtoHAsync_v2(host, from, (nuint)destination.Length, Handle), "cuMemcpyDtoHAsync_v2");
            owner.Check(Api.cuStreamSynchronize(Handle), "cuStreamSynchronize (after a device-to-host copy)");
        }
    }

    protected override void CopyCore(DeviceMemory source, long sourceOffsetBytes, DeviceMemory destination, long destinationOffsetBytes, long bytes)
    {
        owner.Bind();
        owner.Check(Api.cuMemcpyDtoDAsync_v2(Pointer(destination) + (ulong)destinationOffsetBytes,
            Pointer(source) + (ulong)sourceOffsetBytes, (nuint)bytes, Handle), "cuMemcpyDtoDAsync_v2");
    }

    protected override void FillCore(DeviceMemory destination, long offsetBytes, long bytes, ReadOnlySpan<byte> pattern)
    {
        owner.Bind();
        ulong start = Pointer(destination) + (ulong)offsetBytes;
        var (unit, value) = CudaFillPlan.For(pattern);
        switch (unit)
        {
            case 1:
                owner.Check(Api.cuMemsetD8Async(start, (byte)value, (nuint)bytes, Handle), "cuMemsetD8Async");
                return;
            case 2:
                owner.Check(Api.cuMemsetD16Async(start, (ushort)value, (nuint)(bytes / 2), Handle), "cuMemsetD16Async");
                return;
            case 4:
                owner.Check(Api.cuMemsetD32Async(start, value, (nuint)(bytes / 4), Handle), "cuMemsetD32Async");
                return;
        }
        // Other pattern sizes: copy one staged chunk in, then double the filled prefix on the device.
        var staging = CudaFillPlan.Staging(pattern, bytes);
        fixed (byte* host = staging)
        {
            owner.Check(Api.cuMemcpyHtoDAsync_v2(start, host, (nuint)staging.Length, Handle), "cuMemcpyHtoDAsync_v2 (fill)");
            owner.Check(Api.cuStreamSynchronize(Handle), "cuStreamSynchronize (fill)");
        }
        long filled = staging.Length;
        while (filled < bytes)
        {
            long n = Math.Min(filled, bytes - filled);
            owner.Check(Api.cuMemcpyDtoDAsync_v2(start + (ulong)filled, start, (nuint)n, Handle), "cuMemcpyDtoDAsync_v2 (fill)");
            filled += n;
        }
    }

    protected override AcceleratorEvent RecordEventCore() => new CudaEvent(owner, Handle);

    protected override void SynchronizeCore()
    {
        owner.Bind();
        owner.Check(Api.cuStreamSynchronize(Handle), "cuStreamSynchronize");
    }

    protected override void DisposeCore()
    {
        if (owner.TryBind())
        {
            Api.cuStreamSynchronize(Handle);
            Api.cuStreamDestroy_v2(Handle);
        }
    }

    private static ulong Pointer(DeviceMemory memory) => ((CudaMemory)memory).Pointer;
}

/// <summary>A <c>CUevent</c> recorded on a stream (created with timing enabled).</summary>
internal sealed unsafe class CudaEvent : AcceleratorEvent
{
    private readonly CudaAccelerator owner;
    private int disposed;

    public CudaEvent(CudaAccelerator accelerator, nint stream)
    {
        owner = accelerator;
        accelerator.Bind();
        nint e = 0;
        accelerator.Check(accelerator.Api.cuEventCreate(&e, CudaDriverApi.EventDefault), "cuEventCreate");
        Handle = e;
        int result = accelerator.Api.cuEventRecord(e, stream);
        if (result != CudaDriverApi.CUDA_SUCCESS)
        {
            accelerator.Api.cuEventDestroy_v2(e);
            accelerator.Check(result, "cuEventRecord");
        }
        accelerator.OnEventCreated(this);
    }

    /// <summary>The <c>CUevent</c>.</summary>
    public nint Handle { get; }

    public override double ElapsedMillisecondsSince(AcceleratorEvent start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (start is not CudaEvent s || s.owner != owner)
        {
            throw new ArgumentException("Both events must come from the same CUDA accelerator.", nameof(start));
        }
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref s.disposed) != 0, s);
        owner.Bind();
        owner.Check(owner.Api.cuEventSynchronize(s.Handle), "cuEventSynchronize");
        owner.Check(owner.Api.cuEventSynchronize(Handle), "cuEventSynchronize");
        float ms = 0;
        owner.Check(owner.Api.cuEventElapsedTime(&ms, s.Handle, Handle), "cuEventElapsedTime");
        return ms;
    }

    protected override void DisposeCore()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        if (owner.TryBind())
        {
            owner.Api.cuEventDestroy_v2(Handle);
        }
        owner.OnEventDisposed(this);
    }
}
