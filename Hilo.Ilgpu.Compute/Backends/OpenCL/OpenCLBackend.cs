namespace Hilo.Ilgpu.Compute.OpenCL;

/// <summary>OpenCL backend through the system ICD loader (placeholder until the backend lands).</summary>
internal sealed class OpenCLBackend : IBackend
{
    public BackendKind Kind => BackendKind.OpenCL;

    public (BackendStatus Status, IReadOnlyList<DeviceInfo> Devices) Probe() =>
        (new BackendStatus(BackendKind.OpenCL, false, "not implemented yet"), []);

    public Accelerator Open(DeviceInfo device) => throw new NotSupportedException("OpenCL backend not implemented yet.");
}
