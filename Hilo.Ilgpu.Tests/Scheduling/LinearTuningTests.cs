using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Scheduling;
using Hilo.Ilgpu.Tests.Layers;

namespace Hilo.Ilgpu.Tests.Scheduling;

/// <summary>
/// <see cref="Linear"/> under the scheduler, on every backend: every GEMM variant gives the float64 reference's
/// result (≤ 1e-4), tuning runs on scratch buffers (a residual target is not disturbed), and the choice is made once
/// per shape and reused from the cache by other layers.
/// </summary>
public abstract class LinearTuningTests(DeviceFixture fixture) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-linear-tuning-").FullName;
    private KernelTuner? previous;

    protected ComputeDevice Device => fixture.Get();

    public void Dispose()
    {
        if (previous is not null)
        {
            Device.Tuner = previous;
        }
        Directory.Delete(dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    private KernelTuner UseTuner(TuningMode mode)
    {
        previous ??= Device.Tuner;
        var tuner = new KernelTuner(Device, mode, new TuningCache(Path.Combine(dir, "tuning.json")));
        Device.Tuner = tuner;
        return tuner;
    }

    private static float[] Random(int seed, int n)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
    }

    /// <summary>y[r, o] = bias[o] + Σᵢ x[r, i]·w[o, i] in float64.</summary>
    private static double[] Reference(Linear layer, float[] x, int rows)
    {
        float[] w = layer.Weight.Value.Data;
        float[]? b = layer.Bias?.Value.Data;
        int k = layer.InFeatures, n = layer.OutFeatures;
        var y = new double[rows * n];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < n; o++)
            {
                double sum = b is null ? 0 : b[o];
                for (int i = 0; i < k; i++)
                {
                    sum += (double)x[r * k + i] * w[o * k + i];
                }
                y[r * n + o] = sum;
            }
        }
        return y;
    }

    /// <summary>The variants of the fixture's family (each fixture covers its own).</summary>
    private IEnumerable<string> RunnableVariants => Linear.Variants.Where(v => Device.Allows(Linear.FamilyOf(v)));

    [Theory]
    [InlineData(37, 70, 45)] // edges of panels, row blocks and tiles
    [InlineData(200, 64, 96)]
    public void EveryVariantMatchesTheFloat64Reference(int rows, int inFeatures, int outFeatures)
    {
        foreach (string variant in RunnableVariants)
        {
            VariantMatchesTheFloat64Reference(variant, rows, inFeatures, outFeatures);
        }
    }

    [Fact]
    public void VariantsOfAnotherFamilyAreRefused()
    {
        using var layer = new Linear(Device, 8, 8);
        foreach (string variant in Linear.Variants.Where(v => !Device.Allows(Linear.FamilyOf(v))))
        {
            var e = Assert.Throws<ArgumentException>(() => layer.Variant = variant);
            Assert.Contains("does not run on", e.Message, StringComparison.Ordinal);
        }
    }

    private void VariantMatchesTheFloat64Reference(string variant, int rows, int inFeatures, int outFeatures)
    {
        using var layer = new Linear(Device, inFeatures, outFeatures) { Variant = variant };
        layer.InitializeRandom(rows + inFeatures);
        float[] x = Random(rows, rows * inFeatures);
        using var input = Device.Upload(x, rows, inFeatures);
        using var y = layer.Forward(input);
        Assert.Equal(variant, layer.VariantFor(rows));
        LayerAssert.Close(Reference(layer, x, rows), y.ToArray(), 1e-4, 0, $"{variant} {rows}x{inFeatures}x{outFeatures}");
    }

    [Fact]
    public void EveryVariantWritesColumnSlicesAndAccumulates()
    {
        foreach (string variant in RunnableVariants)
        {
            VariantWritesColumnSlicesAndAccumulates(variant);
        }
    }

    private void VariantWritesColumnSlicesAndAccumulates(string variant)
    {
        const int Rows = 29, In = 24, Out = 40, Stride = Out + 13, Offset = 5;
        using var layer = new Linear(Device, In, Out) { Variant = variant };
        layer.InitializeRandom(3);
        float[] x = Random(5, Rows * In);
        float[] start = Random(6, Rows * Stride);
        using var input = Device.Upload(x, Rows, In);
        using var output = Device.Upload(start, Rows, Stride);
        layer.ForwardInto(input, output.View, Stride, Offset, accumulate: true);
        float[] got = output.ToArray();
        double[] y = Reference(layer, x, Rows);
        var expected = start.Select(v => (double)v).ToArray();
        for (int r = 0; r < Rows; r++)
        {
            for (int o = 0; o < Out; o++)
            {
                expected[r * Stride + Offset + o] += y[r * Out + o];
            }
        }
        LayerAssert.Close(expected, got, 1e-4, 0, variant);
    }

    [Fact]
    public void TheChoiceIsMeasuredOncePerShapeAndReused()
    {
        var tuner = UseTuner(TuningMode.Measure);
        const int Rows = 48, In = 32, Out = 64;
        using var layer = new Linear(Device, In, Out);
        Assert.Null(layer.Variant);
        layer.InitializeRandom(11);
        float[] x = Random(12, Rows * In);
        using var input = Device.Upload(x, Rows, In);
        // A residual target: the tuning runs must not touch it (they use scratch buffers).
        float[] start = Random(13, Rows * Out);
        using var output = Device.Upload(start, Rows, Out);
        layer.ForwardInto(input, output.View, Out, 0, accumulate: true);
        Assert.Equal(1, tuner.MeasurementCount);
        var decision = Assert.Single(tuner.Decisions);
        Assert.Equal(Linear.TuningOperation, decision.Key.Operation);
        Assert.Equal("m=48,k=32,n=64", decision.Key.Shape);
        Assert.Equal($"{Device.Info.DriverVersion}; kernels {TuningKey.KernelsBuild}", decision.Key.Driver);
        Assert.Contains(decision.Choice, Linear.Variants);
        // Every variant of the device's family is a candidate (on ILGPU devices, the block GEMMs too).
        Assert.All(RunnableVariants, v => Assert.True(decision.Entry!.Milliseconds.ContainsKey(v), $"{v} was not measured"));
        Assert.Equal(decision.Choice, layer.VariantFor(Rows));
        double[] y = Reference(layer, x, Rows);
        LayerAssert.Close([.. start.Select((v, i) => v + y[i])], output.ToArray(), 1e-4, 0, "accumulated after tuning");

        // The second forward measures nothing; neither does a new layer of the same shape (cache hit), while a new
        // row count is a new key.
        layer.Forward(input).Dispose();
        using var twin = new Linear(Device, In, Out);
        twin.InitializeRandom(14);
        using var twinOut = twin.Forward(input);
        Assert.Equal(1, tuner.MeasurementCount);
        LayerAssert.Close(Reference(twin, x, Rows), twinOut.ToArray(), 1e-4, 0, "cached choice");
        using var fewer = Device.Upload(x.AsSpan(0, 8 * In), 8, In);
        layer.Forward(fewer).Dispose();
        Assert.Equal(2, tuner.MeasurementCount);
    }

    [Fact]
    public void WithTuningOffTheDeviceStyleDefaultRuns()
    {
        var tuner = UseTuner(TuningMode.Off);
        using var layer = new Linear(Device, 16, 16);
        layer.InitializeRandom(1);
        Assert.Equal(layer.DefaultVariant, layer.VariantFor(10));
        Assert.Equal(Device.Family == KernelFamily.Cpu ? Linear.PanelVariant : Linear.TiledVariant, layer.DefaultVariant);
        Assert.Equal(0, tuner.MeasurementCount);
        Assert.Empty(tuner.Cache.Entries);
    }

    [Fact]
    public void AnExplicitFamilyPinsItsVariant()
    {
        var tuner = UseTuner(TuningMode.Measure);
        using var layer = new Linear(Device, 16, 16, family: Device.Family);
        layer.InitializeRandom(1);
        Assert.Equal(Device.Family == KernelFamily.Cpu ? Linear.PanelVariant : Linear.TiledVariant, layer.VariantFor(10));
        Assert.Equal(0, tuner.MeasurementCount);
        Assert.Throws<ArgumentException>(() => layer.Variant = "fastest");
    }
}

public sealed class CpuLinearTuningTests(CpuFamilyFixture fixture) : LinearTuningTests(fixture), IClassFixture<CpuFamilyFixture>;

public sealed class IlgpuCpuLinearTuningTests(IlgpuCpuFixture fixture) : LinearTuningTests(fixture), IClassFixture<IlgpuCpuFixture>;

public sealed class OpenCLLinearTuningTests(OpenCLFixture fixture) : LinearTuningTests(fixture), IClassFixture<OpenCLFixture>;

public sealed class CudaLinearTuningTests(CudaFixture fixture) : LinearTuningTests(fixture), IClassFixture<CudaFixture>;
