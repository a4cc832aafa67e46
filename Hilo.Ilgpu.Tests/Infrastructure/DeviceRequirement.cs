using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Tests.Infrastructure;

/// <summary>
/// The one policy for tests that need a device of some backend: use the first device of that backend if
/// there is one; otherwise skip the test with the backend's reason, or FAIL it where the environment says
/// the backend must be there, so that a CI run can never pass by silently skipping its OpenCL tests.
/// Required: OpenCL when <c>CI=true</c>; and every backend listed in <c>HILO_REQUIRE_BACKENDS</c>
/// (comma-separated: <c>opencl</c>, <c>cuda</c>), e.g. on a GPU machine where CUDA must be exercised.
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
            : status.IsAvailable ? "the backend loaded but lists no device"
            : status.Reason ?? "unavailable";
        string message = $"no {Name(kind)} device: {reason}";
        if (IsRequired(kind))
        {
            Assert.Fail(message + (IsCi && kind == BackendKind.OpenCL
                ? " (CI=true: the OpenCL tests must run, on PoCL at least)"
                : " (this backend is required here: HILO_REQUIRE_BACKENDS)"));
        }
        Assert.Skip(message);
        return null!; // not reached: Assert.Skip throws
    }

    private static string Name(BackendKind kind) => kind switch
    {
        BackendKind.OpenCL => "OpenCL",
        BackendKind.Cuda => "CUDA",
        _ => "managed CPU",
    };
}
