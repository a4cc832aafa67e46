using System.Text.Json;
using Hilo.Ilgpu.Cli;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Tests.Imaging;
using Hilo.Ilgpu.Tests.Models;

namespace Hilo.Ilgpu.Tests.Cli;

/// <summary>
/// <c>hilo validate</c> end to end on the tiny LITv2 checkpoint and an ImageFolder built here from the image fixtures,
/// each image filed under a class chosen from its own ranking by the library's <see cref="ImageClassifier"/> (rank 1,
/// 2, 3, 4, 7, 8 or 10), so that top-1 and top-5 are known by hand; three shards merged, and a run interrupted and
/// resumed, give exactly the one-run results.
/// </summary>
public sealed class ValidateCommandTests : IDisposable
{
    // Each good fixture with the rank (1-based) of the class it is filed under: top-1 hits are the rank-1 images (3),
    // top-5 hits those of rank ≤ 5 (7 of 10). not_an_image.png is filed too: an error, in no denominator.
    private static readonly (string File, int Rank)[] Filed =
    [
        ("rgb_317x251.png", 1), ("palette_150x110.gif", 1), ("photo_300x400.jpg", 3), ("tiny_40x30.png", 3),
        ("gray_200x150.png", 7), ("rgb_90x70.bmp", 1), ("rgba_160x120.png", 2), ("photo444_300x400.jpg", 10),
        ("lossless_100x80.webp", 4), ("rgb16_120x90.png", 8),
    ];

    private readonly string dir = Directory.CreateTempSubdirectory("hilo-validate-").FullName;
    private readonly string data;
    private readonly Dictionary<string, (int Label, int[] Top5)> expected = new(StringComparer.Ordinal);

    public ValidateCommandTests()
    {
        data = Path.Combine(dir, "data");
        using var device = ComputeDevice.Open("cpu");
        using var model = new Litv2Model(device, Litv2TestData.Tiny);
        model.LoadStateDict(Litv2TestData.State("tiny_bare.pth"));
        var ranked = new ImageClassifier(model).Classify([.. Filed.Select(f => Path.Combine(ImageFixtureCase.Folder, f.File))], topK: 10, batch: 1);
        for (int i = 0; i < Filed.Length; i++)
        {
            int label = ranked[i].Top[Filed[i].Rank - 1].Index;
            string path = Path.Combine(data, label.ToString(System.Globalization.CultureInfo.InvariantCulture), Filed[i].File);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Copy(Path.Combine(ImageFixtureCase.Folder, Filed[i].File), path);
            expected[path] = (label, [.. ranked[i].Top.Take(5).Select(c => c.Index)]);
        }
        string bad = Path.Combine(data, expected.Values.First().Label.ToString(System.Globalization.CultureInfo.InvariantCulture), "not_an_image.png");
        File.Copy(Path.Combine(ImageFixtureCase.Folder, "not_an_image.png"), bad);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private ValidateOptions Tiny(string? json = null) => new()
    {
        Dataset = data,
        Model = Litv2TestData.PathOf("tiny_config.json"),
        Weights = Litv2TestData.PathOf("tiny_bare.pth"),
        Device = "cpu",
        Batch = 2,
        Json = json,
        Decoders = 2,
    };

    private static (int Code, string Out, string Err) Run(ValidateOptions options) => RunUntil(options, TestContext.Current.CancellationToken);

    private static (int Code, string Out, string Err) RunUntil(ValidateOptions options, CancellationToken cancellation)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ValidateCommand.Run(options, output, error, cancellation);
        return (code, output.ToString(), error.ToString());
    }

    private string Out(string name) => Path.Combine(dir, name);

    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private static List<string> Results(string path) => [.. Json(path).GetProperty("results").EnumerateArray().Select(r => r.GetRawText())];

    [Fact]
    public void AccuracyIsTheHandCountAndTheBadImageIsOutsideIt()
    {
        var (code, output, err) = Run(Tiny(Out("v.json")) with { PerClass = Out("classes.csv") });
        Assert.Equal(1, code); // the bad image
        var errors = err.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["error: " + Path.Combine(data, expected.Values.First().Label.ToString(System.Globalization.CultureInfo.InvariantCulture), "not_an_image.png") + ": unknown image format (its extension is '.png', but its content is none of PNG, JPEG, BMP, GIF, WebP)"], errors);
        Assert.Contains("top-1  30.000 %  (3 of 10)", output, StringComparison.Ordinal);
        Assert.Contains("top-5  70.000 %  (7 of 10)", output, StringComparison.Ordinal);
        Assert.Contains("1 image(s) could not be read", output, StringComparison.Ordinal);
        Assert.Contains("images/s on cpu", err, StringComparison.Ordinal);

