using Hilo.Ilgpu.Compute.Cpu;
using Hilo.Ilgpu.Compute.Cuda;
using Hilo.Ilgpu.Compute.OpenCL;

namespace Hilo.Ilgpu.Compute;

/// <summary>A backend: probes its native libraries, lists its devices, opens accelerators.</summary>
internal interface IBackend
{
    BackendKind Kind { get; }

    /// <summary>Loads the native libraries and lists devices; never throws (failures become the status reason).</summary>
    (BackendStatus Status, IReadOnlyList<DeviceInfo> Devices) Probe();

    Accelerator Open(DeviceInfo device);
}

/// <summary>
/// Every device of every backend on this machine, and opening one by its device string:
/// <c>cpu</c>, <c>opencl:N</c>, <c>opencl:&lt;name substring&gt;</c>, <c>cuda:N</c>, <c>cuda:&lt;name substring&gt;</c>.
/// </summary>
public static class Devices
{
    private static readonly IBackend[] BackendList = [new CpuBackend(), new OpenCLBackend(), new CudaBackend()];
    private static readonly Lock Gate = new();
    private static (BackendStatus[] Backends, DeviceInfo[] Devices)? probed;

    /// <summary>Availability of each backend, with the reason when one is missing.</summary>
    public static IReadOnlyList<BackendStatus> Backends => Probe().Backends;

    /// <summary>All devices: the managed CPU first, then OpenCL devices in platform order, then CUDA devices.</summary>
    public static IReadOnlyList<DeviceInfo> All => Probe().Devices;

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
        var (statuses, devices) = Probe();
        var status = statuses.First(s => s.Backend == backend);
        if (!status.IsAvailable)
        {
            throw new DeviceNotFoundException($"Device '{deviceString}': the {backend} backend is unavailable: {status.Reason}");
        }
        var candidates = devices.Where(d => d.Backend == backend).ToList();
        if (backend == BackendKind.Cpu && (selector is null || selector == "0"))
        {
            return candidates[0];
        }
        if (selector is null || selector.Length == 0)
        {
            selector = "0";
        }
        if (int.TryParse(selector, out int index))
        {
            if (index >= 0 && index < candidates.Count)
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

    /// <summary>Opens the device a device string names.</summary>
    public static Accelerator Open(string deviceString) => Open(Find(deviceString));

    /// <summary>Opens <paramref name="device"/>.</summary>
    public static Accelerator Open(DeviceInfo device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return BackendList.First(b => b.Kind == device.Backend).Open(device);
    }

    /// <summary>Probes the backends again (after installing a driver, say).</summary>
    public static void Refresh()
    {
        lock (Gate)
        {
            probed = null;
        }
    }

    private static (BackendStatus[] Backends, DeviceInfo[] Devices) Probe()
    {
        lock (Gate)
        {
            if (probed is { } p)
            {
                return p;
            }
            var statuses = new List<BackendStatus>();
            var devices = new List<DeviceInfo>();
            foreach (var backend in BackendList)
            {
                try
                {
                    var (status, list) = backend.Probe();
                    statuses.Add(status);
                    devices.AddRange(list);
                }
#pragma warning disable CA1031 // a broken driver must make its backend unavailable, not crash the program
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    statuses.Add(new BackendStatus(backend.Kind, false, $"{ex.GetType().Name}: {ex.Message}"));
                }
            }
            probed = ([.. statuses], [.. devices]);
            return probed.Value;
        }
    }

    private static string Listing()
    {
        var (statuses, devices) = Probe();
        var parts = devices.Select(d => $"{d.Id} = {d.Name}")
            .Concat(statuses.Where(s => !s.IsAvailable).Select(s => $"{s.Backend} unavailable: {s.Reason}"));
        return "Devices: " + string.Join("; ", parts);
    }
}
