using System.Text;
using System.Text.Json;
using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary><see cref="RunProvenance"/>: its hash against a published test vector, its date, JSON and CSV forms.</summary>
public sealed class RunProvenanceTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-provenance-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static RunProvenance Sample(int? seed = null) => new()
    {
        Command = "hilo classify 'my photos/cat.png'",
        Model = "litv2-s",
        WeightsFile = seed is null ? "litv2_s.pth" : null,
        WeightsSha256 = seed is null ? new string('a', 64) : null,
        RandomSeed = seed,
        Device = "cpu: ILGPU CPU accelerator",
        Kernels = "cpu",
        Preprocessing = "resize, crop",
        HiloVersion = "9.8.7",
        Date = new DateTimeOffset(2026, 12, 7, 19, 30, 5, TimeSpan.FromHours(2)),
        Machine = "a CPU, 2 logical CPUs",
    };

    [Fact]
    public void Sha256IsTheStandardDigestOfTheFileBytes()
    {
        // FIPS 180-2's example: SHA-256("abc"), and the digest of no bytes.
        string abc = Path.Combine(dir, "abc.bin"), empty = Path.Combine(dir, "empty.bin");
        File.WriteAllBytes(abc, Encoding.ASCII.GetBytes("abc"));
        File.WriteAllBytes(empty, []);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", RunProvenance.Sha256Of(abc));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", RunProvenance.Sha256Of(empty));
    }

    [Fact]
    public void TheDateIsIso8601InUtc()
    {
        Assert.Equal("2026-12-07T17:30:05Z", Sample().DateText);
    }

    [Fact]
    public void RandomWeightsAreNamedWithTheirSeed()
    {
        Assert.False(Sample().RandomWeights);
        Assert.Equal("litv2_s.pth", Sample().Weights);
        Assert.True(Sample(7).RandomWeights);
        Assert.Equal("random, seed 7", Sample(7).Weights);
    }

    [Fact]
    public void JsonHasEveryKeyInOrderWithNullsForWhatIsAbsent()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            Sample(3).WriteJson(json);
            json.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.ToArray());
        var p = document.RootElement.GetProperty("provenance");
        Assert.Equal(RunProvenance.Keys, p.EnumerateObject().Select(e => e.Name));
        Assert.Equal("random, seed 3", p.GetProperty("weights").GetString());
        Assert.Equal(JsonValueKind.Null, p.GetProperty("weights_sha256").ValueKind);
        Assert.True(p.GetProperty("random_weights").GetBoolean());
        Assert.Equal("2026-12-07T17:30:05Z", p.GetProperty("date").GetString());
        Assert.Equal("hilo classify 'my photos/cat.png'", p.GetProperty("command").GetString());
    }

    [Fact]
    public void CsvColumnsAreThoseTheTableLacksInKeyOrder()
    {
        var columns = RunProvenance.ExtraColumns("device,name,batch");
        Assert.Equal(RunProvenance.Keys.Where(k => k != "device"), columns);
        var values = Sample().Values(["date", "weights_sha256", "random_weights", "kernels"]);
        Assert.Equal(["2026-12-07T17:30:05Z", new string('a', 64), "false", "cpu"], values);
        Assert.Throws<ArgumentException>(() => Sample().Values(["host"]));
    }

    [Fact]
    public void PreprocessingNamesTheResizeTheCropAndTheNormalisation()
    {
        string text = RunProvenance.Describe(Preprocess.ForImageSize(224));
        Assert.Contains("= 256, bicubic", text, StringComparison.Ordinal);
        Assert.Contains("CenterCrop(224)", text, StringComparison.Ordinal);
        Assert.Contains("Normalize(mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225])", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheMachineIsItsProcessorsAndRuntimeNotItsName()
    {
        string machine = RunProvenance.DescribeMachine();
        Assert.Contains($"{Environment.ProcessorCount} logical CPUs", machine, StringComparison.Ordinal);
        Assert.Contains(".NET", machine, StringComparison.Ordinal);
        // Names too short to be told from words of a CPU or OS name ("vm", "root") are not looked for.
        foreach (string name in new[] { Environment.MachineName, Environment.UserName }.Where(n => n.Length >= 5))
        {
            Assert.DoesNotContain(name, machine, StringComparison.OrdinalIgnoreCase);
        }
    }
}
