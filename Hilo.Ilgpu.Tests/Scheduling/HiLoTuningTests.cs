using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Scheduling;
using Hilo.Ilgpu.Tests.Layers;

namespace Hilo.Ilgpu.Tests.Scheduling;

/// <summary>
/// <see cref="HiLoAttention"/>'s attention kernels under the scheduler, on every backend: every Lo-Fi and Hi-Fi
/// variant, pinned, gives the float64 reference's output (≤ 1e-4) on padded maps and batches over 1; in measure
/// mode the first forward measures both branches once and stores the choice, the second measures nothing; with
/// tuning off the device-style default runs.
/// </summary>
public abstract class HiLoTuningTests(DeviceFixture fixture) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-attention-tuning-").FullName;
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

    private static float[] Uniform(Random rng, int n, double scale)
    {
        return [.. Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale))];
    }

    // Weights uniform with variance 1/fan_in (so q·k logits are of order 1 and the softmax is far from uniform),
    // biases ±0.3, input ±√3 (variance 1); returns the input and the float64 reference output.
    private static (float[] X, double[] Want) Case(HiLoAttention layer, int batch, int height, int width, int seed)
    {
        var rng = new Random(seed);
        layer.InitializeRandom(seed);
        foreach (var (_, p) in layer.NamedParameters())
        {
            float[] data = p.Value.Data;
            double scale = p.Shape.Count == 1 ? 0.3 : Math.Sqrt(3.0 / p.Shape[1]);
            Uniform(rng, data.Length, scale).CopyTo(data, 0);
        }
        layer.Prepare();
        var values = layer.NamedParameters().ToDictionary(e => e.Name, e => e.Parameter.Value.Data.Select(v => (double)v).ToArray());
        float[] x = Uniform(rng, batch * height * width * layer.Dim, Math.Sqrt(3));
        double[] want = AttentionReference.HiLo([.. x.Select(v => (double)v)], batch, height, width, layer.Dim, layer.NumHeads, layer.WindowSize, layer.Alpha,
            name => values.TryGetValue(name, out var v) ? v : null);
        return (x, want);
    }

    /// <summary>B, H, W, dim, heads, s, α: head dims 16 and 32, maps not divisible by s.</summary>
    public static TheoryData<int, int, int, int, int, int, double> PinnedCases() => new()
    {
        { 2, 5, 7, 64, 4, 2, 0.5 },     // padded bottom and right, 2 + 2 heads of 16
        { 3, 9, 4, 128, 4, 2, 0.75 },   // padded bottom, 3 Lo-Fi + 1 Hi-Fi heads of 32
        { 1, 7, 8, 96, 3, 3, 0.67 },    // s = 3: 9 keys per window, 3×3 pooled map
        { 2, 14, 14, 160, 10, 2, 0.9 }, // the protocol's layout (dim 768 → 160): 9 Lo-Fi heads, 49 keys
    };

    /// <summary>(Lo-Fi, Hi-Fi) variant pairs covering every variant of the fixture's family.</summary>
    private IEnumerable<(string LoFi, string HiFi)> PinnablePairs() =>
        new[]
        {
            (HiLoAttention.CpuVariant, HiLoAttention.CpuVariant),
            (HiLoAttention.CpuBlockedVariant, HiLoAttention.CpuTransposedVariant),
            (HiLoAttention.CpuScalarVariant, HiLoAttention.CpuScalarVariant),
            (HiLoAttention.IlgpuVariant, HiLoAttention.IlgpuVariant),
            (HiLoAttention.IlgpuVariant, HiLoAttention.IlgpuWindowVariant),
        }.Where(p => Device.Allows(HiLoAttention.FamilyOf(p.Item1)));

    [Theory]
    [MemberData(nameof(PinnedCases))]
    public void EveryPinnedVariantMatchesTheFloat64Reference(int batch, int height, int width, int dim, int heads, int window, double alpha)
    {
        foreach (var (loFi, hiFi) in PinnablePairs())
        {
            PinnedVariantMatchesTheFloat64Reference(loFi, hiFi, batch, height, width, dim, heads, window, alpha);
        }
    }

    private void PinnedVariantMatchesTheFloat64Reference(string loFi, string hiFi, int batch, int height, int width, int dim, int heads, int window, double alpha)
    {
        var tuner = UseTuner(TuningMode.Measure);
        using var layer = new HiLoAttention(Device, dim, heads, window, alpha, qkvBias: true) { LoFiVariant = loFi, HiFiVariant = hiFi };
        Assert.True(layer.LoFiHeads > 0 && layer.HiFiHeads > 0);
        var (x, want) = Case(layer, batch, height, width, batch * 100 + height * 10 + width);
        // The layer's Linear projections still go through the tuner; its attention kernels do not.
        foreach (var l in new[] { layer.LQ!, layer.LKv!, layer.LProj!, layer.HQkv!, layer.HProj! })
        {
            l.Variant = l.DefaultVariant;
        }
        using var input = Device.Upload(x, batch, height * width, dim);
        using var y = layer.Forward(input, height, width);
        LayerAssert.Close(want, y.ToArray(), 1e-4, 0, $"Lo-Fi {loFi}, Hi-Fi {hiFi}, {batch}x{height}x{width} dim {dim} heads {heads} s {window}");
        Assert.Equal(0, tuner.MeasurementCount);
        Assert.Empty(tuner.Decisions);
    }

    [Fact]
    public void AllLoFiLayerWithWindowOneRunsEveryLoFiVariant()
    {
        UseTuner(TuningMode.Off);
        foreach (string v in HiLoAttention.LoFiVariants.Where(v => Device.Allows(HiLoAttention.FamilyOf(v))))
        {
            using var layer = new HiLoAttention(Device, 32, 2, windowSize: 1, alpha: 0.5, qkvBias: false) { LoFiVariant = v };
            Assert.Equal(0, layer.HiFiHeads);
            var (x, want) = Case(layer, 2, 3, 5, 7);
            using var input = Device.Upload(x, 2, 15, 32);
            using var y = layer.Forward(input, 3, 5);
            LayerAssert.Close(want, y.ToArray(), 1e-4, 0, $"s = 1, Lo-Fi {v}");
        }
    }

    [Fact]
    public void MeasureModeChoosesOncePerShapeAndCachesTheChoice()
    {
        var tuner = UseTuner(TuningMode.Measure);
        const int Batch = 2, Height = 7, Width = 5, Dim = 64, Heads = 4;
        using var layer = new HiLoAttention(Device, Dim, Heads, 2, 0.5, qkvBias: true);
        Assert.Null(layer.LoFiVariant);
        Assert.Null(layer.HiFiVariant);
        var (x, want) = Case(layer, Batch, Height, Width, 3);
        using var input = Device.Upload(x, Batch, Height * Width, Dim);
        using (var y = layer.Forward(input, Height, Width))
        {
            LayerAssert.Close(want, y.ToArray(), 1e-4, 0, "forward that measured");
        }
        var lofi = Assert.Single(tuner.Decisions, d => d.Key.Operation == HiLoAttention.LoFiTuningOperation);
        var hifi = Assert.Single(tuner.Decisions, d => d.Key.Operation == HiLoAttention.HiFiTuningOperation);
        Assert.Equal("b=2,h=7,w=5,heads=2,d=16,keys=12", lofi.Key.Shape);
        Assert.Equal("b=2,h=7,w=5,heads=2,d=16,window=2", hifi.Key.Shape);
        Assert.Equal(layer.LoFiTuningShape(Batch, Height, Width), lofi.Key.Shape);
        Assert.Equal(layer.HiFiTuningShape(Batch, Height, Width), hifi.Key.Shape);
        bool measures = false;
        foreach (var (decision, all) in new[] { (lofi, HiLoAttention.LoFiVariants), (hifi, HiLoAttention.HiFiVariants) })
        {
            var variants = all.Where(v => Device.Allows(HiLoAttention.FamilyOf(v))).ToList();
            Assert.Contains(decision.Choice, variants);
            if (variants.Count == 1)
            {
                // One candidate (a device that runs ILGPU kernels only): nothing to measure.
                Assert.Equal(TuningSource.Default, decision.Source);
                continue;
            }
            measures = true;
            Assert.Equal(TuningSource.Measured, decision.Source);
            // Every candidate of the device's families was timed (d = 16 suits the vector kernels).
            Assert.Equal(variants.Order(), decision.Entry!.Milliseconds.Keys.Order());
            Assert.True(tuner.Cache.TryGet(decision.Key, out var cached));
            Assert.Equal(decision.Choice, cached.Choice);
        }
        if (!measures)
        {
            return;
        }
        Assert.True(File.Exists(Path.Combine(dir, "tuning.json")));

        // The second forward measures nothing; a new layer of the same shape reads the cache; a new batch is a new key.
        int measured = tuner.MeasurementCount;
        using (var again = layer.Forward(input, Height, Width))
        {
            LayerAssert.Close(want, again.ToArray(), 1e-4, 0, "forward with the chosen variants");
        }
        Assert.Equal(measured, tuner.MeasurementCount);
        using var twin = new HiLoAttention(Device, Dim, Heads, 2, 0.5, qkvBias: true);
        var (tx, twant) = Case(twin, Batch, Height, Width, 4);
        using var tinput = Device.Upload(tx, Batch, Height * Width, Dim);
        using (var ty = twin.Forward(tinput, Height, Width))
        {
            LayerAssert.Close(twant, ty.ToArray(), 1e-4, 0, "twin with cached choices");
        }
        Assert.Equal(measured, tuner.MeasurementCount);
        using var one = Device.Upload(x.AsSpan(0, Height * Width * Dim), 1, Height * Width, Dim);
        layer.Forward(one, Height, Width).Dispose();
        foreach (var (op, all) in new[] { (HiLoAttention.LoFiTuningOperation, HiLoAttention.LoFiVariants), (HiLoAttention.HiFiTuningOperation, HiLoAttention.HiFiVariants) })
        {
            var source = all.Count(v => Device.Allows(HiLoAttention.FamilyOf(v))) > 1 ? TuningSource.Measured : TuningSource.Default;
            Assert.Contains(tuner.Decisions, d => d.Key.Operation == op && d.Key.Shape.StartsWith("b=1,", StringComparison.Ordinal) && d.Source == source);
        }
    }

    [Fact]
    public void WithTuningOffTheDeviceStyleDefaultRuns()
    {
        var tuner = UseTuner(TuningMode.Off);
        using var layer = new HiLoAttention(Device, 64, 4, 2, 0.5, qkvBias: true);
        var (x, want) = Case(layer, 1, 4, 6, 5);
        using var input = Device.Upload(x, 1, 24, 64);
        using var y = layer.Forward(input, 4, 6);
        LayerAssert.Close(want, y.ToArray(), 1e-4, 0, "tuning off");
        string expected = Device.Family == KernelFamily.Cpu ? HiLoAttention.CpuVariant : HiLoAttention.IlgpuVariant;
        // Hi-Fi on ILGPU devices: the shared-memory window kernel (its keys read coalesced) takes d = 16, s = 2.
        string expectedHiFi = Device.Family == KernelFamily.Cpu ? HiLoAttention.CpuVariant : HiLoAttention.IlgpuWindowVariant;
        Assert.Equal(expected, layer.DefaultVariant);
        Assert.Equal(expectedHiFi, layer.DefaultHiFiVariant);
        foreach (var (op, choice) in new[] { (HiLoAttention.LoFiTuningOperation, expected), (HiLoAttention.HiFiTuningOperation, expectedHiFi) })
        {
            var d = Assert.Single(tuner.Decisions, d => d.Key.Operation == op);
            Assert.Equal(TuningSource.Default, d.Source);
            Assert.Equal(choice, d.Choice);
        }
        Assert.Equal(0, tuner.MeasurementCount);
        Assert.Empty(tuner.Cache.Entries);
    }

    [Fact]
    public void HeadDimsTheVectorKernelsCannotTakeLeaveOneVariantPerFamily()
    {
        var tuner = UseTuner(TuningMode.Measure);
        using var layer = new HiLoAttention(Device, 24, 3, 2, 0.67, qkvBias: true); // d = 8
        string only = Device.Family == KernelFamily.Cpu ? HiLoAttention.CpuScalarVariant : HiLoAttention.IlgpuVariant;
        Assert.Equal(only, layer.DefaultVariant);
        Assert.Throws<ArgumentException>(() => layer.LoFiVariant = HiLoAttention.CpuBlockedVariant);
        Assert.Throws<ArgumentException>(() => layer.HiFiVariant = HiLoAttention.CpuVariant);
        Assert.Throws<ArgumentException>(() => layer.HiFiVariant = HiLoAttention.CpuBlockedVariant);
        Assert.Throws<ArgumentException>(() => layer.LoFiVariant = "fastest");
        var (x, want) = Case(layer, 2, 5, 3, 9);
        using var input = Device.Upload(x, 2, 15, 24);
        using var y = layer.Forward(input, 5, 3);
        LayerAssert.Close(want, y.ToArray(), 1e-4, 0, "d = 8");
        // Lo-Fi: one candidate per family, nothing to measure. Hi-Fi: the CPU family has one too; ILGPU kernels have the
        // per-token and the per-window kernel (which takes any head dim while s²·d fits its shared memory).
        var lofi = Assert.Single(tuner.Decisions, d => d.Key.Operation == HiLoAttention.LoFiTuningOperation);
        Assert.Equal(TuningSource.Default, lofi.Source);
        Assert.Equal(only, lofi.Choice);
        var hifi = Assert.Single(tuner.Decisions, d => d.Key.Operation == HiLoAttention.HiFiTuningOperation);
        if (Device.Family == KernelFamily.Cpu)
        {
            Assert.Equal(TuningSource.Default, hifi.Source);
            Assert.Equal(only, hifi.Choice);
        }
        else
        {
            Assert.Equal(TuningSource.Measured, hifi.Source);
            Assert.Contains(hifi.Choice, new[] { HiLoAttention.IlgpuVariant, HiLoAttention.IlgpuWindowVariant });
        }
    }
}

public sealed class CpuHiLoTuningTests(CpuFamilyFixture fixture) : HiLoTuningTests(fixture), IClassFixture<CpuFamilyFixture>;

public sealed class IlgpuCpuHiLoTuningTests(IlgpuCpuFixture fixture) : HiLoTuningTests(fixture), IClassFixture<IlgpuCpuFixture>;

public sealed class OpenCLHiLoTuningTests(OpenCLFixture fixture) : HiLoTuningTests(fixture), IClassFixture<OpenCLFixture>;

public sealed class CudaHiLoTuningTests(CudaFixture fixture) : HiLoTuningTests(fixture), IClassFixture<CudaFixture>;
