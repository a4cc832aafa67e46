using static Hilo.Ilgpu.Compute.OpenCL.OpenCLNative;

namespace Hilo.Ilgpu.Compute.OpenCL;

/// <summary>One in-order OpenCL command queue with profiling enabled (for <see cref="RecordEventCore"/>).</summary>
internal sealed unsafe class OpenCLStream : AcceleratorStream
{
    /// <summary>Fills whose pattern size OpenCL does not accept are written through a host staging block of about this size.</summary>
    private const int StagingBytes = 64 * 1024;

    private readonly OpenCLAccelerator device;
    private readonly nint queue;

    public OpenCLStream(OpenCLAccelerator accelerator) : base(accelerator)
    {
        device = accelerator;
        int error;
        queue = clCreateCommandQueue(accelerator.Context, accelerator.DeviceHandle, CL_QUEUE_PROFILING_ENABLE, &error);
        OpenCLLibrary.Check(error, "clCreateCommandQueue");
    }

    protected override void LaunchCore(CompiledKernel kernel, Index3D global, Index3D group, object?[] args)
    {
        var compiled = (OpenCLKernel)kernel;
        var limits = device.MaxWorkItemSizes;
        if (group.X > limits[0] || group.Y > limits[1] || group.Z > limits[2])
        {
            throw new KernelArgumentException(
                $"Group size {group} of kernel {kernel.Descriptor.Name} exceeds the per-dimension maximum ({limits[0]}, {limits[1]}, {limits[2]}) of {device.Describe()}.");
        }
        uint dims = global.Z > 1 || group.Z > 1 ? 3u : global.Y > 1 || group.Y > 1 ? 2u : 1u;
        nuint* globalSize = stackalloc nuint[] { RoundUp(global.X, group.X), RoundUp(global.Y, group.Y), RoundUp(global.Z, group.Z) };
        nuint* groupSize = stackalloc nuint[] { (nuint)group.X, (nuint)group.Y, (nuint)group.Z };
        int error;
        lock (compiled.LaunchLock)
        {
            var writer = compiled.Arguments;
            writer.Reset();
            compiled.Descriptor.WriteArguments(args, writer);
            writer.Scalar(global.X);
            writer.Scalar(global.Y);
            writer.Scalar(global.Z);
            if (writer.Count != compiled.ArgumentCount)
            {
                throw new DeviceException(
                    $"Kernel {compiled.Descriptor.Name}: its OpenCL entry point takes {compiled.ArgumentCount} arguments, but the ABI expansion of its " +
                    $"parameters gives {writer.Count} (docs/internals/kernel-abi.md §2); the generated source does not match its descriptor.");
            }
            error = clEnqueueNDRangeKernel(queue, compiled.Handle, dims, null, globalSize, groupSize, 0, null, null);
        }
        if (OpenCLLibrary.IsOutOfMemory(error))
        {
            // Many drivers allocate buffers lazily, so running out shows up at the first launch that uses them.
            throw new DeviceOutOfMemoryException(OpenCLArgumentWriter.BufferBytes(compiled.Descriptor, args), device.Describe(),
                $"clEnqueueNDRangeKernel({compiled.Descriptor.Name}): {OpenCLLibrary.ErrorName(error)}; the bytes are those of the launch's buffers");
        }
        OpenCLLibrary.Check(error, $"clEnqueueNDRangeKernel({compiled.Descriptor.Name}, global {global}, group {group})");
        // Start the work now rather than at the next blocking call, so streams overlap and timings are honest.
        OpenCLLibrary.Check(clFlush(queue), "clFlush");
    }

    private static nuint RoundUp(int size, int group) => ((nuint)size + (nuint)group - 1) / (nuint)group * (nuint)group;

    protected override void CopyFromHostCore(DeviceMemory destination, long destinationOffsetBytes, ReadOnlySpan<byte> source)
    {
        int error;
        fixed (byte* p = source)
        {
            error = clEnqueueWriteBuffer(queue, Handle(destination), 1, (nuint)destinationOffsetBytes, (nuint)source.Length, p, 0, null, null);
        }
        CheckTransfer(error, "clEnqueueWriteBuffer", destination);
    }

    protected override void CopyToHostCore(DeviceMemory source, long sourceOffsetBytes, Span<byte> destination)
    {
        int error;
        fixed (byte* p = destination)
        {
            error = clEnqueueReadBuffer(queue, Handle(source), 1, (nuint)sourceOffsetBytes, (nuint)destination.Length, p, 0, null, null);
        }
        CheckTransfer(error, "clEnqueueReadBuffer", source);
    }

