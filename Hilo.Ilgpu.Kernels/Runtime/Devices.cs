using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Hilo.Ilgpu.Kernels.Cpu;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>
/// Every device ILGPU finds on this machine, the devices it refused with its reason, and opening one by device string:
/// <c>cpu</c> (ILGPU's CPU accelerator), <c>opencl:N</c> or <c>opencl:&lt;name&gt;</c>, <c>cuda:N</c> or <c>cuda:&lt;name&gt;</c>.
/// All devices share one ILGPU <see cref="Context"/> for the life of the process.
/// </summary>
public static class Devices
{
    /// <summary>
    /// The CPU accelerator's emulated shape: warps of 32 (as on NVIDIA GPUs, so warp-level code behaves the same),
    /// 8 warps per multiprocessor (groups of up to 256 threads) and 2 multiprocessors.
    /// </summary>
    public static CPUDevice CpuShape { get; } = new(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: 8, numMultiprocessors: 2);

    private static readonly Lazy<Catalog> Probed = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The one ILGPU context of the process, with ILGPU.Algorithms enabled. <c>HILO_ILGPU_DEBUG=1</c> builds it in
    /// ILGPU's debug mode (assertions and debug information in kernels) for kernel authors.
    /// </summary>
    public static Context Context => Probed.Value.Context;

    /// <summary>Every device ILGPU accepted: the CPU accelerator first, then OpenCL devices, then CUDA devices.</summary>
    public static IReadOnlyList<DeviceInfo> All => Probed.Value.Devices;

    /// <summary>Devices a driver lists that ILGPU refused, each with ILGPU's reason.</summary>
    public static IReadOnlyList<RefusedDevice> Refused => Probed.Value.Refused;

    /// <summary>Whether each ILGPU backend found its driver library, with the reason when not.</summary>
    public static IReadOnlyList<BackendStatus> Backends => Probed.Value.Backends;

    /// <summary>Finds the device a device string names.</summary>
    /// <exception cref="DeviceNotFoundException">No device (or more than one) matches; the message lists the devices.</exception>
    public static DeviceInfo Find(string deviceString)
    {
        ArgumentNullException.ThrowIfNull(deviceString);
        string text = deviceString.Trim();
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string prefix = (colon < 0 ? text : text[..colon]).ToLowerInvariant();
        string? selector = colon < 0 ? null : text[(colon + 1)..];
        BackendKind backend = prefix switch
        {
            "cpu" => BackendKind.Cpu,
            "opencl" or "cl" => BackendKind.OpenCL,
            "cuda" => BackendKind.Cuda,
            _ => throw new DeviceNotFoundException(
                $"Unknown device '{deviceString}': use cpu, opencl:N, opencl:<name>, cuda:N or cuda:<name>. {Listing()}"),
        };
        var candidates = All.Where(d => d.Backend == backend).ToList();
        if (candidates.Count == 0)
        {
            throw new DeviceNotFoundException($"Device '{deviceString}': ILGPU found no {backend} device. {Listing()}");
        }
        if (string.IsNullOrEmpty(selector))
        {
            selector = "0";
        }
        if (int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            if (index < candidates.Count)
            {
                return candidates[index];
            }
            throw new DeviceNotFoundException($"Device '{deviceString}': there are {candidates.Count} {backend} device(s). {Listing()}");
        }
        var matches = candidates.Where(d => d.Name.Contains(selector, StringComparison.OrdinalIgnoreCase) ||
                                            d.Vendor.Contains(selector, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new DeviceNotFoundException($"Device '{deviceString}': no {backend} device's name contains '{selector}'. {Listing()}"),
            _ => throw new DeviceNotFoundException(
                $"Device '{deviceString}' is ambiguous: {string.Join(", ", matches.Select(m => $"{m.Id} ({m.Name})"))}."),
        };
    }

    /// <summary>Opens the device a device string names (a new accelerator, owned by the returned device).</summary>
    public static KernelDevice Open(string deviceString) => Open(Find(deviceString));

    /// <summary>Opens <paramref name="device"/> (a new accelerator, owned by the returned device).</summary>
    public static KernelDevice Open(DeviceInfo device)
    {
        ArgumentNullException.ThrowIfNull(device);
        Accelerator accelerator;
        try
        {
            accelerator = device.IlgpuDevice.CreateAccelerator(Context);
        }
        catch (Exception ex) when (ex is AcceleratorException or CapabilityNotSupportedException or NotSupportedException or InvalidOperationException)
        {
            throw new DeviceNotFoundException($"Device '{device.Id}' ({device.Name}): ILGPU could not open it: {ex.Message}", ex);
        }
        return new KernelDevice(device, accelerator);
    }

    private static string Listing()
    {
        var parts = All.Select(d => $"{d.Id} = {d.Name}")
            .Concat(Refused.Select(r => $"refused {r.Backend} device {r.Name}: {r.Reason}"))
            .Concat(Backends.Where(s => !s.IsAvailable).Select(s => $"{s.Backend} unavailable: {s.Reason}"));
        return "Devices: " + string.Join("; ", parts);
    }

    private sealed record Catalog(Context Context, DeviceInfo[] Devices, RefusedDevice[] Refused, BackendStatus[] Backends);

    private static Catalog Probe()
    {
        // The CPU family's checked-access switch is read once, before any kernel method is compiled.
        _ = HostView.BoundsChecks;
        bool debug = Environment.GetEnvironmentVariable("HILO_ILGPU_DEBUG") is "1" or "true";
        var context = Context.Create(builder =>
        {
            builder.CPU(CpuShape).OpenCL().Cuda().EnableAlgorithms().Optimize(OptimizationLevel.O2);
            SharedBarrier.Register(builder);
            if (debug)
            {
                builder.Debug();
            }
        });
        var devices = new List<DeviceInfo>();
        var refused = new List<RefusedDevice>();
        foreach (var device in context.GetCPUDevices())
        {
            devices.Add(Describe(device, "cpu"));
        }
        int cl = 0;
        foreach (var device in context.GetCLDevices())
        {
            devices.Add(Describe(device, $"opencl:{cl++}"));
        }
        int cuda = 0;
        foreach (var device in context.GetCudaDevices())
        {
            devices.Add(Describe(device, $"cuda:{cuda++}"));
        }
        var backends = new List<BackendStatus> { new(BackendKind.Cpu, true, null) };
        backends.Add(ProbeOpenCL(context, refused));
        backends.Add(ProbeCuda());
        return new Catalog(context, [.. devices], [.. refused], [.. backends]);
    }

    // Lists the OpenCL devices the driver has but ILGPU did not accept, asking ILGPU for its reason.
    private static BackendStatus ProbeOpenCL(Context context, List<RefusedDevice> refused)
    {
        if (!CLAPI.CurrentAPI.IsSupported)
        {
            return new(BackendKind.OpenCL, false, "libOpenCL.so not found (an OpenCL ICD loader: Debian's ocl-icd-opencl-dev, plus a driver)");
        }
        var accepted = new HashSet<IntPtr>();
        foreach (var d in context.GetCLDevices())
        {
            accepted.Add(d.DeviceId);
        }
        foreach (var device in CLDevice.GetDevices(_ => true))
        {
            if (device is CLDevice d && !accepted.Contains(d.DeviceId))
            {
                refused.Add(new RefusedDevice(BackendKind.OpenCL, d.Name, RefusalReason(context, d)));
            }
        }
        return new(BackendKind.OpenCL, true, null);
    }

    private static string RefusalReason(Context context, CLDevice device)
    {
        try
        {
            using var accelerator = device.CreateAccelerator(context);
            return "not listed by ILGPU's default OpenCL device filter";
        }
#pragma warning disable CA1031 // any failure to open the device is the reason reported, never a crash of the listing
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"{ex.GetType().Name}: {ex.Message} ({device.DeviceVersion}, OpenCL C {device.CVersion})";
        }
    }

