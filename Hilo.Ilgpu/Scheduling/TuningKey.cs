using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>
/// What a tuning choice is valid for: one device (its device string, name and driver/runtime version, so a driver
/// update or another device under the same string measures again), one build of the kernels (a changed kernel may
/// change which variant wins), one operation (<c>linear</c>, ...) and one shape (<c>m=12544,k=768,n=2304</c>).
/// </summary>
/// <param name="DeviceId">The device string (<c>cpu</c>, <c>opencl:0</c>, ...).</param>
/// <param name="DeviceName">The device name as the driver reports it.</param>
/// <param name="Driver">The driver and runtime version text (<see cref="DeviceInfo.DriverVersion"/>), followed by
/// <c>; kernels</c> and <see cref="KernelsBuild"/>.</param>
/// <param name="Operation">The operation whose variants are chosen among.</param>
/// <param name="Shape">The operation's shape as text, e.g. <c>m=12544,k=768,n=2304</c>.</param>
public sealed record TuningKey(string DeviceId, string DeviceName, string Driver, string Operation, string Shape)
{
    /// <summary>The key of <paramref name="operation"/> at <paramref name="shape"/> on <paramref name="device"/>.</summary>
    public static TuningKey For(DeviceInfo device, string operation, string shape)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        ArgumentException.ThrowIfNullOrWhiteSpace(shape);
        return new TuningKey(device.Id, device.Name, $"{device.DriverVersion}; kernels {KernelsBuild}", operation, shape);
    }

    /// <summary>
    /// The build of <c>Hilo.Ilgpu.Kernels</c>: its module version id, which the SDK's deterministic builds change only
    /// when the assembly's code changes — so editing a kernel re-measures, rebuilding the same code does not.
    /// </summary>
    public static string KernelsBuild { get; } =
        typeof(Hilo.Ilgpu.Kernels.Gemm.PanelGemmCpu).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12];

    /// <inheritdoc />
    public override string ToString() => $"{DeviceId} {Operation} {Shape}";
}
