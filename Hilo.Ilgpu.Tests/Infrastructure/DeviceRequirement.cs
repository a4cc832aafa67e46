namespace Hilo.Ilgpu.Tests.Infrastructure;

/// <summary>
/// The one policy for tests that need a device of some ILGPU accelerator type: use the first device of that type if
/// ILGPU accepted one; otherwise skip the test with the reason (the backend's, and every device ILGPU refused with
/// ILGPU's message), or FAIL it where the environment says the type must be there, so that a CI run can never pass by
/// silently skipping its OpenCL tests. Required: the CPU accelerator always; OpenCL when <c>CI=true</c>; and every
/// type listed in <c>HILO_REQUIRE_BACKENDS</c> (comma-separated: <c>opencl</c>, <c>cuda</c>), e.g. on a GPU machine.
/// </summary>
public static class DeviceRequirement
{
    /// <summary>True when the environment variable <c>CI</c> is <c>true</c> (or <c>1</c>).</summary>
    public static bool IsCi =>
        Environment.GetEnvironmentVariable("CI") is { } ci &&
        (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    /// <summary>True when a missing <paramref name="kind"/> device fails tests instead of skipping them.</summary>
    public static bool IsRequired(BackendKind kind)
    {
        if (kind == BackendKind.Cpu || (kind == BackendKind.OpenCL && IsCi))
        {
            return true;
        }
        string list = Environment.GetEnvironmentVariable("HILO_REQUIRE_BACKENDS") ?? "";
        return list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(name => name.Equals(kind.ToString(), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The first device of <paramref name="kind"/>; skips (or fails, see <see cref="IsRequired"/>) the calling test when there is none.</summary>
    public static DeviceInfo RequireDevice(BackendKind kind)
    {
        var device = Devices.All.FirstOrDefault(d => d.Backend == kind);
        if (device is not null)
        {
            return device;
        }
        var status = Devices.Backends.FirstOrDefault(b => b.Backend == kind);
        string reason = status is null ? "backend not registered"
            : !status.IsAvailable ? status.Reason ?? "unavailable"
            : "ILGPU found no device";
        var refused = Devices.Refused.Where(r => r.Backend == kind).Select(r => $"refused '{r.Name}': {r.Reason}").ToList();
        if (refused.Count > 0)
        {
            reason += " (" + string.Join("; ", refused) + ")";
        }
        string message = $"no {Name(kind)} device: {reason}";
        if (IsRequired(kind))
        {
            Assert.Fail(message + (IsCi && kind == BackendKind.OpenCL
                ? " (CI=true: the OpenCL tests must run, on PoCL 6 at least: .ci/run)"
                : " (this accelerator is required here: HILO_REQUIRE_BACKENDS)"));
        }
        Assert.Skip(message);
        return null!; // not reached: Assert.Skip throws
    }

    private static string Name(BackendKind kind) => kind switch
    {
        BackendKind.OpenCL => "OpenCL",
        BackendKind.Cuda => "CUDA",
        _ => "CPU accelerator",
    };
}
