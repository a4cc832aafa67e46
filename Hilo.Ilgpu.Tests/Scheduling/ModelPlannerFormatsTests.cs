using System.Text.Json;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Scheduling;

namespace Hilo.Ilgpu.Tests.Scheduling;

/// <summary>The printed table and the JSON of a plan made from given timings (every figure worked out by hand).</summary>
public sealed class ModelPlannerFormatsTests
{
    // Stage 3 of LITv2-S: α 0.9 at s 4 takes 5 ms, α 0.9 at s 2 (the default) 10 ms, everything else 20 ms; the model 200 ms.
    private static ModelPlan Plan(bool verify, double verifiedMs = 160) => ModelPlanner.Plan(Litv2Config.Preset("litv2-s"), new ModelPlanOptions { Verify = verify }, new ModelPlanTimer
    {
        DeviceId = "fake:0",
        DeviceName = "Fake",
        LayerMilliseconds = cases => [.. cases.Select(c => (c.Window, c.LoFiHeads) switch { (4, 10) => 5.0, (2, 10) => 10.0, _ => 20.0 })],
        ModelMilliseconds = cases => cases.Count == 1 ? [200.0] : [200.0, verifiedMs],
    });

    [Fact]
    public void TheTableListsEveryCandidateThePlanAndTheNotes()
    {
        var output = new StringWriter();
        ModelPlanFormats.WriteTable(output, Plan(verify: true));
        string[] lines = output.ToString().Split('\n');
        Assert.Equal("litv2-s on fake:0 (Fake), 224×224, batch 16, median of 5 run(s)", lines[0]);
        // rest = 200 − 6 × 10 = 140 ms; default 16 images in 200 ms = 80 img/s.
        Assert.Equal("default (α 0.9, local_ws [0, 0, 2, 1]): measured 200.0 ms/batch = 80.0 img/s; the model outside the planned HiLo layers: 140.0 ms", lines[1]);
        Assert.Equal("accuracy constraint: published top-1 ≥ 81.83 (default 82.03 − 0.2)", lines[2]);
        Assert.Equal(["stage", "s", "α", "Lo/Hi", "ms/layer", "est.", "img/s", "top-1", "decision"], lines[4].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(28, lines.Count(l => l.StartsWith("    3 ", StringComparison.Ordinal)));
        // α 0.9 at s 4: 140 + 6 × 5 = 170 ms = 94.1 img/s, chosen.
        var chosen = lines.Single(l => l.Contains("chosen", StringComparison.Ordinal));
        Assert.Equal(["3", "4", "0.9", "10/2", "5.00", "94.1", "not", "published", "chosen", "default", "α;", "s", "4", "not", "trained", "(s", "2):", "top-1", "not", "published"],
            chosen.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("plan: α 0.9, local_ws [0, 0, 4, 1]: estimated 94.1 img/s, 1.18× the default (80.0 img/s); top-1 not published", lines);
        Assert.Contains("verified: the planned model measured 160.0 ms/batch = 100.0 img/s (estimated 170.0 ms, -5.9%); measured speed-up 1.25× over the default measured in the same rounds (200.0 ms)", lines);
        Assert.Contains(lines, l => l.StartsWith("- Stage 3 uses s 4 instead of the trained 2", StringComparison.Ordinal));
    }

    [Fact]
    public void TheJsonHoldsThePlanTheCandidatesAndTheVerification()
    {
        var stream = new MemoryStream();
        ModelPlanFormats.WriteJson(stream, Plan(verify: true));
        using var json = JsonDocument.Parse(stream.ToArray());
        var root = json.RootElement;
        Assert.Equal(("fake:0", "cpu", 224, 16, 5), (root.GetProperty("device").GetString(), root.GetProperty("device_kind").GetString(),
            root.GetProperty("image_size").GetInt32(), root.GetProperty("batch").GetInt32(), root.GetProperty("runs").GetInt32()));
        Assert.Equal(140, root.GetProperty("rest_ms_per_batch").GetDouble());
        var def = root.GetProperty("default");
        Assert.Equal((200.0, 80.0, 82.03), (def.GetProperty("measured_ms_per_batch").GetDouble(), def.GetProperty("measured_images_per_second").GetDouble(), def.GetProperty("top1").GetDouble()));
        var plan = root.GetProperty("plan");
        Assert.Equal([0, 0, 4, 1], plan.GetProperty("local_ws").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal((0.9, 170.0, 94.118, 1.1765), (plan.GetProperty("alpha").GetDouble(), plan.GetProperty("estimated_ms_per_batch").GetDouble(),
            plan.GetProperty("estimated_images_per_second").GetDouble(), plan.GetProperty("speed_up").GetDouble()));
        Assert.Equal(JsonValueKind.Null, plan.GetProperty("top1").ValueKind);
        var v = root.GetProperty("verification");
        Assert.Equal((160.0, 170.0, 100.0, 200.0, 1.25), (v.GetProperty("measured_ms_per_batch").GetDouble(), v.GetProperty("estimated_ms_per_batch").GetDouble(),
            v.GetProperty("measured_images_per_second").GetDouble(), v.GetProperty("default_measured_ms_per_batch").GetDouble(), v.GetProperty("measured_speed_up").GetDouble()));
        var candidates = root.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(28, candidates.Count);
        var s14 = candidates.Single(c => c.GetProperty("window").GetInt32() == 14 && c.GetProperty("alpha").GetDouble() == 0.9);
        Assert.False(s14.GetProperty("allowed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, s14.GetProperty("top1").ValueKind);
        Assert.NotEmpty(root.GetProperty("notes").EnumerateArray());
    }

    [Fact]
    public void AnUnchangedPlanReportsTheSpreadOfItsVerification()
    {
        // Every other candidate slower: the default stays; the verification measured the same model twice.
        var plan = ModelPlanner.Plan(Litv2Config.Preset("litv2-s"), new ModelPlanOptions { Verify = true, KeepWindows = true }, new ModelPlanTimer
        {
            DeviceId = "fake:0",
            LayerMilliseconds = cases => [.. cases.Select(c => c.LoFiHeads == 10 ? 10.0 : 20.0)],
            ModelMilliseconds = cases => cases.Count == 1 ? [200.0] : [200.0, 190.0],
        });
        Assert.False(plan.ChangesAnything);
        var output = new StringWriter();
        ModelPlanFormats.WriteTable(output, plan);
        Assert.Contains("verified: the plan is the default; measured twice more, alternating: 200.0 and 190.0 ms/batch (a 5.3% spread between identical models", output.ToString(), StringComparison.Ordinal);
    }
}
