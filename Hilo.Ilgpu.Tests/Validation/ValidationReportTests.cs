using System.Text.Json;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Validation;

namespace Hilo.Ilgpu.Tests.Validation;

/// <summary>
/// <see cref="ValidationReport"/> on hand-made results: top-1/top-5 counts, bad images outside the denominators, the
/// per-class CSV, the JSON round trip, and merging shards (and refusing parts that do not make one run).
/// </summary>
public sealed class ValidationReportTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-report-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // Six images: 0 and 1 right at rank 1, 2 right at rank 5, 3 right at rank 6 (a miss), 4 wrong, 5 unreadable.
    private static readonly ValidatedImage[] Six =
    [
        new(0, "a/0.png", 1, [1, 2, 3, 4, 5, 6], null),
        new(1, "a/1.png", 1, [1, 0, 3, 4, 5, 6], null),
        new(2, "b/2.png", 2, [0, 1, 3, 4, 2, 6], null),
        new(3, "b/3.png", 2, [0, 1, 3, 4, 5, 2], null),
        new(4, "c/4.png", 3, [0, 1, 2, 4, 5, 6], null),
        new(5, "c/5.png", 3, [], "c/5.png: unknown image format"),
    ];

    private static ValidationRun Run(Shard shard) => new("data", 6, "indices", "tiny", 10, "w.pth", shard);

    [Fact]
    public void CountsAreOverTheClassifiedImagesOnly()
    {
        var report = new ValidationReport(Six.Reverse());
        Assert.Equal(Enumerable.Range(0, 6), report.Images.Select(i => i.Index));
        Assert.Equal(5, report.Classified);
        Assert.Equal(1, report.Errors);
        Assert.Equal(2, report.Top1);
        Assert.Equal(3, report.Top5);
        Assert.Equal(40.0, report.Top1Percent);
        Assert.Equal(60.0, report.Top5Percent);
        Assert.Equal(double.NaN, new ValidationReport([Six[5]]).Top1Percent);
    }

    [Fact]
    public void PerClassCsvHasOneRowPerClassWithImages()
    {
        var text = new StringWriter();
        new ValidationReport(Six).WritePerClassCsv(text, ClassLabels.Numbered(10));
        Assert.Equal(
            "class,name,images,top1,top5,top1_accuracy,top5_accuracy\n1,class 1,2,2,2,100,100\n2,class 2,2,0,1,0,50\n3,class 3,1,0,0,0,0\n",
            text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void JsonRoundTripsAndShardsMergeIntoTheWhole()
    {
        var whole = new ValidationReport(Six);
        var parts = new List<(string, ValidationRun, ValidationReport)>();
        for (int i = 2; i >= 0; i--) // any order of files
        {
            var shard = new Shard(i, 3);
            var (start, end) = shard.Range(6);
            string file = Path.Combine(dir, $"s{i}.json");
            using (var stream = File.Create(file))
            {
                new ValidationReport(Six[start..end]).WriteJson(stream, Run(shard), json => json.WriteString("extra", "kept"));
            }
            var (run, report) = ValidationReport.ReadJson(file);
            Assert.Equal(Run(shard), run);
            parts.Add((file, run, report));
        }
        var (mergedRun, merged) = ValidationReport.Merge(parts);
        Assert.Equal(Run(Shard.All), mergedRun);
        Assert.Equal((whole.Top1, whole.Top5, whole.Classified, whole.Errors), (merged.Top1, merged.Top5, merged.Classified, merged.Errors));
        Assert.Equal(whole.Images.Select(Key), merged.Images.Select(Key));
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "s0.json")));
        Assert.Equal("kept", document.RootElement.GetProperty("extra").GetString());
        Assert.Equal(2, document.RootElement.GetProperty("top1").GetInt32()); // images 0 and 1
    }

    private static string Key(ValidatedImage i) => $"{i.Index} {i.Path} {i.Label} {string.Join(' ', i.Top)} {i.Error}";

    [Theory]
    [InlineData("missing", "shard(s) 1/3 missing")]
    [InlineData("twice", "shard 0/3 is given twice")]
    [InlineData("model", "model tiny (10 classes) vs other (10 classes)")]
    [InlineData("count", "cut into different numbers of shards")]
    [InlineData("unfinished", "does not hold exactly images 2…3")]
    public void PartsThatAreNotOneRunAreRefused(string problem, string message)
    {
        (string, ValidationRun, ValidationReport) Part(int i, int n = 3, string model = "tiny", int drop = 0)
        {
            var shard = new Shard(i, n);
            var (start, end) = shard.Range(6);
            return ($"s{i}.json", Run(shard) with { Model = model }, new ValidationReport(Six[start..(end - drop)]));
        }
        var parts = problem switch
        {
            "missing" => new[] { Part(0), Part(2) },
            "twice" => [Part(0), Part(0), Part(1), Part(2)],
            "model" => [Part(0), Part(1, model: "other"), Part(2)],
            "count" => [Part(0), Part(1, n: 2)],
            _ => [Part(0), Part(1, drop: 1), Part(2)],
        };
        var e = Assert.Throws<ArgumentException>(() => ValidationReport.Merge(parts));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNoValidateJsonIsNamed()
    {
        string file = Path.Combine(dir, "other.json");
        File.WriteAllText(file, "{\"model\": \"x\", \"images\": []}");
        var e = Assert.Throws<ArgumentException>(() => ValidationReport.ReadJson(file));
        Assert.StartsWith($"{file} is not a `hilo validate --json` file", e.Message, StringComparison.Ordinal);
    }
}
