using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Tests.Conformance;

// Temporary stand-in until Hilo.Ilgpu.Tests/Infrastructure/DeviceRequirement.cs arrives from branch opencl.
internal static class DeviceRequirement
{
    public static void RequireDevice(BackendKind backend)
    {
        if (Devices.All.Any(d => d.Backend == backend))
        {
            return;
        }
        string reason = Devices.Backends.First(b => b.Backend == backend).Reason ?? "it lists no device";
        string message = $"No {backend} device: {reason}";
        if (backend == BackendKind.OpenCL && Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(message + " (CI requires an OpenCL device)");
        }
        Assert.Skip(message);
    }
}