        var json = Json(Out("v.json"));
        Assert.Equal((11, 10, 1, 3, 7), (json.GetProperty("images").GetInt32(), json.GetProperty("classified").GetInt32(),
            json.GetProperty("errors").GetInt32(), json.GetProperty("top1").GetInt32(), json.GetProperty("top5").GetInt32()));
        Assert.Equal(30.0, json.GetProperty("top1_accuracy").GetDouble());
        Assert.Equal("indices", json.GetProperty("naming").GetString());
        var results = json.GetProperty("results").EnumerateArray().ToList();
        // The dataset's order: by class, then by path; each image's label and top-5 are the library's.
        Assert.Equal(expected.Keys.Append(errors[0][7..errors[0].IndexOf(": unknown", StringComparison.Ordinal)])
            .OrderBy(p => int.Parse(Path.GetFileName(Path.GetDirectoryName(p))!, System.Globalization.CultureInfo.InvariantCulture)).ThenBy(p => p, StringComparer.Ordinal),
            results.Select(r => r.GetProperty("path").GetString()));
        foreach (var r in results.Where(r => !r.TryGetProperty("error", out _)))
        {
            var (label, top5) = expected[r.GetProperty("path").GetString()!];
            Assert.Equal(label, r.GetProperty("label").GetInt32());
            Assert.Equal(top5, r.GetProperty("top").EnumerateArray().Select(t => t.GetInt32()));
        }
        Assert.False(File.Exists(Out("v.json.journal"))); // removed once the results are out

