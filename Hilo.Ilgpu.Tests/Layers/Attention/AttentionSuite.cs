using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Layers.Attention;

/// <summary>
/// One <see cref="ComputeDevice"/> per test class and backend, opened on first use so that a missing device is a
/// visible skip (or a failure where the backend is required, e.g. OpenCL in CI).
/// </summary>
public abstract class AttentionDeviceFixture(BackendKind backend) : IDisposable
{
    private readonly Lock gate = new();
    private ComputeDevice? device;

    /// <summary>The backend under test.</summary>
    public BackendKind Backend { get; } = backend;

    /// <summary>The shared device; skips the calling test when absent.</summary>
    public ComputeDevice Get()
    {
        var info = DeviceRequirement.RequireDevice(Backend);
        lock (gate)
        {
            return device ??= ComputeDevice.Open(info.Id);
        }
    }

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

public sealed class CpuAttentionFixture() : AttentionDeviceFixture(BackendKind.Cpu);

public sealed class OpenCLAttentionFixture() : AttentionDeviceFixture(BackendKind.OpenCL);

public sealed class CudaAttentionFixture() : AttentionDeviceFixture(BackendKind.Cuda);

/// <summary>
/// The attention tests (kernels, layers, fixtures, property tests, bad input), written once and run on every
/// backend through one subclass per backend.
/// </summary>
public abstract partial class AttentionSuite(AttentionDeviceFixture fixture)
{
    /// <summary>Parity bound against the PyTorch fixtures (issue 3).</summary>
    protected const double Atol = 1e-4;

    protected ComputeDevice Device => fixture.Get();

    protected BackendKind Backend => fixture.Backend;

    protected static float[] RandomFloats(Random rng, int n, double sigma = 1.0)
    {
        var data = new float[n];
        for (int i = 0; i < n; i++)
        {
            // Box-Muller: normal values, like the fixtures' inputs.
            double u = 1.0 - rng.NextDouble(), v = rng.NextDouble();
            data[i] = (float)(sigma * Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v));
        }
        return data;
    }

    protected void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"[{Backend}] {line}");

    /// <summary>Max |got − want|; fails above <paramref name="tolerance"/>, naming the first bad index.</summary>
    protected double AssertClose(ReadOnlySpan<double> want, ReadOnlySpan<float> got, double tolerance, string what)
    {
        Assert.Equal(want.Length, got.Length);
        double max = 0;
        int worst = 0;
        for (int i = 0; i < want.Length; i++)
        {
            double e = Math.Abs(got[i] - want[i]);
            if (double.IsNaN(e) || e > max)
            {
                max = e;
                worst = i;
                if (double.IsNaN(e))
                {
                    break;
                }
            }
        }
        Log($"{what}: max abs error {max:G3}");
        Assert.True(max <= tolerance, $"{what}: max abs error {max:G4} at [{worst}] (got {got[worst]}, want {want[worst]}) exceeds {tolerance:G3}");
        return max;
    }
}

public sealed class CpuAttention(CpuAttentionFixture fixture) : AttentionSuite(fixture), IClassFixture<CpuAttentionFixture>;

public sealed class OpenCLAttention(OpenCLAttentionFixture fixture) : AttentionSuite(fixture), IClassFixture<OpenCLAttentionFixture>;

public sealed class CudaAttention(CudaAttentionFixture fixture) : AttentionSuite(fixture), IClassFixture<CudaAttentionFixture>;
