using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Hilo.Ilgpu.Cli;
using Hilo.Ilgpu.Tests.Imaging;
using Hilo.Ilgpu.Tests.Infrastructure;
using Hilo.Ilgpu.Tests.Models;

namespace Hilo.Ilgpu.Tests.Cli;

/// <summary>
/// Results say how they were made (<see cref="RunProvenance"/>): the JSON and CSV of <c>classify</c> and the JSON of
/// <c>infer</c> carry the command line as typed, the weights and their SHA-256 (or "random, seed N"), the device, the
/// kernels, the preprocessing, the version, the date and the machine, run through the real command line parser.
/// </summary>
public sealed class ProvenanceTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-provenance-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (int Code, string Out, string Err) Hilo(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = HiloCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    // SHA-256 by System.Security.Cryptography directly (RunProvenanceTests checks RunProvenance's against FIPS vectors).
    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void ClassifyJsonAndCsvSayHowTheyWereMade()
    {
        // A folder with a space and a file with a quote: the recorded command must paste back into a shell.
        string photos = Directory.CreateDirectory(Path.Combine(dir, "my photos")).FullName;
        string image = Path.Combine(photos, "cat's.png");
        File.Copy(Path.Combine(ImageFixtureCase.Folder, "rgb_317x251.png"), image);
        string config = Litv2TestData.PathOf("tiny_config.json"), weights = Litv2TestData.PathOf("tiny_bare.pth");
        string json = Path.Combine(dir, "top.json"), csv = Path.Combine(dir, "top.csv");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var (code, _, err) = Hilo("classify", image, "--model", config, "--weights", weights, "--device", "cpu", "--top", "2", "--json", json, "--csv", csv);
        var after = DateTimeOffset.UtcNow.AddSeconds(1);
        Assert.True(code == 0, err);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var p = document.RootElement.GetProperty("provenance");
        string command = $"hilo classify '{photos}/cat'\\''s.png' --model {config} --weights {weights} --device cpu --top 2 --json {json} --csv {csv}";
        Assert.Equal(command, p.GetProperty("command").GetString());
        Assert.Equal("tiny_config", p.GetProperty("model").GetString());
        Assert.Equal(weights, p.GetProperty("weights").GetString());
        Assert.Equal(Sha256(weights), p.GetProperty("weights_sha256").GetString());
        Assert.False(p.GetProperty("random_weights").GetBoolean());
        Assert.StartsWith("cpu: ", p.GetProperty("device").GetString(), StringComparison.Ordinal);
        Assert.Equal("auto", p.GetProperty("kernels").GetString());
        Assert.Contains("CenterCrop(", p.GetProperty("preprocessing").GetString(), StringComparison.Ordinal);
        Assert.Equal(HiloInfo.Version, p.GetProperty("hilo_version").GetString());
        var date = DateTimeOffset.ParseExact(p.GetProperty("date").GetString()!, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.InRange(date, before, after);
        Assert.Equal(RunProvenance.DescribeMachine(), p.GetProperty("machine").GetString());

        // The CSV: the results' columns, then every provenance key on every row, equal to the JSON's (pandas-readable, no comment lines).
        var (header, rows) = CsvRows.Parse(File.ReadAllText(csv));
        Assert.Equal("path,rank,class,label,probability,logit,error".Split(',').Concat(RunProvenance.Keys), header);
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(image, row["path"]);
            foreach (string key in RunProvenance.Keys.Where(k => k != "random_weights"))
            {
                Assert.Equal(p.GetProperty(key).GetString(), row[key]);
            }
            Assert.Equal("false", row["random_weights"]);
        }
    }

    [Fact]
    public void RandomWeightsSaySoInTheTableTheJsonAndTheCsv()
    {
        string image = Path.Combine(ImageFixtureCase.Folder, "tiny_40x30.png"), config = Litv2TestData.PathOf("tiny_config.json");
        var (code, table, err) = Hilo("classify", image, "--model", config, "--random-weights", "--seed", "5", "--device", "cpu", "--top", "1");
        Assert.True(code == 0, err);
        Assert.Equal("(random, seed 5: random weights, the classes mean nothing; see hilo models for the official checkpoints)", table.TrimEnd().Split('\n')[^1]);

        var (jsonCode, json, jsonErr) = Hilo("classify", image, "--model", config, "--random-weights", "--seed", "5", "--device", "cpu", "--json", "-");
        Assert.True(jsonCode == 0, jsonErr);
        using var document = JsonDocument.Parse(json);
        var p = document.RootElement.GetProperty("provenance");
        Assert.True(p.GetProperty("random_weights").GetBoolean());
        Assert.Equal("random, seed 5", p.GetProperty("weights").GetString());
        Assert.Equal(JsonValueKind.Null, p.GetProperty("weights_sha256").ValueKind);

        var (csvCode, csv, csvErr) = Hilo("classify", image, "--model", config, "--random-weights", "--seed", "5", "--device", "cpu", "--csv", "-");
        Assert.True(csvCode == 0, csvErr);
        var (_, rows) = CsvRows.Parse(csv);
        Assert.All(rows, r => Assert.Equal(("true", "random, seed 5", ""), (r["random_weights"], r["weights"], r["weights_sha256"])));
    }

    [Fact]
    public void InferJsonHasTheProvenanceAndTheTopClassesOfTheLogits()
    {
        string config = Litv2TestData.PathOf("tiny_config.json"), weights = Litv2TestData.PathOf("tiny_wrapped.pth"), input = Litv2TestData.PathOf("input_32x48.npy");
        string json = Path.Combine(dir, "infer.json"), logits = Path.Combine(dir, "logits.npy");
        var (code, text, err) = Hilo("infer", "--model", config, "--weights", weights, "--input", input, "--device", "cpu", "--kernels", "cpu", "--output", logits, "--json", json);
        Assert.True(code == 0, err);
        Assert.Equal("", text); // --output: nothing printed

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        var p = root.GetProperty("provenance");
        Assert.Equal($"hilo infer --model {config} --weights {weights} --input {input} --device cpu --kernels cpu --output {logits} --json {json}", p.GetProperty("command").GetString());
        Assert.Equal(Sha256(weights), p.GetProperty("weights_sha256").GetString());
        Assert.Equal("cpu", p.GetProperty("kernels").GetString());
        Assert.Contains(input, p.GetProperty("preprocessing").GetString(), StringComparison.Ordinal);
        Assert.Equal(logits, root.GetProperty("output").GetString());
        Assert.Equal([2, 10], root.GetProperty("logits_shape").EnumerateArray().Select(d => d.GetInt32()));

        // Each image's classes are PyTorch's logits in descending order.
        var want = Litv2TestData.Logits("32x48").Data;
        var images = root.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(2, images.Count);
        for (int i = 0; i < 2; i++)
        {
            var row = want.AsSpan(i * 10, 10).ToArray();
            var expected = Enumerable.Range(0, 10).OrderByDescending(c => row[c]).Take(5);
            Assert.Equal(expected, images[i].GetProperty("top").EnumerateArray().Select(c => c.GetProperty("class").GetInt32()));
        }
    }
}
