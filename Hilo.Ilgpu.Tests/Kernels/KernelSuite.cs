using System.Globalization;
using Hilo.Ilgpu.Kernels.Layers.Basic;

namespace Hilo.Ilgpu.Tests.Kernels;

/// <summary>
/// Tests of the real kernels in Hilo.Ilgpu.Kernels, written once and run on every accelerator and family through one
/// small subclass each (the CPU family, ILGPU kernels on the CPU accelerator, OpenCL, CUDA). Expected values come from
/// the plain C# references next to each kernel.
/// </summary>
public abstract partial class KernelSuite(DeviceFixture fixture)
{
    protected KernelDevice Dev => fixture.Kernels;

    protected BackendKind Backend => fixture.Backend;

    protected KernelFamily Family => fixture.Family;

    protected bool IsEmulated => fixture.IsEmulated;

    protected DeviceBuffer Upload(float[] data) => Dev.Upload(data);

    protected DeviceBuffer Filled(long length, float value)
    {
        var buffer = Dev.Allocate(length);
        Elementwise.Fill(Dev, Family, buffer.View, value);
        return buffer;
    }

    protected float[] Download(DeviceBuffer buffer)
    {
        var data = new float[buffer.Length];
        Dev.CopyToHost(buffer.View, data);
        return data;
    }

    protected static float[] RandomFloats(Random rng, int n, float lo = -1f, float hi = 1f) =>
        [.. Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * (float)rng.NextDouble())];

    protected void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"[{fixture}] {line}");

    protected static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

public sealed class CpuKernels(CpuFamilyFixture fixture) : KernelSuite(fixture), IClassFixture<CpuFamilyFixture>;

public sealed class IlgpuCpuKernels(IlgpuCpuFixture fixture) : KernelSuite(fixture), IClassFixture<IlgpuCpuFixture>;

public sealed class OpenCLKernels(OpenCLFixture fixture) : KernelSuite(fixture), IClassFixture<OpenCLFixture>;

public sealed class CudaKernels(CudaFixture fixture) : KernelSuite(fixture), IClassFixture<CudaFixture>;
