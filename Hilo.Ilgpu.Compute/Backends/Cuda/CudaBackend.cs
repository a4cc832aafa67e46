using System.Globalization;
using System.Text;

namespace Hilo.Ilgpu.Compute.Cuda;

/// <summary>
/// The CUDA backend: the driver API (<c>libcuda.so.1</c>) for devices, memory, streams and launches, NVRTC
/// to compile the generated CUDA C. Probing never throws: a missing driver, a failing <c>cuInit</c>, no
/// device or a missing NVRTC each make the backend unavailable with the precise reason.
/// </summary>
internal sealed unsafe class CudaBackend : IBackend
{
    private readonly Lock gate = new();
    private readonly IReadOnlyList<string>? driverCandidates;
    private readonly IReadOnlyList<string>? nvrtcCandidates;
    private CudaRuntime? runtime;

    /// <summary>The backend with the standard library search (<see cref="CudaDriverApi.LibraryCandidates"/>, <see cref="NvrtcLocator"/>).</summary>
    public CudaBackend()
    {
    }

    /// <summary>The backend loading exactly these libraries (tests point it at stand-ins).</summary>
    public CudaBackend(IReadOnlyList<string> driverCandidates, IReadOnlyList<string> nvrtcCandidates)
    {
        this.driverCandidates = driverCandidates;
        this.nvrtcCandidates = nvrtcCandidates;
    }

    public BackendKind Kind => BackendKind.Cuda;

    public (BackendStatus Status, IReadOnlyList<DeviceInfo> Devices) Probe()
    {
        lock (gate)
        {
            runtime = null;
            var (rt, devices, reason) = ProbeCore();
            runtime = rt;
            return rt is null
                ? (new BackendStatus(BackendKind.Cuda, false, reason), [])
                : (new BackendStatus(BackendKind.Cuda, true, null), devices);
        }
    }

    public Accelerator Open(DeviceInfo device)
    {
        CudaRuntime rt;
        lock (gate)
        {
            rt = runtime ?? throw new DeviceNotFoundException($"Device {device.Id}: the CUDA backend was not probed or is unavailable.");
        }
        return new CudaAccelerator(rt, device);
    }

    private (CudaRuntime? Runtime, List<DeviceInfo> Devices, string Reason) ProbeCore()
    {
        var devices = new List<DeviceInfo>();
        var driver = CudaDriverApi.TryLoad(driverCandidates, out string reason);
        if (driver is null)
        {
            return (null, devices, reason);
        }
        int result = driver.cuInit(0);
        if (result != CudaDriverApi.CUDA_SUCCESS)
        {
            return (null, devices, $"{driver.LibraryPath} loaded, but cuInit(0) failed: {driver.ErrorName(result)}" +
                                   (result == CudaDriverApi.CUDA_ERROR_NO_DEVICE ? " — no NVIDIA GPU is visible to this process" : ""));
        }
        int version = 0;
        result = driver.cuDriverGetVersion(&version);
        if (result != CudaDriverApi.CUDA_SUCCESS)
        {
            return (null, devices, $"cuDriverGetVersion failed: {driver.ErrorName(result)}");
        }
        int count = 0;
        result = driver.cuDeviceGetCount(&count);
        if (result != CudaDriverApi.CUDA_SUCCESS)
        {
            return (null, devices, $"cuDeviceGetCount failed: {driver.ErrorName(result)}");
        }
        string driverText = CudaDriverApi.FormatVersion(version);
        if (count == 0)
        {
            return (null, devices, $"CUDA driver {driverText} found no CUDA device (cuDeviceGetCount returned 0)");
        }
        var nvrtc = NvrtcApi.TryLoad(version, nvrtcCandidates, out reason);
        if (nvrtc is null)
        {
            return (null, devices, $"CUDA driver {driverText} sees {count} device(s), but {reason}");
        }
        var rt = new CudaRuntime(driver, nvrtc, version);
        for (int ordinal = 0; ordinal < count; ordinal++)
        {
            try
            {
                devices.Add(Describe(rt, ordinal, devices.Count));
            }
            catch (DeviceException ex)
            {
                return (null, [], $"querying CUDA device {ordinal} failed: {ex.Message}");
            }
        }
        return (rt, devices, "");
    }

    private static DeviceInfo Describe(CudaRuntime rt, int ordinal, int index)
    {
        var api = rt.Driver;
        string where = $"cuda:{ordinal}";
        int handle = 0;
        api.Check(api.cuDeviceGet(&handle, ordinal), "cuDeviceGet", where);
        int device = handle;
        var nameBytes = stackalloc byte[256];
        api.Check(api.cuDeviceGetName(nameBytes, 256, device), "cuDeviceGetName", where);
        string name = Encoding.UTF8.GetString(nameBytes, new ReadOnlySpan<byte>(nameBytes, 256).IndexOf((byte)0) is int n and >= 0 ? n : 256);
        nuint total = 0;
        api.Check(api.cuDeviceTotalMem_v2(&total, device), "cuDeviceTotalMem_v2", where);
        int Attribute(int attribute)
        {
            int value = 0;
            api.Check(api.cuDeviceGetAttribute(&value, attribute, device), $"cuDeviceGetAttribute({attribute})", where);
            return value;
        }
        int major = Attribute(CudaDriverApi.AttrComputeCapabilityMajor);
        int minor = Attribute(CudaDriverApi.AttrComputeCapabilityMinor);
        return new DeviceInfo
        {
            Id = "cuda:" + index.ToString(CultureInfo.InvariantCulture),
            Backend = BackendKind.Cuda,
            Name = name,
            Vendor = "NVIDIA",
            Kind = DeviceKind.Gpu,
            GlobalMemoryBytes = (long)total,
            ComputeUnits = Attribute(CudaDriverApi.AttrMultiprocessorCount),
            MaxGroupSize = Attribute(CudaDriverApi.AttrMaxThreadsPerBlock),
            LocalMemoryBytes = Attribute(CudaDriverApi.AttrMaxSharedMemoryPerBlock),
            DriverVersion = $"CUDA driver {CudaDriverApi.FormatVersion(rt.DriverVersion)}, NVRTC {rt.Nvrtc.VersionText}, sm_{major}{minor}",
            BackendIndex = ordinal,
        };
    }
}

/// <summary>The loaded libraries, shared by every CUDA accelerator of the process.</summary>
/// <param name="Driver">The driver API.</param>
/// <param name="Nvrtc">The runtime compiler.</param>
/// <param name="DriverVersion">cuDriverGetVersion (1000*major + 10*minor).</param>
internal sealed record CudaRuntime(CudaDriverApi Driver, NvrtcApi Nvrtc, int DriverVersion)
{
    /// <summary>NVRTC compilations are serialized: cheap next to their cost, and safe with every NVRTC version.</summary>
    public Lock CompileGate { get; } = new();
}
