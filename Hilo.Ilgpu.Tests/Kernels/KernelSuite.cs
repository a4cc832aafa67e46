using System.Globalization;
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Tests.Conformance;

namespace Hilo.Ilgpu.Tests.Kernels;

/// <summary>
/// Tests of the real kernels in Hilo.Ilgpu.Kernels, written once and run on every backend through one small
/// subclass per backend. Expected values come from the plain C# references next to each kernel.
/// </summary>
public abstract partial class KernelSuite(AcceleratorFixture fixture)
{
    protected Accelerator Acc => fixture.Get();

    protected BackendKind Backend => fixture.Backend;

    protected MemoryBuffer<T> Upload<T>(T[] data) where T : unmanaged => Acc.Allocate<T>(data);

    protected MemoryBuffer<T> Filled<T>(int length, T value) where T : unmanaged
    {
        var buffer = Acc.Allocate<T>(length);
        buffer.Fill(value);
        return buffer;
    }

    protected static float[] RandomFloats(Random rng, int n, float lo = -1f, float hi = 1f) =>
        [.. Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * (float)rng.NextDouble())];

    protected void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"[{Backend}] {line}");

    protected static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

public sealed class CpuKernels(CpuFixture fixture) : KernelSuite(fixture), IClassFixture<CpuFixture>;

public sealed class OpenCLKernels(OpenCLFixture fixture) : KernelSuite(fixture), IClassFixture<OpenCLFixture>;

public sealed class CudaKernels(CudaFixture fixture) : KernelSuite(fixture), IClassFixture<CudaFixture>;