        // Per class, by hand from the table above.
        var rows = CsvRows.Leading(Out("classes.csv"), 7);
        Assert.Equal("class,name,images,top1,top5,top1_accuracy,top5_accuracy", rows[0]);
        Assert.StartsWith(rows[0] + ",command,model,weights,weights_sha256", File.ReadLines(Out("classes.csv")).First(), StringComparison.Ordinal);
        Assert.Equal(RunProvenance.Sha256Of(Litv2TestData.PathOf("tiny_bare.pth")), json.GetProperty("provenance").GetProperty("weights_sha256").GetString());
        var byClass = expected.Values.GroupBy(v => v.Label).OrderBy(g => g.Key).Select(g =>
        {
            int top1 = g.Count(v => v.Top5[0] == g.Key), top5 = g.Count(v => v.Top5.Contains(g.Key));
            return FormattableString.Invariant($"{g.Key},class {g.Key},{g.Count()},{top1},{top5},{100.0 * top1 / g.Count():0.###},{100.0 * top5 / g.Count():0.###}");
        });
        Assert.Equal(byClass, rows.Skip(1));
    }

    [Fact]
    public void ThreeShardsMergedAreExactlyTheOneRun()
    {
        Assert.Equal(1, Run(Tiny(Out("one.json")) with { PerClass = Out("one.csv") }).Code);
        foreach (int i in new[] { 2, 0, 1 })
        {
            var (code, _, err) = Run(Tiny(Out($"s{i}.json")) with { Shard = $"{i}/3", Batch = 3 });
            Assert.True(code is 0 or 1, err);
            Assert.Contains($"(shard {i}/3: ", err, StringComparison.Ordinal);
        }
        Assert.Equal([0, 1, 2], Json(Out("s0.json")).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("index").GetInt32())); // ⌊11·i/3⌋: 0, 3, 7, 11
        Assert.Equal([3, 4, 5, 6], Json(Out("s1.json")).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("index").GetInt32()));
        var (mergeCode, mergeOut, mergeErr) = Run(new ValidateOptions
        {
            Merge = [Out("s1.json"), Out("s2.json"), Out("s0.json")],
            Json = Out("merged.json"),
            PerClass = Out("merged.csv"),
        });
        Assert.True(mergeCode == 1, mergeErr); // the bad image is reported again
        Assert.Contains("merged 3 shard(s)", mergeErr, StringComparison.Ordinal);
        Assert.Equal(Results(Out("one.json")), Results(Out("merged.json")));
        foreach (string field in new[] { "images", "classified", "errors", "top1", "top5", "top1_accuracy", "top5_accuracy", "dataset_images", "shard" })
        {
            Assert.Equal(Json(Out("one.json")).GetProperty(field).GetRawText(), Json(Out("merged.json")).GetProperty(field).GetRawText());
        }
        Assert.Equal(CsvRows.Leading(Out("one.csv"), 7), CsvRows.Leading(Out("merged.csv"), 7));
        var provenance = Json(Out("merged.json")).GetProperty("provenance");
        Assert.Equal(Json(Out("one.json")).GetProperty("provenance").GetProperty("weights_sha256").GetString(), provenance.GetProperty("weights_sha256").GetString());
        Assert.Equal(Json(Out("one.json")).GetProperty("provenance").GetProperty("device").GetString(), provenance.GetProperty("device").GetString());
        Assert.Contains("top-1  30.000 %", mergeOut, StringComparison.Ordinal);

        var (partCode, _, partErr) = Run(new ValidateOptions { Merge = [Out("s1.json"), Out("s0.json")], Json = Out("part.json") });
        Assert.Equal(1, partCode);
        Assert.Contains("error: shard(s) 2/3 missing: merging needs all 3", partErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Out("part.json")));
    }

    [Fact]
    public void AnInterruptedRunResumedFromHalfItsBatchesGivesTheOneRunResults()
    {
        Run(Tiny(Out("one.json")));
        string json = Out("run.json"), journal = json + ".journal";
        using var stop = new CancellationTokenSource();
        var (code, _, err) = RunUntil(Tiny(json) with { AfterBatch = Interruption.After(3, stop) }, stop.Token); // three of the six batches
        Assert.Equal(1, code);
        Assert.Contains($"error: interrupted: the batches finished are in {journal}; run the same command with --resume to go on", err, StringComparison.Ordinal);
        Assert.False(File.Exists(json));
        Assert.Equal(4, File.ReadAllLines(journal).Length); // the run's line and exactly half the batches

        var (resumedCode, _, resumedErr) = Run(Tiny(json) with { Resume = true });
        Assert.Equal(1, resumedCode);
        Assert.Contains("5 image(s) (6 more from the journal)", resumedErr, StringComparison.Ordinal);
        Assert.Equal(Results(Out("one.json")), Results(json));
        Assert.Equal(Json(Out("one.json")).GetProperty("top5").GetInt32(), Json(json).GetProperty("top5").GetInt32());
        Assert.False(File.Exists(journal));
    }

    [Fact]
    public void AJournalOfAnotherRunIsRefused()
    {
        string json = Out("run.json");
        File.WriteAllText(json + ".journal", "{\"journal\":\"hilo-journal\",\"run\":\"validate elsewhere\"}\n");
        var (code, output, err) = Run(Tiny(json) with { Resume = true });
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("was written by another run (validate elsewhere)", err, StringComparison.Ordinal);
        Assert.False(File.Exists(json));
    }

    [Theory]
    [InlineData("no-dataset", "give the dataset folder")]
    [InlineData("resume-no-json", "--resume needs --json FILE")]
    [InlineData("bad-shard", "--shard 3/3: write i/n")]
    [InlineData("merge-and-dataset", "--merge reads the shards' --json files only")]
    [InlineData("no-weights", "--weights is required")]
    [InlineData("both-stdout", "both ask for stdout")]
    [InlineData("synsets-small-model", "but the model has 10 classes")]
    public void BadOptionsAreOneErrorLineAndWriteNothing(string problem, string message)
    {
        string json = Out("out.json");
        if (problem == "synsets-small-model")
        {
            Directory.CreateDirectory(Path.Combine(dir, "syn", "n01440764"));
            File.Copy(Path.Combine(ImageFixtureCase.Folder, "tiny_40x30.png"), Path.Combine(dir, "syn", "n01440764", "a.png"));
        }
        var options = problem switch
        {
            "no-dataset" => Tiny(json) with { Dataset = null },
            "resume-no-json" => Tiny() with { Resume = true },
            "bad-shard" => Tiny(json) with { Shard = "3/3" },
            "merge-and-dataset" => Tiny(json) with { Merge = [json] },
            "no-weights" => Tiny(json) with { Weights = null },
            "both-stdout" => Tiny("-") with { PerClass = "-" },
            _ => Tiny(json) with { Dataset = Path.Combine(dir, "syn") },
        };
        var (code, output, err) = Run(options);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Single(err.Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.False(File.Exists(json));
    }
}
