using System.Text.Json;
using Hilo.Ilgpu.Cli;

namespace Hilo.Ilgpu.Tests.Cli;

/// <summary><c>hilo plan</c> through its handler: a tiny real run with the table and the JSON file, and one clear error line per bad input.</summary>
public sealed class PlanCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-plan-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (int Code, string Out, string Err) Run(PlanCommandOptions options)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = PlanCommand.Run(options, output, error);
        return (code, output.ToString(), error.ToString());
    }

    // 64² images: stage 3 is a 4×4 map (windows 2 and 4); one image, one run.
    private static PlanCommandOptions Tiny(string model = "litv2-s") =>
        new() { Model = model, Device = "cpu", ImageSize = 64, Batch = 1, Runs = 1, Warmup = 0 };

    [Fact]
    public void PlansLitv2SOnTheCpuAndWritesTheJson()
    {
        string path = Path.Combine(dir, "plan.json");
        var (code, output, err) = Run(Tiny() with { Json = path, KeepWindows = true });
        Assert.True(code == 0, err);
        Assert.Contains("planning litv2-s on cpu", err, StringComparison.Ordinal);
        Assert.Equal(7, err.Split('\n').Count(l => l.EndsWith("ms per layer", StringComparison.Ordinal)));   // 7 α at the kept window
        Assert.Contains("whole model, α 0.9, local_ws [0, 0, 2, 1]: ", err, StringComparison.Ordinal);
        Assert.Contains("accuracy constraint: published top-1 ≥ 81.83 (default 82.03 − 0.2)", output, StringComparison.Ordinal);
        Assert.Contains("excluded: top-1 81.16 < 81.83", output, StringComparison.Ordinal);
        Assert.Contains("plan: α ", output, StringComparison.Ordinal);
        Assert.Contains("--keep-windows", output, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Assert.Equal(["model", "device", "device_name", "device_kind", "image_size", "batch", "runs", "max_top1_drop", "top1_threshold",
            "default", "rest_ms_per_batch", "plan", "verification", "candidates", "notes"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("litv2-s", root.GetProperty("model").GetString());
        Assert.Equal(81.83, root.GetProperty("top1_threshold").GetDouble(), 9);
        var def = root.GetProperty("default");
        Assert.Equal(0.9, def.GetProperty("alpha").GetDouble());
        Assert.Equal([0, 0, 2, 1], def.GetProperty("local_ws").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(def.GetProperty("measured_ms_per_batch").GetDouble() > 0);
        var plan = root.GetProperty("plan");
        Assert.Equal([0, 0, 2, 1], plan.GetProperty("local_ws").EnumerateArray().Select(e => e.GetInt32()));   // windows kept
        Assert.True(plan.GetProperty("speed_up").GetDouble() >= 1 - 1e-9);
        var candidates = root.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(7, candidates.Count);
        Assert.Equal(["stage", "window", "alpha", "lofi_heads", "hifi_heads", "ms_per_layer", "estimated_images_per_second", "top1", "allowed", "reason", "default", "chosen"],
            candidates[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal((3, 0.0, 0, 12, false), (candidates[0].GetProperty("stage").GetInt32(), candidates[0].GetProperty("alpha").GetDouble(),
            candidates[0].GetProperty("lofi_heads").GetInt32(), candidates[0].GetProperty("hifi_heads").GetInt32(), candidates[0].GetProperty("allowed").GetBoolean()));
        Assert.Single(candidates, c => c.GetProperty("chosen").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("verification").ValueKind);
    }

    [Theory]
    [InlineData("litv2-xl", "cpu", 0.2, null, "error: unknown model 'litv2-xl'")]
    [InlineData("litv2-s", "cpu", -0.5, null, "error: model plan: max-top1-drop must be a number of points ≥ 0, got -0.5.")]
    [InlineData("litv2-s", "cuda:7", 0.2, null, "error: ")]
    [InlineData("litv2-s", "cpu", 0.2, "2,x", "error: --windows must list window sizes ≥ 2")]
    [InlineData("litv2-s", "cpu", 0.2, "1", "error: --windows must list window sizes ≥ 2")]
    public void BadInputsEndInOneErrorLine(string model, string device, double drop, string? windows, string expected)
    {
        var (code, output, err) = Run(Tiny(model) with { Device = device, MaxTop1Drop = drop, Windows = windows });
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith(expected, err, StringComparison.Ordinal);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        if (device == "cuda:7")
        {
            Assert.Contains("cuda:7", err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MissingWeightsAndFreshWithWeightsAreErrors()
    {
        var (code, _, err) = Run(Tiny() with { Weights = Path.Combine(dir, "none.pth") });
        Assert.Equal(1, code);
        Assert.Contains("weights file not found", err, StringComparison.Ordinal);

        string file = Path.Combine(dir, "w.pth");
        File.WriteAllText(file, "x");
        (code, _, err) = Run(Tiny() with { Weights = file, Fresh = true });
        Assert.Equal(1, code);
        Assert.Contains("not both", err, StringComparison.Ordinal);
    }
}
