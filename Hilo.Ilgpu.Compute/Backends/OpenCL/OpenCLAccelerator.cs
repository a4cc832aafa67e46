using static Hilo.Ilgpu.Compute.OpenCL.OpenCLNative;

namespace Hilo.Ilgpu.Compute.OpenCL;

/// <summary>
/// An OpenCL device opened in its own context. Each stream is an in-order command queue with profiling
/// enabled; kernels are built from the generated OpenCL C (or loaded from the on-disk binary cache).
/// </summary>
internal sealed unsafe class OpenCLAccelerator : Accelerator
{
    private int streamCount;

    public OpenCLAccelerator(DeviceInfo device, nint platform, nint deviceHandle) : base(device)
    {
        DeviceHandle = deviceHandle;
        MaxAllocationBytes = (long)Math.Min(OpenCLInfo.Device<ulong>(deviceHandle, CL_DEVICE_MAX_MEM_ALLOC_SIZE), long.MaxValue);
        MaxWorkItemSizes = OpenCLInfo.MaxWorkItemSizes(deviceHandle);
        string extensions = OpenCLInfo.DeviceString(deviceHandle, CL_DEVICE_EXTENSIONS);
        SupportsDoubles = extensions.Split(' ').Contains("cl_khr_fp64");
        BuildOptions = ChooseBuildOptions(deviceHandle);

        nint* properties = stackalloc nint[] { CL_CONTEXT_PLATFORM, platform, 0 };
        int error;
        Context = clCreateContext(properties, 1, &deviceHandle, 0, 0, &error);
        OpenCLLibrary.Check(error, "clCreateContext");
    }

    /// <summary>The <c>cl_context</c>.</summary>
    public nint Context { get; }

    /// <summary>The <c>cl_device_id</c>.</summary>
    public nint DeviceHandle { get; }

    /// <summary>CL_DEVICE_MAX_MEM_ALLOC_SIZE: the largest single buffer.</summary>
    public long MaxAllocationBytes { get; }

    /// <summary>CL_DEVICE_MAX_WORK_ITEM_SIZES (X, Y, Z).</summary>
    public int[] MaxWorkItemSizes { get; }

    /// <summary>True when the device has <c>cl_khr_fp64</c>.</summary>
    public bool SupportsDoubles { get; }

    /// <summary>Options passed to <c>clBuildProgram</c> (see docs/internals/kernel-abi.md §3).</summary>
    public string BuildOptions { get; }

    /// <summary>"opencl:N (device name)", for messages.</summary>
    public string Describe() => $"{Device.Id} ({Device.Name})";

    protected override DeviceMemory AllocateCore(long bytes) => OpenCLMemory.Create(this, bytes);

    /// <summary>
    /// Freed buffers kept for reuse. Safe while every command goes to one in-order queue: a kept buffer's next user
    /// is queued after its last one. A second stream could reorder them, so creating one turns reuse off for good.
    /// </summary>
    internal MemoryBlockPool Pool { get; } = new(handle => clReleaseMemObject(handle));

    protected override AcceleratorStream CreateStreamCore()
    {
        if (Interlocked.Increment(ref streamCount) > 1)
        {
            Pool.Dispose();
        }
        return new OpenCLStream(this);
    }

    protected override CompiledKernel CompileCore(KernelDescriptor kernel) => OpenCLProgramBuilder.Build(this, kernel);

    protected internal override Index3D ChooseGroupSize(CompiledKernel kernel, Index3D global)
    {
        int max = Math.Max(1, Math.Min(kernel.MaxGroupSize, Device.MaxGroupSize));
        var chosen = Device.Kind == DeviceKind.Cpu
            ? ChooseCpuGroup(global, max, Math.Max(1, ((OpenCLKernel)kernel).PreferredGroupMultiple))
            : base.ChooseGroupSize(kernel, global);
        return new Index3D(
            Math.Min(chosen.X, MaxWorkItemSizes[0]),
            Math.Min(chosen.Y, MaxWorkItemSizes[1]),
            Math.Min(chosen.Z, MaxWorkItemSizes[2]));
    }

    /// <summary>
    /// CPU runtimes (PoCL, Intel) run a work-group as one task, looping (and vectorizing) over its work-items,
    /// so large groups amortize the per-group cost; but there must still be several groups per core.
    /// </summary>
    private Index3D ChooseCpuGroup(Index3D global, int max, int multiple)
    {
        long wantedGroups = Math.Max(1, Device.ComputeUnits) * 4L;
        if (global.Y <= 1 && global.Z <= 1)
        {
            long perGroup = (global.X + wantedGroups - 1) / wantedGroups;
            long size = (perGroup + multiple - 1) / multiple * multiple;
            return new Index3D((int)Math.Clamp(size, 1, max));
        }
        // 2D/3D: a row segment of up to 64 items, then as many rows as fit and still leave enough groups.
        int x = (int)Math.Min(Math.Min(RoundUpPow2(global.X), 64), max);
        int y = (int)Math.Clamp(Math.Min(RoundUpPow2(global.Y), max / x), 1, 16);
        int z = global.Z > 1 ? (int)Math.Clamp(Math.Min(RoundUpPow2(global.Z), max / (x * y)), 1, 4) : 1;
        return new Index3D(x, y, z);
    }

    private static long RoundUpPow2(int n) => n <= 1 ? 1 : (long)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)n);

    private static string ChooseBuildOptions(nint device)
    {
        var options = new List<string>();
        // Devices that only speak OpenCL C 1.0/1.1 reject -cl-std=CL1.2; build them with their default.
        string cVersion = OpenCLInfo.DeviceString(device, CL_DEVICE_OPENCL_C_VERSION);
        if (!cVersion.StartsWith("OpenCL C 1.0", StringComparison.Ordinal) && !cVersion.StartsWith("OpenCL C 1.1", StringComparison.Ordinal))
        {
            options.Add("-cl-std=CL1.2");
        }
        ulong fp = OpenCLInfo.Device<ulong>(device, CL_DEVICE_SINGLE_FP_CONFIG);
        if ((fp & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0)
        {
            options.Add("-cl-fp32-correctly-rounded-divide-sqrt");
        }
        return string.Join(' ', options);
    }

    protected override void DisposeCore()
    {
        // Queues, buffers and programs were released by the base class; the context goes last.
        Pool.Dispose();
        clReleaseContext(Context);
    }
}
