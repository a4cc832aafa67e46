using Hilo.Ilgpu.Cli;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Tests.Imaging;
using Hilo.Ilgpu.Tests.Models;

namespace Hilo.Ilgpu.Tests.Cli;

/// <summary>
/// <c>hilo preprocess</c> against torchvision's tensors of the lossless fixtures (tools/make_image_fixtures.py), and
/// the round trip: <c>infer --input</c> on its output gives <c>classify --logits</c>'s logits. A bad image fails the
/// whole run and writes nothing.
/// </summary>
public sealed class PreprocessCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-preprocess-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Temp(string file) => Path.Combine(dir, file);

    private static (int Code, string Out, string Err) Hilo(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = HiloCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    // Every fixture with torchvision's Resize(73) + CenterCrop(64): lossless ones and JPEG photos alike, since JPEGs
    // decode to PIL's pixels too (docs/images.md).
    private static List<ImageFixtureCase> Lossless() =>
        [.. ImageFixtureCase.All.Values.Where(c => c.Tensor.EndsWith(".r73c64.npy", StringComparison.Ordinal)).OrderBy(c => c.Image, StringComparer.Ordinal)];

    [Fact]
    public void RowsAreTorchvisionsTensorsInTheOrderGiven()
    {
        var cases = Lossless();
        Assert.True(cases.Count >= 8, $"{cases.Count} fixtures");
        cases.Reverse(); // not the folder's order: the rows follow the arguments
        string npy = Temp("x.npy");
        var (code, rows, err) = Hilo(["preprocess", .. cases.Select(c => c.ImagePath), "--size", "64", "--output", npy, "--device", "cpu", "--batch", "3"]);
        Assert.True(code == 0, err);
        var x = NpyFile.Read(npy);
        Assert.Equal([cases.Count, 3, 64, 64], x.Shape);
        Assert.Equal(cases.Select((c, i) => $"{i}\t{c.ImagePath}"), rows.TrimEnd().Split('\n'));
        int plane = 3 * 64 * 64;
        for (int i = 0; i < cases.Count; i++)
        {
            var expected = cases[i].Expected().Data;
            double max = Enumerable.Range(0, plane).Max(k => Math.Abs(x.Data[i * plane + k] - expected[k]));
            Assert.True(max <= ImagingSuite.Tolerance, $"{cases[i].Image}: {max} from torchvision");
        }
    }

    [Fact]
    public void TheDefaultIsLitv2sTransform()
    {
        var f = ImageFixtureCase.All["rgb_317x251.png.r256c224"];
        string npy = Temp("x.npy");
        var (code, _, err) = Hilo("preprocess", f.ImagePath, "-o", npy, "--device", "cpu");
        Assert.True(code == 0, err);
        var x = NpyFile.Read(npy);
        Assert.Equal([1, 3, 224, 224], x.Shape);
        Assert.True(Litv2TestData.MaxAbsDiff(x.Data, f.Expected().Data) <= ImagingSuite.Tolerance);
    }

    [Fact]
    public void InferOnItsOutputGivesClassifysLogits()
    {
        string config = Litv2TestData.PathOf("tiny_config.json"), weights = Litv2TestData.PathOf("tiny_bare.pth");
        string[] images = [.. new[] { "rgb_317x251.png", "photo_300x400.jpg", "gray_200x150.png" }.Select(n => Path.Combine(ImageFixtureCase.Folder, n))];
        string x = Temp("x.npy"), fromClassify = Temp("classify.npy"), fromInfer = Temp("infer.npy"), json = Temp("top.json");
        var (code, _, err) = Hilo(["preprocess", .. images, "--model", config, "-o", x, "--device", "cpu"]);
        Assert.True(code == 0, err);
        (code, _, err) = Hilo(["classify", .. images, "--model", config, "--weights", weights, "--device", "cpu", "--logits", fromClassify, "--json", json, "--top", "1"]);
        Assert.True(code == 0, err);
        (code, _, err) = Hilo("infer", "--model", config, "--weights", weights, "--input", x, "--output", fromInfer, "--device", "cpu");
        Assert.True(code == 0, err);
        var a = NpyFile.Read(fromClassify);
        var b = NpyFile.Read(fromInfer);
        Assert.Equal([3, 10], a.Shape);
        Assert.Equal(a.Shape, b.Shape);
        Assert.True(Litv2TestData.MaxAbsDiff(a.Data, b.Data) <= 1e-5, $"classify vs infer: {Litv2TestData.MaxAbsDiff(a.Data, b.Data)}");
        // Every class is in the file, not only the top ones: row i's largest logit is the JSON's top class and logit.
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        var top = document.RootElement.GetProperty("images").EnumerateArray().Select(e => e.GetProperty("top")[0]).ToList();
        for (int i = 0; i < 3; i++)
        {
            var row = a.Data.AsSpan(i * 10, 10).ToArray();
            Assert.Equal(Array.IndexOf(row, row.Max()), top[i].GetProperty("class").GetInt32());
            Assert.Equal(row.Max(), top[i].GetProperty("logit").GetSingle());
            Assert.Equal(10, row.Distinct().Count());
        }
    }

    [Fact]
    public void ABadImageFailsTheRunAndWritesNothing()
    {
        string npy = Temp("x.npy");
        string[] images = [.. new[] { "rgb_317x251.png", "not_an_image.png", "huge_header.png" }.Select(n => Path.Combine(ImageFixtureCase.Folder, n))];
        var (code, output, err) = Hilo(["preprocess", .. images, "-o", npy, "--device", "cpu"]);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        var errors = err.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains("not_an_image.png: unknown image format", errors[0], StringComparison.Ordinal);
        Assert.Contains("huge_header.png", errors[1], StringComparison.Ordinal);
        Assert.Equal($"error: {npy} not written: 2 of 3 image(s) could not be read, and the array must have one row per input image (remove or fix them)", errors[2]);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void ClassifyWritesNoLogitsWhenAnImageFailed()
    {
        string npy = Temp("logits.npy");
        var (code, _, err) = Hilo("classify", Path.Combine(ImageFixtureCase.Folder, "rgb_317x251.png"), Path.Combine(ImageFixtureCase.Folder, "not_an_image.png"),
            "--model", Litv2TestData.PathOf("tiny_config.json"), "--weights", Litv2TestData.PathOf("tiny_bare.pth"), "--device", "cpu", "--logits", npy);
        Assert.Equal(1, code);
        Assert.Contains($"error: --logits {npy} not written: 1 of 2 image(s) failed, and the array must have one row per input image", err, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Theory]
    [InlineData("--size", "16", "--size must be between 29 and 16384 pixels, got 16")]
    [InlineData("--batch", "0", "--batch must be at least 1, got 0")]
    [InlineData("--model", "litv2-xl", "unknown model 'litv2-xl'")]
    public void BadOptionsAreOneErrorLine(string option, string value, string message)
    {
        var (code, _, err) = Hilo("preprocess", Path.Combine(ImageFixtureCase.Folder, "rgb_317x251.png"), "-o", Temp("x.npy"), option, value);
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", err, StringComparison.Ordinal);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir));
    }
}
