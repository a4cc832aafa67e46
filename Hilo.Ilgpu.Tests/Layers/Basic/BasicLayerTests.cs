using System.Globalization;
using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Tests.Layers.Basic;

/// <summary>
/// Tests of the basic layers (Linear, LayerNorm, GELU, softmax, add, mean over tokens, classifier head), written
/// once and run on every backend through one subclass per backend: parity with the PyTorch fixtures, float64
/// reference property tests on random shapes, and bad input.
/// </summary>
public abstract partial class BasicLayerTests(DeviceFixture fixture)
{
    /// <summary>The parity criterion of issue 3.</summary>
    protected const double ParityAtol = 1e-4;

    protected ComputeDevice Device => fixture.Get();

    protected BackendKind Backend => fixture.Backend;

    protected Tensor Upload(HostTensor host) => Device.Upload(host);

    protected Tensor Upload(float[] data, params int[] shape) => Device.Upload(data, shape);

    protected static float[] RandomFloats(Random rng, int n, double scale = 1.0, double shift = 0.0) =>
        [.. Enumerable.Range(0, n).Select(_ => (float)(shift + scale * (rng.NextDouble() * 2 - 1)))];

    protected void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"[{Backend}] {line}");

    protected static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

public sealed class CpuBasicLayerTests(CpuFamilyFixture fixture) : BasicLayerTests(fixture), IClassFixture<CpuFamilyFixture>;

public sealed class IlgpuCpuBasicLayerTests(IlgpuCpuFixture fixture) : BasicLayerTests(fixture), IClassFixture<IlgpuCpuFixture>;

public sealed class OpenCLBasicLayerTests(OpenCLFixture fixture) : BasicLayerTests(fixture), IClassFixture<OpenCLFixture>;

public sealed class CudaBasicLayerTests(CudaFixture fixture) : BasicLayerTests(fixture), IClassFixture<CudaFixture>;
