using System.Text.Json;
using Hilo.Ilgpu.Cli;
using Hilo.Ilgpu.Tests.Models;

namespace Hilo.Ilgpu.Tests.Cli;

/// <summary>
/// <c>hilo models</c>: each preset's parameters and FLOPs as the counters give them (equal to the paper's 28M/3.7G,
/// 49M/7.5G, 87M/13.2G, 39.7G), its published top-1 and checkpoint; the α sweep; and the "--weights is required"
/// errors that point there.
/// </summary>
public sealed class ModelsCommandTests
{
    private static (int Code, string Out, string Err) Hilo(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = HiloCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void TableListsEveryPresetWithThePapersFiguresAndItsDownload()
    {
        var (code, text, err) = Hilo("models");
        Assert.True(code == 0, err);
        var lines = text.Split('\n').Select(l => l.TrimEnd()).ToList();
        // The paper's table (LITv2 README): params 28/49/87/87 M, FLOPs 3.7/7.5/13.2/39.7 G, top-1 82.0/83.3/83.6/84.7.
        string[] expected =
        [
            "litv2-s       224²    27.84M    3.7G   82.0  litv2_s.pth",
            "litv2-m       224²    48.83M    7.5G   83.3  litv2_m.pth",
            "litv2-b       224²    86.52M   13.2G   83.6  litv2_b.pth",
            "litv2-b-384   384²    86.52M   39.7G   84.7  litv2_b_384.pth",
        ];
        Assert.Equal(expected, lines.Skip(1).Take(4));
        foreach (string file in new[] { "litv2_s.pth", "litv2_m.pth", "litv2_b.pth", "litv2_b_384.pth" })
        {
            Assert.Contains("  https://github.com/ziplab/LITv2/releases/download/v1.0/" + file, lines);
        }
        Assert.Contains("  0.5      6/6      81.88", lines);
        Assert.Contains("  0.9     10/2      82.03", lines);
    }

    [Fact]
    public void JsonHasTheCountsTheTopOneAndTheSweep()
    {
        var (code, text, err) = Hilo("models", "--json", "-");
        Assert.True(code == 0, err);
        using var document = JsonDocument.Parse(text);
        var models = document.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(["litv2-s", "litv2-m", "litv2-b", "litv2-b-384"], models.Select(m => m.GetProperty("model").GetString()));
        // FlopCounterTests' hand count of LITv2-S at 224².
        Assert.Equal(3_735_631_104L, models[0].GetProperty("flops").GetInt64());
        Assert.Equal(27_844_000L, models[0].GetProperty("params").GetInt64());
        Assert.Equal([224, 224, 224, 384], models.Select(m => m.GetProperty("image_size").GetInt32()));
        Assert.Equal([82.0, 83.3, 83.6, 84.7], models.Select(m => m.GetProperty("top1").GetDouble()));
        var sweep = document.RootElement.GetProperty("alpha_sweep").EnumerateArray().ToList();
        Assert.Equal(7, sweep.Count);
        Assert.Equal("litv2_s.pth", Assert.Single(sweep, p => p.GetProperty("checkpoint").ValueKind == JsonValueKind.String).GetProperty("checkpoint").GetString());
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("infer")]
    public void MissingWeightsPointToHiloModels(string command)
    {
        string[] args = command == "classify"
            ? ["classify", Path.Combine(Imaging.ImageFixtureCase.Folder, "tiny_40x30.png"), "--device", "cpu"]
            : ["infer", "--model", "litv2-s", "--input", Litv2TestData.PathOf("input_32x32.npy"), "--device", "cpu"];
        var (code, _, err) = Hilo(args);
        Assert.Equal(1, code);
        Assert.Contains("--weights is required (a .pth or .safetensors checkpoint: 'hilo models' lists the official ones and where to download them)", err, StringComparison.Ordinal);
    }
}
