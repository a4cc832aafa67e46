using Hilo.Ilgpu.Cli;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Tests.Models;

namespace Hilo.Ilgpu.Tests.Cli;

/// <summary><c>hilo infer</c> through its handler: outputs, top-5 printing, and one clear error line per bad input.</summary>
public sealed class InferCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-infer-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string Fixture(string file) => Litv2TestData.PathOf(file);

    private string Temp(string file) => Path.Combine(dir, file);

    private static InferOptions Tiny(string input = "32x48") => new()
    {
        Model = Fixture("tiny_config.json"),
        Weights = Fixture("tiny_wrapped.pth"),
        Input = Fixture($"input_{input}.npy"),
        Device = "cpu",
    };

    private static (int Code, string Out, string Err) Run(InferOptions options)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = InferCommand.Run(options, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("32x32", null)]
    [InlineData("36x50", 1)]
    public void WritesLogitsMatchingPyTorch(string input, int? batch)
    {
        string output = Temp("logits.npy");
        var (code, _, err) = Run(Tiny(input) with { Output = output, Batch = batch });
        Assert.True(code == 0, err);
        var logits = NpyFile.Read(output);
        Assert.Equal([2, 10], logits.Shape);
        Assert.True(Litv2TestData.MaxAbsDiff(logits.Data, Litv2TestData.Logits(input).Data) <= 1e-4);
        Assert.Contains("tiny_config (97,522 parameters) on cpu", err, StringComparison.Ordinal);
        Assert.Equal([output], Directory.GetFiles(dir));
    }

    [Fact]
    public void PrintsTop5PerImageWithoutOutput()
    {
        var (code, text, err) = Run(Tiny() with { Weights = Fixture("tiny_module_prefix.pth") });
        Assert.True(code == 0, err);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var want = Litv2TestData.Logits("32x48").Data;
        for (int i = 0; i < 2; i++)
        {
            var row = want.AsSpan(i * 10, 10).ToArray();
            int best = Array.IndexOf(row, row.Max());
            Assert.StartsWith($"image {i}: {best} (0.", lines[i], StringComparison.Ordinal);
            Assert.Equal(5, lines[i].Split("  ").Length);
        }
    }

    [Fact]
    public void PrintedClassesCarryTheirLabels()
    {
        string[] names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
        string labels = Temp("labels.txt");
        File.WriteAllLines(labels, names);
        var (code, text, err) = Run(Tiny() with { Labels = labels });
        Assert.True(code == 0, err);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var want = Litv2TestData.Logits("32x48").Data;
        for (int i = 0; i < 2; i++)
        {
            var row = want.AsSpan(i * 10, 10).ToArray();
            int best = Array.IndexOf(row, row.Max());
            Assert.StartsWith($"image {i}: {best} {names[best]} (0.", lines[i], StringComparison.Ordinal);
        }

        // Random weights: the same, and a footer that says the classes mean nothing.
        var (randomCode, randomText, randomErr) = Run(Tiny() with { Weights = null, RandomWeights = true, Seed = 3, Labels = labels });
        Assert.True(randomCode == 0, randomErr);
        Assert.Equal("(random, seed 3: random weights, the classes mean nothing; see hilo models for the official checkpoints)", randomText.TrimEnd().Split('\n')[^1]);
    }

    [Fact]
    public void PresetWithRandomWeightsBenchmarks()
    {
        // Smallest valid image for a quick run of the real litv2-s graph.
        string input = Temp("small.npy");
        NpyFile.Write(input, new HostTensor([1, 3, 29, 29], new float[3 * 29 * 29]));
        var (code, text, err) = Run(new() { Model = "litv2-s", RandomWeights = true, Input = input, Device = "cpu", Benchmark = 1 });
        Assert.True(code == 0, err);
        Assert.Contains("litv2-s (27,844,000 parameters)", err, StringComparison.Ordinal);
        Assert.Contains("ms per image", text, StringComparison.Ordinal);
        Assert.Contains("batch 1, 29×29, 1 run(s) after 1 warm-up", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ProfileShapesGivesEachGemmShapeItsRateAndShareOfPeak()
    {
        var (code, text, err) = Run(Tiny() with { Benchmark = 1, Profile = true, ProfileShapes = true });
        Assert.True(code == 0, err);
        // The tiny model's patch embedding makes 8 channels from 3×4×4 patches: its first stage's Linear layers are
        // 8 → 32 (fc1) over the 8×12 tokens of each of the two 32×48 images; one line per GEMM shape, with its rate.
        string[] gemmLines = text.Split('\n').Where(l => l.TrimStart().StartsWith("PanelGemmCpu ", StringComparison.Ordinal)).ToArray();
        Assert.True(gemmLines.Length >= 2, text);
        Assert.All(gemmLines, l => Assert.Matches(@"^  PanelGemmCpu \d+x\d+x\d+ +Cpu +\d+ +\d+\.\d\d +\d+\.\d% +\d+\.\d +\d+\.\d%$", l));
        Assert.Contains("% of peak: of ", text, StringComparison.Ordinal);
        // Ops that state no FLOPs have no rate.
        Assert.Matches(@"\n  LayerNorm +Cpu +\d+ +\d+\.\d\d +\d+\.\d%\r?\n", text);
    }

    public static TheoryData<string, string> BadInputs() => new()
    {
        { "missing-weights", "weights file not found" },
        { "missing-input", "input file not found" },
        { "rank3", "expected images of rank 4 (B × 3 × H × W, NCHW), got shape [2, 32, 32]" },
        { "nhwc", "expected 3 channels in dimension 1 (NCHW), got shape [1, 32, 32, 3] (this looks like NHWC" },
        { "small", "needs at least one image of at least 29×29 pixels, got shape [1, 3, 16, 16]" },
        { "not-npy", "not a .npy file" },
        { "other-architecture", "checkpoint does not match architecture 'litv2-s'" },
        { "nan-weights", "weights contain NaN or infinity: layers.1.blocks.0.mlp.fc2.weight: 1 non-finite value(s)" },
        { "truncated", "tiny_truncated.pth: " },
        { "unknown-device", "Unknown device 'tpu:0'" },
        { "missing-device", "Device 'opencl:99'" },
        { "unknown-model", "unknown model 'litv2-xl': use litv2-s, litv2-m, litv2-b, litv2-b-384 or the path of a CONFIG.json file" },
        { "bad-config", "'depths' must list 4 values" },
        { "no-output-dir", "does not exist" },
        { "no-weights", "--weights is required" },
        { "both-weights", "give either --weights or --random-weights" },
        { "bad-batch", "--batch must be at least 1, got 0" },
        { "profile-without-benchmark", "--profile-shapes profiles the timed runs: give --benchmark RUNS too" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputGivesOneErrorLineAndWritesNothing(string problem, string message)
    {
        string output = Temp("logits.npy");
        var options = Tiny() with { Output = output };
        options = problem switch
        {
            "missing-weights" => options with { Weights = Temp("nope.pth") },
            "missing-input" => options with { Input = Temp("nope.npy") },
            "rank3" => options with { Input = WriteNpy("rank3.npy", [2, 32, 32]) },
            "nhwc" => options with { Input = WriteNpy("nhwc.npy", [1, 32, 32, 3]) },
            "small" => options with { Input = WriteNpy("small.npy", [1, 3, 16, 16]) },
            "not-npy" => options with { Input = Fixture("tiny_config.json") },
            "other-architecture" => options with { Model = "litv2-s" },
            "nan-weights" => options with { Weights = WriteNanCheckpoint() },
            "truncated" => options with { Weights = Truncate("tiny_bare.pth", "tiny_truncated.pth") },
            "unknown-device" => options with { Device = "tpu:0" },
            "missing-device" => options with { Device = "opencl:99" },
            "unknown-model" => options with { Model = "litv2-xl" },
            "bad-config" => options with { Model = WriteText("bad.json", """{"embed_dim": 8, "depths": [1, 1, 2], "num_heads": [1, 2, 4, 4]}""") },
            "no-output-dir" => options with { Output = Temp("no/such/dir/logits.npy") },
            "no-weights" => options with { Weights = null },
            "both-weights" => options with { RandomWeights = true },
            "bad-batch" => options with { Batch = 0 },
            "profile-without-benchmark" => options with { Profile = true, ProfileShapes = true },
            _ => throw new ArgumentException(problem),
        };
        var existing = Directory.GetFiles(dir).ToHashSet();
        var (code, text, err) = Run(options);
        Assert.NotEqual(0, code);
        Assert.Empty(text);
        string[] lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string last = Assert.Single(lines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Equal(lines[^1], last);
        Assert.Contains(message, last, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Equal(existing, Directory.GetFiles(dir).ToHashSet()); // no temporary or partial file left
        if (problem == "other-architecture")
        {
            Assert.Contains("mis-shaped: patch_embed.proj.weight: checkpoint [8, 3, 4, 4], expected [96, 3, 4, 4]", last, StringComparison.Ordinal);
            Assert.Contains("missing: ", last, StringComparison.Ordinal);
        }
    }

    private string WriteNpy(string name, int[] shape)
    {
        string path = Temp(name);
        NpyFile.Write(path, new HostTensor(shape, new float[HostTensor.ElementCountOf(shape)]));
        return path;
    }

    private string WriteText(string name, string text)
    {
        string path = Temp(name);
        File.WriteAllText(path, text);
        return path;
    }

    private string WriteNanCheckpoint()
    {
        var state = Litv2TestData.WithChange(Litv2TestData.State("tiny_bare.pth"), "layers.1.blocks.0.mlp.fc2.weight", d => d[3] = float.NaN);
        string path = Temp("nan.safetensors");
        SafeTensorsFile.Write(path, state);
        return path;
    }

    private string Truncate(string fixture, string name)
    {
        byte[] bytes = File.ReadAllBytes(Fixture(fixture));
        string path = Temp(name);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        return path;
    }
}