    protected override void CopyCore(DeviceMemory source, long sourceOffsetBytes, DeviceMemory destination, long destinationOffsetBytes, long bytes)
    {
        bool overlap = source == destination && sourceOffsetBytes < destinationOffsetBytes + bytes && destinationOffsetBytes < sourceOffsetBytes + bytes;
        if (!overlap)
        {
            CheckTransfer(clEnqueueCopyBuffer(queue, Handle(source), Handle(destination), (nuint)sourceOffsetBytes, (nuint)destinationOffsetBytes, (nuint)bytes, 0, null, null),
                "clEnqueueCopyBuffer", destination);
            return;
        }
        // OpenCL forbids overlapping copies within one buffer (CL_MEM_COPY_OVERLAP); go through a temporary
        // buffer. Releasing it right away is fine: OpenCL frees it once the queued copies are done.
        int error;
        nint temp = clCreateBuffer(device.Context, CL_MEM_READ_WRITE, (nuint)bytes, null, &error);
        if (OpenCLLibrary.IsOutOfMemory(error) || error == CL_INVALID_BUFFER_SIZE)
        {
            throw new DeviceOutOfMemoryException(bytes, device.Describe(), "temporary buffer for an overlapping copy");
        }
        OpenCLLibrary.Check(error, "clCreateBuffer");
        try
        {
            CheckTransfer(clEnqueueCopyBuffer(queue, Handle(source), temp, (nuint)sourceOffsetBytes, 0, (nuint)bytes, 0, null, null), "clEnqueueCopyBuffer", source);
            CheckTransfer(clEnqueueCopyBuffer(queue, temp, Handle(destination), 0, (nuint)destinationOffsetBytes, (nuint)bytes, 0, null, null), "clEnqueueCopyBuffer", destination);
        }
        finally
        {
            clReleaseMemObject(temp);
        }
    }

    protected override void FillCore(DeviceMemory destination, long offsetBytes, long bytes, ReadOnlySpan<byte> pattern)
    {
        int n = pattern.Length;
        if (n is 1 or 2 or 4 or 8 or 16 or 32 or 64 or 128)
        {
            int error;
            fixed (byte* p = pattern)
            {
                error = clEnqueueFillBuffer(queue, Handle(destination), p, (nuint)n, (nuint)offsetBytes, (nuint)bytes, 0, null, null);
            }
            CheckTransfer(error, "clEnqueueFillBuffer", destination);
            return;
        }
        // Other pattern sizes: write a block of whole patterns from the host, then double the filled prefix
        // with device copies (source and destination ranges never overlap).
        long first = Math.Min(bytes, Math.Max(1, StagingBytes / n) * (long)n);
        var staging = new byte[first];
        for (int i = 0; i < first; i += n)
        {
            pattern.CopyTo(staging.AsSpan(i));
        }
        CopyFromHostCore(destination, offsetBytes, staging);
        long filled = first;
        nint handle = Handle(destination);
        while (filled < bytes)
        {
            long count = Math.Min(filled, bytes - filled);
            CheckTransfer(clEnqueueCopyBuffer(queue, handle, handle, (nuint)offsetBytes, (nuint)(offsetBytes + filled), (nuint)count, 0, null, null),
                "clEnqueueCopyBuffer", destination);
            filled += count;
        }
    }

    protected override AcceleratorEvent RecordEventCore()
    {
        nint evt;
        OpenCLLibrary.Check(clEnqueueMarkerWithWaitList(queue, 0, null, &evt), "clEnqueueMarkerWithWaitList");
        return new OpenCLEvent(evt);
    }

    protected override void SynchronizeCore()
    {
        int error = clFinish(queue);
        if (OpenCLLibrary.IsOutOfMemory(error))
        {
            throw new DeviceOutOfMemoryException(0, device.Describe(), $"clFinish: {OpenCLLibrary.ErrorName(error)} while running queued commands");
        }
        OpenCLLibrary.Check(error, "clFinish");
    }

    protected override void DisposeCore()
    {
        // Pending commands finish first; errors are moot now (they were or will be reported by Synchronize).
        clFinish(queue);
        clReleaseCommandQueue(queue);
    }

    internal static nint Handle(DeviceMemory memory) => ((OpenCLMemory)memory).Handle;

    private void CheckTransfer(int error, string call, DeviceMemory memory)
    {
        if (OpenCLLibrary.IsOutOfMemory(error))
        {
            throw new DeviceOutOfMemoryException(memory.SizeInBytes, device.Describe(),
                $"{call}: {OpenCLLibrary.ErrorName(error)}; the driver allocates buffers at first use");
        }
        OpenCLLibrary.Check(error, call);
    }
}
