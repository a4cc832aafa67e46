using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Scheduling;

namespace Hilo.Ilgpu.Tests.Scheduling;

/// <summary>
/// On the CPU accelerator without a pinned family, the tuner chooses between the families by measuring both: the
/// ILGPU candidates are timed (or stopped early by their probe) next to the CPU family's, and the choice is the
/// faster one — on ILGPU's CPU accelerator the CPU family, by a factor of hundreds.
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

    private KernelTuner UseTuner()
    {
        var tuner = new KernelTuner(device, TuningMode.Measure, new TuningCache(Path.Combine(dir, "tuning.json")));
        device.Tuner = tuner;
        return tuner;
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
