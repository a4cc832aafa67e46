using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Scheduling;
using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Scheduling;

/// <summary>
/// The planner measuring on real devices at a tiny size (64² images: stage 3 is 4×4, windows 2 and 4; batch 1) and the
/// planned configuration built into a model. Timings are not asserted (noisy shared machine), only their use.
/// </summary>
public sealed class ModelPlannerDeviceTests
{
    private static readonly ModelPlanOptions Tiny = new() { ImageSize = 64, Batch = 1, Runs = 1, Warmup = 1, Verify = true };

    [Fact]
    public void PlansLitv2SOnTheManagedCpuAndTheModelTakesThePlan() => PlanOn("cpu");

    [Fact]
    public void PlansLitv2SOnOpenCL() => PlanOn(DeviceRequirement.RequireDevice(BackendKind.OpenCL).Id);

    private static void PlanOn(string id)
    {
        using var device = ComputeDevice.Open(id);
        var config = Litv2Config.Preset("litv2-s");
        var lines = new List<string>();
        var plan = ModelPlanner.Plan(device, config, Tiny, new SyncProgress(lines.Add));

        Assert.Equal((id, device.Info.Name, 64, 1), (plan.DeviceId, plan.DeviceName, plan.ImageSize, plan.Batch));
        Assert.Equal(14, plan.Candidates.Count);   // windows 2, 4 × seven α
        Assert.Equal(14, lines.Count(l => l.EndsWith("ms per layer", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("whole model as planned", StringComparison.Ordinal));
        Assert.Equal(3, lines.Count(l => l.StartsWith("round ", StringComparison.Ordinal)));   // one round each: layers, default model, default + planned
        Assert.All(plan.Candidates, c => Assert.True(c.MillisecondsPerLayer > 0 && double.IsFinite(c.MillisecondsPerLayer)));
        Assert.True(plan.DefaultMilliseconds > 0 && plan.RestMilliseconds >= 0 && plan.RestMilliseconds <= plan.DefaultMilliseconds);
        Assert.True(plan.EstimatedMilliseconds <= plan.DefaultMilliseconds * (1 + 1e-12), "the default is always a candidate");
        Assert.True(plan.Verification!.MeasuredMilliseconds > 0 && plan.Verification.DefaultMilliseconds > 0);
        var chosen = Assert.Single(plan.Candidates, c => c.IsChosen);
        Assert.True(chosen.Allowed);
        Assert.Equal(plan.Alpha, chosen.Alpha);
        Assert.Contains(plan.Alpha, new[] { 0.2, 0.5, 0.7, 0.9, 1.0 });   // 0.0 and 0.4 are below 82.03 − 0.2
        Assert.Equal(1, plan.LocalWs[3]);

        // The planned model's HiLo layers have the planned window and heads.
        var planned = plan.PlannedConfig;
        using var model = new Litv2Model(device, planned);
        foreach (var stage in model.Layers.Items.Where(s => Litv2Config.HasAttention(s.Index)))
        {
            foreach (var block in stage.Blocks.Items.Cast<HiLoBlock>())
            {
                var attn = block.Attn;
                int heads = planned.NumHeads[stage.Index];
                int loFi = plan.LocalWs[stage.Index] == 1 ? heads : (int)(heads * plan.Alpha);
                Assert.Equal((plan.LocalWs[stage.Index], loFi, heads - loFi), (attn.WindowSize, attn.LoFiHeads, attn.HiFiHeads));
            }
        }
    }

    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
