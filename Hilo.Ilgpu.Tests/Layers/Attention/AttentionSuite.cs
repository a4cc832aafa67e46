using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Layers.Attention;

/// <summary>
/// The attention tests (kernels, layers, fixtures, property tests, bad input), written once and run on every
/// accelerator and family through one subclass each.
/// </summary>
public abstract partial class AttentionSuite(DeviceFixture fixture) : AttentionTestBase(fixture);

/// <summary>What the attention test classes share: the device under test and the float64 comparisons.</summary>
public abstract class AttentionTestBase(DeviceFixture fixture)
{
    /// <summary>Parity bound against the PyTorch fixtures (issue 3).</summary>
    protected const double Atol = 1e-4;

    protected ComputeDevice Device => fixture.Get();

    protected BackendKind Backend => fixture.Backend;

    protected KernelFamily Family => fixture.Family;

    protected bool IsEmulated => fixture.IsEmulated;

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

    protected void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"[{fixture}] {line}");

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

    // The written columns match the reference; every other column still holds the NaN it was filled with.
    protected void AssertColumns(float[] got, double[] want, int rows, int stride, int offset, int dim, string what, double tolerance)
    {
        var written = new float[rows * dim];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < stride; c++)
            {
                float v = got[r * stride + c];
                if (c >= offset && c < offset + dim)
                {
                    written[r * dim + c - offset] = v;
                }
                else
                {
                    Assert.True(float.IsNaN(v), $"{what}: column {c} of row {r} outside the output slice was written");
                }
            }
        }
        AssertClose(want, written, tolerance, what);
    }
}

public sealed class CpuAttention(CpuFamilyFixture fixture) : AttentionSuite(fixture), IClassFixture<CpuFamilyFixture>;

public sealed class IlgpuCpuAttention(IlgpuCpuFixture fixture) : AttentionSuite(fixture), IClassFixture<IlgpuCpuFixture>;

public sealed class OpenCLAttention(OpenCLFixture fixture) : AttentionSuite(fixture), IClassFixture<OpenCLFixture>;

public sealed class CudaAttention(CudaFixture fixture) : AttentionSuite(fixture), IClassFixture<CudaFixture>;
