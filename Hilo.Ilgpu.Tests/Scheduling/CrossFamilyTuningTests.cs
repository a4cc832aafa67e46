using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Scheduling;

namespace Hilo.Ilgpu.Tests.Scheduling;

/// <summary>
/// On the CPU accelerator without a pinned family, the tuner chooses between the families by measuring both: once per
/// device in the family screen (a family over 20× slower than the best is then not measured per shape), or, with the
/// screen off, at every shape, where the ILGPU candidates are timed (or stopped early by their probe) next to the CPU
/// family's — on ILGPU's CPU accelerator the CPU family wins, by a factor of hundreds.
/// </summary>
public sealed class CrossFamilyTuningTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-cross-family-").FullName;
    private readonly ComputeDevice device = ComputeDevice.Open("cpu");

    public void Dispose()
    {
        device.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    private KernelTuner UseTuner(bool screen = false)
    {
        var tuner = new KernelTuner(device, TuningMode.Measure, new TuningCache(Path.Combine(dir, "tuning.json"))) { ScreenFamilies = screen };
        device.Tuner = tuner;
        return tuner;
    }

    [Fact]
    public void TheFamilyScreenMeasuresBothFamiliesOnceAndLeavesTheSlowOneOut()
    {
        var tuner = UseTuner(screen: true);
        using var layer = new Linear(device, 64, 64);
        layer.InitializeRandom(1);
        string choice = layer.VariantFor(256);

        var screen = tuner.FamilyScreen!;
        Assert.Equal(TuningSource.Measured, screen.Source);
        Assert.Equal(KernelTuner.ScreenOperation, screen.Key.Operation);
        var times = screen.Entry!.Milliseconds;
        Assert.All(Linear.BuiltInVariants, v => Assert.True(times.ContainsKey(v), $"{v} was not screened"));
        double cpuBest = times.Where(p => Linear.FamilyOf(p.Key) == KernelFamily.Cpu).Min(p => p.Value);
        double ilgpuBest = times.Where(p => Linear.FamilyOf(p.Key) == KernelFamily.Ilgpu).Min(p => p.Value);
        Assert.True(ilgpuBest > KernelTuner.ScreenFactor * cpuBest, $"ILGPU kernels on emulated threads ({ilgpuBest} ms) not 20x slower than the CPU family ({cpuBest} ms)");
        Assert.True(tuner.Considers(KernelFamily.Cpu));
        Assert.False(tuner.Considers(KernelFamily.Ilgpu));

        // The per-shape measurement timed the CPU family's built-in variants only (and any registered variant: another
        // test of this process may have registered one, which is always measured).
        var entry = Assert.Single(tuner.Decisions).Entry!;
        Assert.Equal(KernelFamily.Cpu, Linear.FamilyOf(choice));
        var builtIn = entry.Milliseconds.Keys.Where(Linear.BuiltInVariants.Contains).ToList();
        Assert.Contains(Linear.PanelVariant, builtIn);
        Assert.All(builtIn, v => Assert.Equal(KernelFamily.Cpu, Linear.FamilyOf(v)));

        // A later tuner on the same cache reads the screen instead of measuring it again.
        var again = UseTuner(screen: true);
        Assert.False(again.Considers(KernelFamily.Ilgpu));
        Assert.Equal(TuningSource.Cached, again.FamilyScreen!.Source);
    }

    [Fact]
    public void APinnedDeviceNeedsNoScreen()
    {
        using var pinned = ComputeDevice.Open("cpu", KernelFamily.Cpu);
        var tuner = new KernelTuner(pinned, TuningMode.Measure, new TuningCache(Path.Combine(dir, "pinned.json")));
        Assert.True(tuner.Considers(KernelFamily.Cpu));
        Assert.False(tuner.Considers(KernelFamily.Ilgpu));
        Assert.Null(tuner.FamilyScreen);
    }

    [Fact]
    public void AnUnpinnedCpuDeviceOffersBothFamilies()
    {
        Assert.Null(device.PinnedFamily);
        Assert.Equal(KernelFamily.Cpu, device.Family);
        Assert.True(device.Allows(KernelFamily.Cpu) && device.Allows(KernelFamily.Ilgpu));
    }

    [Fact]
    public void LinearMeasuresTheIlgpuGemmAndChoosesTheCpuFamily()
    {
        var tuner = UseTuner();
        using var layer = new Linear(device, 64, 64);
        layer.InitializeRandom(1);
        string choice = layer.VariantFor(64);
        var entry = Assert.Single(tuner.Decisions).Entry!;
        Assert.True(entry.Milliseconds.ContainsKey(Linear.TiledVariant), "the ILGPU GEMM was not a candidate");
        Assert.Equal(KernelFamily.Cpu, Linear.FamilyOf(choice));
        Assert.True(entry.Milliseconds[Linear.TiledVariant] > entry.Milliseconds[choice]);
    }

    [Fact]
    public void HiLoMeasuresTheIlgpuAttentionAndChoosesTheCpuFamily()
    {
        var tuner = UseTuner();
        using var layer = new HiLoAttention(device, 32, 2, 2, 0.5, qkvBias: true);
        layer.InitializeRandom(2);
        foreach (var l in new[] { layer.LQ!, layer.LKv!, layer.LProj!, layer.HQkv!, layer.HProj! })
        {
            l.Variant = l.DefaultVariant;
        }
        using var x = device.Upload(new float[2 * 16 * 32], 2, 16, 32);
        layer.Forward(x, 4, 4).Dispose();
        foreach (var decision in tuner.Decisions)
        {
            Assert.Equal(TuningSource.Measured, decision.Source);
            Assert.True(decision.Entry!.Milliseconds.ContainsKey(HiLoAttention.IlgpuVariant), $"{decision.Key}: the ILGPU kernel was not a candidate");
            Assert.Equal(KernelFamily.Cpu, HiLoAttention.FamilyOf(decision.Choice));
        }
        Assert.Equal(2, tuner.Decisions.Count);
    }
}
