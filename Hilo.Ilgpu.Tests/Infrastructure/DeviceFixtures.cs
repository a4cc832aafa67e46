namespace Hilo.Ilgpu.Tests.Infrastructure;

/// <summary>
/// The test pattern of ILGPU's own suites: one abstract suite of tests, one subclass per accelerator, each with one
/// of these class fixtures. A fixture is an accelerator and a kernel family: the CPU accelerator with the CPU family,
/// the CPU accelerator with ILGPU kernels (emulated GPU threads: small shapes), every OpenCL device ILGPU accepts
/// (the first), every CUDA device (the first). The device is opened on first use (pinned to the family), so that a
/// missing device is a visible skip in each test (a failure where the backend is required, e.g. OpenCL in CI).
/// </summary>
public abstract class DeviceFixture(BackendKind backend, KernelFamily family) : IDisposable
{
    private readonly Lock gate = new();
    private ComputeDevice? device;

    /// <summary>The accelerator type under test.</summary>
    public BackendKind Backend { get; } = backend;

    /// <summary>The kernel family under test.</summary>
    public KernelFamily Family { get; } = family;

    /// <summary>True for ILGPU kernels on ILGPU's CPU accelerator (thousands of times slower than the CPU family: keep shapes small).</summary>
    public bool IsEmulated => Backend == BackendKind.Cpu && Family == KernelFamily.Ilgpu;

    /// <summary>The shared device, pinned to <see cref="Family"/>; skips the calling test when its accelerator is absent.</summary>
    public ComputeDevice Get()
    {
        var info = DeviceRequirement.RequireDevice(Backend);
        lock (gate)
        {
            return device ??= ComputeDevice.Open(info.Id, Family);
        }
    }

    /// <summary>The shared device's kernel runtime.</summary>
    public KernelDevice Kernels => Get().Kernels;

    /// <summary>A fresh device on the same accelerator and family, for tests that dispose theirs.</summary>
    public ComputeDevice OpenAnother() => ComputeDevice.Open(DeviceRequirement.RequireDevice(Backend).Id, Family);

    /// <inheritdoc />
    public override string ToString() => $"{Backend}/{Family}";

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            device?.Dispose();
            device = null;
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>The CPU accelerator with the CPU kernel family (always present).</summary>
public sealed class CpuFamilyFixture() : DeviceFixture(BackendKind.Cpu, KernelFamily.Cpu);

/// <summary>The CPU accelerator with ILGPU kernels (always present; slow).</summary>
public sealed class IlgpuCpuFixture() : DeviceFixture(BackendKind.Cpu, KernelFamily.Ilgpu);

/// <summary>The first OpenCL device ILGPU accepts, with ILGPU kernels.</summary>
public sealed class OpenCLFixture() : DeviceFixture(BackendKind.OpenCL, KernelFamily.Ilgpu);

/// <summary>The first CUDA device, with ILGPU kernels.</summary>
public sealed class CudaFixture() : DeviceFixture(BackendKind.Cuda, KernelFamily.Ilgpu);
