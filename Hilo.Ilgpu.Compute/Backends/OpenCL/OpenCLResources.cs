using static Hilo.Ilgpu.Compute.OpenCL.OpenCLNative;

namespace Hilo.Ilgpu.Compute.OpenCL;

/// <summary>A <c>cl_mem</c> buffer. Views of it pass the whole buffer plus an element offset (no sub-buffers).</summary>
internal sealed unsafe class OpenCLMemory : DeviceMemory
{
    private OpenCLMemory(OpenCLAccelerator accelerator, long bytes, nint handle) : base(accelerator, bytes, 0) => Handle = handle;

    /// <summary>The <c>cl_mem</c>.</summary>
    public nint Handle { get; }

    public static OpenCLMemory Create(OpenCLAccelerator accelerator, long bytes)
    {
        if (bytes > accelerator.MaxAllocationBytes)
        {
            throw new DeviceOutOfMemoryException(bytes, accelerator.Describe(),
                $"larger than the device's largest allocation CL_DEVICE_MAX_MEM_ALLOC_SIZE = {accelerator.MaxAllocationBytes:N0} bytes");
        }
        nint kept = accelerator.Pool.Take(bytes);
        if (kept != 0)
        {
            return new OpenCLMemory(accelerator, bytes, kept);
        }
        int error;
        nint handle = clCreateBuffer(accelerator.Context, CL_MEM_READ_WRITE, (nuint)Math.Max(bytes, 1), null, &error);
        if (OpenCLLibrary.IsOutOfMemory(error) || error is CL_INVALID_BUFFER_SIZE or CL_OUT_OF_HOST_MEMORY)
        {
            throw new DeviceOutOfMemoryException(bytes, accelerator.Describe(), $"clCreateBuffer: {OpenCLLibrary.ErrorName(error)}");
        }
        OpenCLLibrary.Check(error, "clCreateBuffer");
        return new OpenCLMemory(accelerator, bytes, handle);
    }

    protected override void FreeCore() => ((OpenCLAccelerator)Accelerator).Pool.Return(Handle, SizeInBytes);
}

/// <summary>A built program and its kernel object.</summary>
internal sealed class OpenCLKernel : CompiledKernel
{
    public OpenCLKernel(OpenCLAccelerator accelerator, KernelDescriptor descriptor, nint program, nint kernel,
        int maxGroupSize, int preferredMultiple, int argumentCount, TimeSpan buildTime, bool fromDiskCache)
        : base(accelerator, descriptor, maxGroupSize, buildTime, fromDiskCache)
    {
        Program = program;
        Handle = kernel;
        PreferredGroupMultiple = preferredMultiple;
        ArgumentCount = argumentCount;
        Arguments = new OpenCLArgumentWriter(this);
    }

    /// <summary>The <c>cl_program</c>.</summary>
    public nint Program { get; }

    /// <summary>The <c>cl_kernel</c>.</summary>
    public nint Handle { get; }

    /// <summary>CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE.</summary>
    public int PreferredGroupMultiple { get; }

    /// <summary>CL_KERNEL_NUM_ARGS: C# parameters expanded per the ABI plus the three hidden ints.</summary>
    public int ArgumentCount { get; }

    /// <summary>
    /// Kernel arguments are state of the shared <c>cl_kernel</c>: setting them and enqueueing must happen
    /// under this lock, or two threads launching the same kernel could mix their arguments.
    /// </summary>
    public Lock LaunchLock { get; } = new();

    /// <summary>The argument writer of this kernel; use only under <see cref="LaunchLock"/>.</summary>
    public OpenCLArgumentWriter Arguments { get; }

    protected override void DisposeCore()
    {
        clReleaseKernel(Handle);
        clReleaseProgram(Program);
    }
}

/// <summary>A marker event on a profiling queue; its CL_PROFILING_COMMAND_END is the timestamp.</summary>
internal sealed unsafe class OpenCLEvent(nint handle) : AcceleratorEvent
{
    private nint handle = handle;

    public override double ElapsedMillisecondsSince(AcceleratorEvent start)
    {
        if (start is not OpenCLEvent begin)
        {
            throw new ArgumentException("Both events must come from the OpenCL backend.", nameof(start));
        }
        long startNs = begin.EndTimestamp();
        long endNs = EndTimestamp();
        return (endNs - startNs) / 1e6;
    }

    /// <summary>Waits for the marker, then reads its device end time in nanoseconds.</summary>
    private long EndTimestamp()
    {
        nint h = handle;
        ObjectDisposedException.ThrowIf(h == 0, this);
        OpenCLLibrary.Check(clWaitForEvents(1, &h), "clWaitForEvents");
        ulong ns;
        OpenCLLibrary.Check(clGetEventProfilingInfo(h, CL_PROFILING_COMMAND_END, sizeof(ulong), &ns, null), "clGetEventProfilingInfo(CL_PROFILING_COMMAND_END)");
        return (long)ns;
    }

    protected override void DisposeCore()
    {
        nint h = Interlocked.Exchange(ref handle, 0);
        if (h != 0)
        {
            clReleaseEvent(h);
        }
    }
}
