using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Conformance;

/// <summary>
/// One accelerator per test class (xunit class fixture), opened on first use so that a missing device
/// becomes a visible skip (or, in CI, a failure) in each test rather than a fixture crash; disposed with the class.
/// </summary>
public abstract class AcceleratorFixture : IDisposable
{
    private readonly Lock gate = new();
    private Accelerator? accelerator;

    /// <summary>Creates the fixture for the first device of <paramref name="backend"/>.</summary>
    protected AcceleratorFixture(BackendKind backend) => Backend = backend;

    /// <summary>The backend under test.</summary>
    public BackendKind Backend { get; }

    /// <summary>The shared accelerator; skips the calling test when its device is absent.</summary>
    public Accelerator Get()
    {
        var device = FirstDevice();
        lock (gate)
        {
            return accelerator ??= Devices.Open(device);
        }
    }

    /// <summary>A fresh accelerator on the same device, for tests that dispose theirs.</summary>
    public Accelerator OpenAnother() => Devices.Open(FirstDevice());

    // Skips the test (or fails it where the backend is required, e.g. OpenCL in CI) when there is no device.
    private DeviceInfo FirstDevice() => DeviceRequirement.RequireDevice(Backend);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            accelerator?.Dispose();
            accelerator = null;
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>The managed CPU backend (always present).</summary>
public sealed class CpuFixture() : AcceleratorFixture(BackendKind.Cpu);

/// <summary>The first OpenCL device.</summary>
public sealed class OpenCLFixture() : AcceleratorFixture(BackendKind.OpenCL);

/// <summary>The first CUDA device.</summary>
public sealed class CudaFixture() : AcceleratorFixture(BackendKind.Cuda);
