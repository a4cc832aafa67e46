using Hilo.Ilgpu.Cli;
using Hilo.Ilgpu.Tests.Imaging;
using Hilo.Ilgpu.Tests.Models;

namespace Hilo.Ilgpu.Tests.Cli;

/// <summary>
/// <c>hilo classify --shard</c> and <c>--resume</c>: the shards' CSV rows, concatenated in shard order, are the one
/// run's rows, and a run interrupted after half its batches and resumed writes the one run's file.
/// </summary>
public sealed class ClassifyShardTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-classify-shard-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static ClassifyOptions Tiny(string csv) => new()
    {
        Images = [ImageFixtureCase.Folder], // every fixture image, two of them bad
        Model = Litv2TestData.PathOf("tiny_config.json"),
        Weights = Litv2TestData.PathOf("tiny_bare.pth"),
        Device = "cpu",
        Batch = 2,
        Top = 3,
        Csv = csv,
    };

    private static (int Code, string Err) Run(ClassifyOptions options, CancellationToken cancellation)
    {
        var error = new StringWriter();
        int code = ClassifyCommand.Run(options, new StringWriter(), error, cancellation);
        return (code, error.ToString());
    }

    private string Out(string name) => Path.Combine(dir, name);

    [Fact]
    public void ShardRowsConcatenatedInShardOrderAreTheOneRunsRows()
    {
        var token = TestContext.Current.CancellationToken;
        Assert.Equal(1, Run(Tiny(Out("one.csv")), token).Code);
        var rows = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var (code, err) = Run(Tiny(Out($"s{i}.csv")) with { Shard = $"{i}/3", Batch = 3 }, token);
            Assert.True(code is 0 or 1, err);
            var lines = CsvRows.Leading(Out($"s{i}.csv"), 7); // without the provenance columns (the command differs)
            Assert.Equal("path,rank,class,label,probability,logit,error", lines[0]);
            rows.AddRange(lines.Skip(1));
        }
        Assert.Equal(CsvRows.Leading(Out("one.csv"), 7).Skip(1), rows);
    }

    [Fact]
    public void AnInterruptedRunResumedGivesTheOneRunsFile()
    {
        var token = TestContext.Current.CancellationToken;
        Run(Tiny(Out("one.csv")), token);
        string csv = Out("run.csv"), journal = csv + ".journal";
        using var stop = new CancellationTokenSource();
        int files = Hilo.Ilgpu.Imaging.ImageSource.Expand([ImageFixtureCase.Folder]).Count, batches = (files + 1) / 2;
        var (code, err) = Run(Tiny(csv) with { AfterBatch = Interruption.After(3, stop) }, stop.Token); // three of the batches
        Assert.Equal(1, code);
        Assert.Contains("error: interrupted: the batches finished are in", err, StringComparison.Ordinal);
        Assert.False(File.Exists(csv));
        Assert.True(batches > 3, $"{batches} batches: too few to interrupt after three");
        Assert.Equal(4, File.ReadAllLines(journal).Length); // the run's line and three batches

        var (resumed, resumedErr) = Run(Tiny(csv) with { Resume = true }, token);
        Assert.Equal(1, resumed);
        Assert.Contains($"(6 from the journal); {files - 6} in", resumedErr, StringComparison.Ordinal);
        Assert.Equal(CsvRows.Leading(Out("one.csv"), 7), CsvRows.Leading(csv, 7)); // the provenance's date differs
        Assert.False(File.Exists(journal));
    }

    [Fact]
    public void ResumeNeedsAnOutputFile()
    {
        var (code, err) = Run(Tiny("-") with { Resume = true }, TestContext.Current.CancellationToken);
        Assert.Equal(1, code);
        Assert.Contains("error: --resume needs --json FILE or --csv FILE", err, StringComparison.Ordinal);
    }
}