    private static BackendStatus ProbeCuda() =>
        CudaAPI.CurrentAPI.IsSupported
            ? new(BackendKind.Cuda, true, null)
            : new(BackendKind.Cuda, false, "the NVIDIA driver library (libcuda.so) was not found");

    private static DeviceInfo Describe(CPUDevice device, string id) => new()
    {
        Id = id,
        Backend = BackendKind.Cpu,
        Name = $"ILGPU CPU accelerator ({RuntimeInformation.ProcessArchitecture}, {SimdText()}, {Environment.ProcessorCount} cores)",
        Vendor = "ILGPU",
        Kind = DeviceKind.Cpu,
        GlobalMemoryBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        ComputeUnits = Environment.ProcessorCount,
        MaxGroupSize = device.MaxNumThreadsPerGroup,
        LocalMemoryBytes = device.MaxSharedMemoryPerGroup,
        WarpSize = device.WarpSize,
        DriverVersion = $"ILGPU {typeof(Context).Assembly.GetName().Version}; .NET {Environment.Version}; {SimdText()}",
        IlgpuDevice = device,
    };

    private static DeviceInfo Describe(CLDevice device, string id) => new()
    {
        Id = id,
        Backend = BackendKind.OpenCL,
        Name = device.Name,
        Vendor = device.VendorName,
        Kind = device.DeviceType switch
        {
            CLDeviceType.CL_DEVICE_TYPE_GPU => DeviceKind.Gpu,
            CLDeviceType.CL_DEVICE_TYPE_CPU => DeviceKind.Cpu,
            _ => DeviceKind.Other,
        },
        GlobalMemoryBytes = device.MemorySize,
        ComputeUnits = device.NumMultiprocessors,
        MaxGroupSize = device.MaxNumThreadsPerGroup,
        LocalMemoryBytes = device.MaxSharedMemoryPerGroup,
        WarpSize = device.WarpSize,
        DriverVersion = $"{device.PlatformName} {device.PlatformVersion}; {device.DeviceVersion}; OpenCL C {device.CVersion}",
        IlgpuDevice = device,
    };

    private static DeviceInfo Describe(CudaDevice device, string id) => new()
    {
        Id = id,
        Backend = BackendKind.Cuda,
        Name = device.Name,
        Vendor = "NVIDIA",
        Kind = DeviceKind.Gpu,
        GlobalMemoryBytes = device.MemorySize,
        ComputeUnits = device.NumMultiprocessors,
        MaxGroupSize = device.MaxNumThreadsPerGroup,
        LocalMemoryBytes = device.MaxSharedMemoryPerGroup,
        WarpSize = device.WarpSize,
        DriverVersion = $"CUDA driver {device.DriverVersion}; {device.Architecture?.ToString() ?? "unknown architecture"}",
        IlgpuDevice = device,
    };

    private static string SimdText() =>
        Vector512.IsHardwareAccelerated ? "512-bit SIMD" : Vector256.IsHardwareAccelerated ? "256-bit SIMD" : Vector128.IsHardwareAccelerated ? "128-bit SIMD" : "no SIMD";
}
