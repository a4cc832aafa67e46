namespace Hilo.Ilgpu.Compute;

/// <summary>The three kinds of backend the kernel stack runs on.</summary>
public enum BackendKind
{
    /// <summary>The managed CPU backend: runs the kernels' C# itself, multithreaded over groups.</summary>
    Cpu,

    /// <summary>Any OpenCL 1.2+ device through the system ICD loader (GPUs of every vendor, PoCL, Intel CPU runtime).</summary>
    OpenCL,

    /// <summary>NVIDIA GPUs through the CUDA driver API and NVRTC.</summary>
    Cuda,
}

/// <summary>What sort of processor a device is.</summary>
public enum DeviceKind
{
    /// <summary>A CPU (the managed backend, or an OpenCL CPU runtime such as PoCL).</summary>
    Cpu,

    /// <summary>A GPU.</summary>
    Gpu,

    /// <summary>An accelerator that is neither (FPGA, custom).</summary>
    Other,
}

/// <summary>Properties of one device, as reported by its backend.</summary>
public sealed record DeviceInfo
{
    /// <summary>Stable device string that <see cref="Devices.Open(string)"/> accepts: <c>cpu</c>, <c>opencl:N</c>, <c>cuda:N</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Backend that drives the device.</summary>
    public required BackendKind Backend { get; init; }

    /// <summary>Device name as the driver reports it.</summary>
    public required string Name { get; init; }

    /// <summary>Vendor name as the driver reports it.</summary>
    public required string Vendor { get; init; }

    /// <summary>CPU, GPU or other.</summary>
    public required DeviceKind Kind { get; init; }

    /// <summary>Global memory in bytes.</summary>
    public required long GlobalMemoryBytes { get; init; }

    /// <summary>Compute units (CPU cores, GPU SMs/CUs).</summary>
    public required int ComputeUnits { get; init; }

    /// <summary>Largest number of work-items in one group.</summary>
    public required int MaxGroupSize { get; init; }

    /// <summary>Shared (local) memory per group in bytes.</summary>
    public required long LocalMemoryBytes { get; init; }

    /// <summary>Driver and platform version text; part of the on-disk kernel cache key.</summary>
    public required string DriverVersion { get; init; }

    /// <summary>Backend-private index (platform/device ordinal) used to open the device.</summary>
    internal int BackendIndex { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Id}: {Name} ({Vendor}, {Kind})";
}

/// <summary>Whether a backend could be loaded on this machine, and why not.</summary>
/// <param name="Backend">The backend.</param>
/// <param name="IsAvailable">True when its native libraries loaded and it answered.</param>
/// <param name="Reason">Why it is unavailable (missing library, driver error), or null.</param>
public sealed record BackendStatus(BackendKind Backend, bool IsAvailable, string? Reason);
