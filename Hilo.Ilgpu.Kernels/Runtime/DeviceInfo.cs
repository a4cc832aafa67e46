using ILGPU.Runtime;

namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>The ILGPU accelerator type behind a device.</summary>
public enum BackendKind
{
    /// <summary>ILGPU's CPU accelerator (<c>CPUAccelerator</c>): ILGPU kernels on threads, and the CPU kernel family.</summary>
    Cpu,

    /// <summary>ILGPU's OpenCL accelerator (<c>CLAccelerator</c>): OpenCL 2.0+ devices with the generic address space.</summary>
    OpenCL,

    /// <summary>ILGPU's CUDA accelerator (<c>CudaAccelerator</c>): NVIDIA GPUs through the driver API and PTX.</summary>
    Cuda,
}

/// <summary>What sort of processor a device is.</summary>
public enum DeviceKind
{
    /// <summary>A CPU (ILGPU's CPU accelerator, or an OpenCL CPU runtime such as PoCL).</summary>
    Cpu,

    /// <summary>A GPU.</summary>
    Gpu,

    /// <summary>Neither (an FPGA, a custom accelerator).</summary>
    Other,
}

/// <summary>Properties of one device ILGPU accepted, as ILGPU reports them.</summary>
public sealed record DeviceInfo
{
    /// <summary>Stable device string that <see cref="Devices.Open(string)"/> accepts: <c>cpu</c>, <c>opencl:N</c>, <c>cuda:N</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The ILGPU accelerator type.</summary>
    public required BackendKind Backend { get; init; }

    /// <summary>Device name as the driver reports it.</summary>
    public required string Name { get; init; }

    /// <summary>Vendor (OpenCL platform vendor, <c>NVIDIA</c>, or the CPU accelerator's).</summary>
    public required string Vendor { get; init; }

    /// <summary>CPU, GPU or other.</summary>
    public required DeviceKind Kind { get; init; }

    /// <summary>Global memory in bytes (the machine's memory for the CPU accelerator).</summary>
    public required long GlobalMemoryBytes { get; init; }

    /// <summary>Multiprocessors (GPU SMs/CUs, OpenCL compute units, the CPU accelerator's emulated multiprocessors).</summary>
    public required int ComputeUnits { get; init; }

    /// <summary>Largest number of threads in one group.</summary>
    public required int MaxGroupSize { get; init; }

    /// <summary>Shared memory per group in bytes.</summary>
    public required long LocalMemoryBytes { get; init; }

    /// <summary>Threads per warp (subgroup) as ILGPU reports it.</summary>
    public required int WarpSize { get; init; }

    /// <summary>Driver and platform version text; part of the tuning cache key.</summary>
    public required string DriverVersion { get; init; }

    /// <summary>The ILGPU device, to create the accelerator from.</summary>
    internal Device IlgpuDevice { get; init; } = null!;

    /// <inheritdoc />
    public override string ToString() => $"{Id}: {Name} ({Vendor}, {Kind})";
}

/// <summary>A device the driver lists but ILGPU refused, with ILGPU's reason (e.g. no generic address space).</summary>
/// <param name="Backend">The accelerator type that refused it.</param>
/// <param name="Name">The device name the driver reports.</param>
/// <param name="Reason">ILGPU's message.</param>
public sealed record RefusedDevice(BackendKind Backend, string Name, string Reason);

/// <summary>Whether an ILGPU backend found its driver, and why not.</summary>
/// <param name="Backend">The accelerator type.</param>
/// <param name="IsAvailable">True when ILGPU loaded the driver library.</param>
/// <param name="Reason">Why it is unavailable, or null.</param>
public sealed record BackendStatus(BackendKind Backend, bool IsAvailable, string? Reason);
