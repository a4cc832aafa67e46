using static Hilo.Ilgpu.Compute.OpenCL.OpenCLNative;

namespace Hilo.Ilgpu.Compute.OpenCL;

/// <summary>
/// OpenCL backend through the system ICD loader: every device of every platform, flattened in platform
/// order then device order as <c>opencl:0</c>, <c>opencl:1</c>, ...
/// </summary>
internal sealed unsafe class OpenCLBackend : IBackend
{
    private readonly IReadOnlyList<string> candidates;
    private readonly Lock gate = new();
    private List<(nint Platform, nint Device)> handles = [];

    /// <summary>The backend over the usual ICD loader names of this OS.</summary>
    public OpenCLBackend() : this(OpenCLLibrary.DefaultCandidates) { }

    /// <summary>The backend over an explicit list of library names or paths (tests use a missing one).</summary>
    internal OpenCLBackend(IReadOnlyList<string> libraryCandidates) => candidates = libraryCandidates;

    public BackendKind Kind => BackendKind.OpenCL;

    public (BackendStatus Status, IReadOnlyList<DeviceInfo> Devices) Probe()
    {
        try
        {
            return ProbeCore();
        }
#pragma warning disable CA1031 // a broken driver must make the backend unavailable, never crash the program
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (Unavailable($"{ex.GetType().Name}: {ex.Message}"), []);
        }
    }

    public Accelerator Open(DeviceInfo device)
    {
        ArgumentNullException.ThrowIfNull(device);
        (nint Platform, nint Device) handle;
        lock (gate)
        {
            if (device.Backend != BackendKind.OpenCL || device.BackendIndex < 0 || device.BackendIndex >= handles.Count)
            {
                throw new DeviceNotFoundException($"Device {device.Id} is not a device of the OpenCL backend as last probed.");
            }
            handle = handles[device.BackendIndex];
        }
        return new OpenCLAccelerator(device, handle.Platform, handle.Device);
    }

    private (BackendStatus Status, IReadOnlyList<DeviceInfo> Devices) ProbeCore()
    {
        if (!OpenCLLibrary.TryBind(candidates, out string reason))
        {
            return (Unavailable(reason), []);
        }
        uint count;
        int error = clGetPlatformIDs(0, null, &count);
        if (error == CL_PLATFORM_NOT_FOUND_KHR || (error == CL_SUCCESS && count == 0))
        {
            return (Unavailable("the OpenCL ICD loader found no platform (CL_PLATFORM_NOT_FOUND_KHR): no driver is registered in /etc/OpenCL/vendors"), []);
        }
        OpenCLLibrary.Check(error, "clGetPlatformIDs");
        var platforms = new nint[count];
        fixed (nint* p = platforms)
        {
            OpenCLLibrary.Check(clGetPlatformIDs(count, p, &count), "clGetPlatformIDs");
        }

        var devices = new List<DeviceInfo>();
        var found = new List<(nint, nint)>();
        var problems = new List<string>();
        foreach (nint platform in platforms.AsSpan(0, (int)count))
        {
            try
            {
                foreach (nint device in PlatformDevices(platform))
                {
                    devices.Add(Describe(platform, device, found.Count));
                    found.Add((platform, device));
                }
            }
            catch (DeviceException ex)
            {
                // One broken platform must not hide the others.
                problems.Add(ex.Message);
            }
        }
        lock (gate)
        {
            handles = found;
        }
        if (devices.Count == 0)
        {
            return (Unavailable($"{count} OpenCL platform(s) but no device{(problems.Count > 0 ? ": " + string.Join("; ", problems) : "")}"), []);
        }
        return (new BackendStatus(BackendKind.OpenCL, true, problems.Count > 0 ? string.Join("; ", problems) : null), devices);
    }

    private static nint[] PlatformDevices(nint platform)
    {
        uint count;
        int error = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, &count);
        if (error == CL_DEVICE_NOT_FOUND || (error == CL_SUCCESS && count == 0))
        {
            return [];
        }
        OpenCLLibrary.Check(error, "clGetDeviceIDs");
        var devices = new nint[count];
        fixed (nint* p = devices)
        {
            OpenCLLibrary.Check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, count, p, &count), "clGetDeviceIDs");
        }
        return devices[..(int)count];
    }

    private static DeviceInfo Describe(nint platform, nint device, int index)
    {
        ulong type = OpenCLInfo.Device<ulong>(device, CL_DEVICE_TYPE);
        return new DeviceInfo
        {
            Id = $"opencl:{index}",
            Backend = BackendKind.OpenCL,
            Name = OpenCLInfo.DeviceString(device, CL_DEVICE_NAME),
            Vendor = OpenCLInfo.DeviceString(device, CL_DEVICE_VENDOR),
            Kind = (type & CL_DEVICE_TYPE_GPU) != 0 ? DeviceKind.Gpu : (type & CL_DEVICE_TYPE_CPU) != 0 ? DeviceKind.Cpu : DeviceKind.Other,
            GlobalMemoryBytes = Clamp(OpenCLInfo.Device<ulong>(device, CL_DEVICE_GLOBAL_MEM_SIZE)),
            ComputeUnits = (int)OpenCLInfo.Device<uint>(device, CL_DEVICE_MAX_COMPUTE_UNITS),
            MaxGroupSize = (int)Math.Min(OpenCLInfo.Device<nuint>(device, CL_DEVICE_MAX_WORK_GROUP_SIZE), int.MaxValue),
            LocalMemoryBytes = Clamp(OpenCLInfo.Device<ulong>(device, CL_DEVICE_LOCAL_MEM_SIZE)),
            DriverVersion = $"{OpenCLInfo.PlatformString(platform, CL_PLATFORM_VERSION)}; driver {OpenCLInfo.DeviceString(device, CL_DRIVER_VERSION)}; {OpenCLInfo.DeviceString(device, CL_DEVICE_VERSION)}",
            BackendIndex = index,
        };
    }

    private static long Clamp(ulong value) => (long)Math.Min(value, long.MaxValue);

    private static BackendStatus Unavailable(string reason) => new(BackendKind.OpenCL, false, reason);
}
