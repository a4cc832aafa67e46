using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Validation;

namespace Hilo.Ilgpu.Tests.Validation;

/// <summary>
/// <see cref="ResultJournal"/>: batches written are read back exactly (probabilities and logits bit for bit), a cut
/// last line is dropped, another run's journal or a corrupt line is refused, and a run without resume starts over.
/// </summary>
public sealed class ResultJournalTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-journal-").FullName;
    private static readonly ClassLabels Labels = ClassLabels.Numbered(10);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string File1 => Path.Combine(dir, "run.json.journal");

    private static List<(int, ImageClassification)> Batch(int first) =>
    [
        (first, new ImageClassification($"img{first}.png", [new ClassScore(3, "class 3", 0.1 + 1e-17 * first + Math.PI / 10, 1.2345678f), new ClassScore(9, "class 9", 1.0 / 3, -0.1f)], null)),
        (first + 1, new ImageClassification($"bad \"{first + 1}\".png", [], $"bad \"{first + 1}\".png: unknown image format")),
    ];

    [Fact]
    public void ResumedBatchesAreReadBackExactly()
    {
        using (var journal = ResultJournal.Open(File1, "run A", resume: false, Labels))
        {
            journal.Append(0, Batch(0));
            journal.Append(2, Batch(4));
        }
        using var again = ResultJournal.Open(File1, "run A", resume: true, Labels);
        Assert.Equal([0, 2], again.Done.Keys.Order());
        foreach (var (number, first) in new[] { (0, 0), (2, 4) })
        {
            var expected = Batch(first);
            var read = again.Done[number];
            Assert.Equal(expected.Count, read.Count);
            for (int k = 0; k < expected.Count; k++)
            {
                Assert.Equal(expected[k].Item1, read[k].Index);
                Assert.Equal(expected[k].Item2.Path, read[k].Result.Path);
                Assert.Equal(expected[k].Item2.Error, read[k].Result.Error);
                Assert.Equal(expected[k].Item2.Top, read[k].Result.Top); // records: index, label, probability and logit equal
            }
        }
    }

    [Fact]
    public void ACutLastLineIsDroppedAndWrittenAgain()
    {
        using (var journal = ResultJournal.Open(File1, "run A", resume: false, Labels))
        {
            journal.Append(0, Batch(0));
            journal.Append(1, Batch(2));
        }
        var bytes = File.ReadAllBytes(File1);
        File.WriteAllBytes(File1, bytes[..^20]); // killed while writing batch 1
        using (var journal = ResultJournal.Open(File1, "run A", resume: true, Labels))
        {
            Assert.Equal([0], journal.Done.Keys);
            journal.Append(1, Batch(2));
        }
        Assert.Equal(bytes, File.ReadAllBytes(File1));
    }

    [Fact]
    public void AnotherRunsJournalOrACorruptLineIsRefused()
    {
        using (var journal = ResultJournal.Open(File1, "run A", resume: false, Labels))
        {
            journal.Append(0, Batch(0));
        }
        var e = Assert.Throws<ArgumentException>(() => ResultJournal.Open(File1, "run B", resume: true, Labels));
        Assert.Contains("was written by another run (run A), not this one (run B)", e.Message, StringComparison.Ordinal);
        var lines = File.ReadAllLines(File1);
        File.WriteAllLines(File1, [lines[0], "{\"batch\": 1, \"images\": [", lines[1]]);
        e = Assert.Throws<ArgumentException>(() => ResultJournal.Open(File1, "run A", resume: true, Labels));
        Assert.Contains($"journal {File1} line 2 is corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutResumeAnOldJournalIsReplacedAndDeleteRemovesIt()
    {
        using (var journal = ResultJournal.Open(File1, "run A", resume: false, Labels))
        {
            journal.Append(0, Batch(0));
        }
        var fresh = ResultJournal.Open(File1, "run B", resume: false, Labels);
        Assert.Empty(fresh.Done);
        fresh.Delete();
        Assert.False(File.Exists(File1));
        using var missing = ResultJournal.Open(File1, "run B", resume: true, Labels); // nothing to resume: a fresh start
        Assert.Empty(missing.Done);
    }
}
