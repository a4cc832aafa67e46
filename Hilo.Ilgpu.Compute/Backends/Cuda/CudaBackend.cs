namespace Hilo.Ilgpu.Compute.Cuda;

/// <summary>Cuda backend through the system ICD loader (placeholder until the backend lands).</summary>
internal sealed class CudaBackend : IBackend
{
    public BackendKind Kind => BackendKind.Cuda;

    public (BackendStatus Status, IReadOnlyList<DeviceInfo> Devices) Probe() =>
        (new BackendStatus(BackendKind.Cuda, false, "not implemented yet"), []);

    public Accelerator Open(DeviceInfo device) => throw new NotSupportedException("Cuda backend not implemented yet.");
}
