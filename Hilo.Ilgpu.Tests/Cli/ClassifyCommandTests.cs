using System.Text.Json;
using Hilo.Ilgpu.Cli;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Tests.Imaging;
using Hilo.Ilgpu.Tests.Models;

namespace Hilo.Ilgpu.Tests.Cli;

/// <summary>
/// <c>hilo classify</c> end to end on the tiny LITv2 checkpoint (PyTorch fixture) and the image fixtures: the table,
/// JSON and CSV agree with the library's <see cref="ImageClassifier"/>; bad images are one error line each, after the
/// others; outputs are written whole or not at all.
/// </summary>
public sealed class ClassifyCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-classify-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string Image(string name) => Path.Combine(ImageFixtureCase.Folder, name);

    private ClassifyOptions Tiny(params string[] images) => new()
    {
        Images = images.Length > 0 ? images : [Image("rgb_317x251.png"), Image("palette_150x110.gif"), Image("photo_300x400.jpg")],
        Model = Litv2TestData.PathOf("tiny_config.json"),
        Weights = Litv2TestData.PathOf("tiny_bare.pth"),
        Device = "cpu",
        Batch = 2,
        Top = 3,
    };

    private static (int Code, string Out, string Err) Run(ClassifyOptions options)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ClassifyCommand.Run(options, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void JsonAgreesWithTheLibraryAndTheTableListsEveryImage()
    {
        string json = Path.Combine(dir, "top.json");
        var options = Tiny() with { Json = json };
        var (code, _, err) = Run(options);
        Assert.True(code == 0, err);
        Assert.Contains("image(s) classified", err, StringComparison.Ordinal);
        Assert.Contains("images/s", err, StringComparison.Ordinal);

        using var device = ComputeDevice.Open("cpu");
        using var model = new Litv2Model(device, Litv2TestData.Tiny);
        model.LoadStateDict(Litv2TestData.State("tiny_bare.pth"));
        var expected = new ImageClassifier(model).Classify(options.Images, topK: 3, batch: 1);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var images = document.RootElement.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(3, images.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(options.Images[i], images[i].GetProperty("path").GetString());
            var top = images[i].GetProperty("top").EnumerateArray().ToList();
            Assert.Equal(expected[i].Top.Select(c => c.Index), top.Select(t => t.GetProperty("class").GetInt32()));
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(expected[i].Top[k].Probability, top[k].GetProperty("probability").GetDouble(), 5);
            }
        }

        var (tableCode, table, _) = Run(Tiny());
        Assert.Equal(0, tableCode);
        Assert.StartsWith("image", table, StringComparison.Ordinal);
        Assert.Equal(1 + 3 * 3, table.Trim().Split('\n').Length);
        // The first data row is image 0's rank 1: its class index and label.
        string first = table.Split('\n')[1];
        Assert.Contains($"   1  {expected[0].Top[0].Index,5}  ", first, StringComparison.Ordinal);
        Assert.EndsWith($"class {expected[0].Top[0].Index}", first.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void CsvToStdoutHasOneRowPerRankAndBadImagesAreErrorsAfterTheRest()
    {
        var (code, output, err) = Run(Tiny(Image("rgb_317x251.png"), Image("not_an_image.png"), Image("tiny_40x30.png")) with { Csv = "-" });
        Assert.Equal(1, code);
        var rows = output.Trim().Split('\n');
        Assert.StartsWith("path,rank,class,label,probability,logit,error,command,", rows[0].TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(1 + 3 + 1 + 3, rows.Length);
        Assert.Contains(rows, r => r.Contains("not_an_image.png", StringComparison.Ordinal) && r.Contains("unknown image format", StringComparison.Ordinal));
        var errors = err.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.Contains("not_an_image.png: unknown image format", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void WhenEveryImageFailsOnlyTheErrorsAndASummaryArePrinted()
    {
        var (code, output, err) = Run(Tiny(Image("not_an_image.png"), Image("huge_header.png")));
        Assert.Equal(1, code);
        Assert.Equal("", output); // no table header over no rows
        Assert.Contains("no image classified: 2 error(s) below", err, StringComparison.Ordinal);
        Assert.Equal(2, err.Split('\n').Count(l => l.StartsWith("error: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void AFolderIsABatchAndAGlobSelects()
    {
        var (code, output, _) = Run(Tiny(Path.Combine(ImageFixtureCase.Folder, "rgb*.png")) with { Top = 1 });
        Assert.Equal(0, code);
        Assert.Equal(1 + 3, output.Trim().Split('\n').Length); // rgb16_120x90, rgb_317x251, rgba_160x120
        var (folderCode, folderOutput, folderErr) = Run(Tiny(ImageFixtureCase.Folder) with { Top = 1 });
        Assert.Equal(1, folderCode); // the folder holds two bad images on purpose
        Assert.Equal(2, folderErr.Split('\n').Count(l => l.StartsWith("error: ", StringComparison.Ordinal)));
        Assert.True(folderOutput.Trim().Split('\n').Length > 10);
    }

    [Fact]
    public void ExplainWritesThreePicturesPerImageNamedAfterIt()
    {
        string pictures = Path.Combine(dir, "pictures"); // created when missing
        var (code, _, err) = Run(Tiny(Image("rgb_317x251.png"), Image("tiny_40x30.png")) with { Explain = pictures });
        Assert.True(code == 0, err);
        var files = Directory.GetFiles(pictures).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["rgb_317x251.dtm.png", "rgb_317x251.hifi.png", "rgb_317x251.lofi.png", "tiny_40x30.dtm.png", "tiny_40x30.hifi.png", "tiny_40x30.lofi.png"], files);
        foreach (string file in Directory.GetFiles(pictures))
        {
            using var image = SixLabors.ImageSharp.Image.Load(file);
            Assert.True(image.Width >= 224 && image.Height >= 224, $"{file}: {image.Width}×{image.Height}");
        }
        Assert.Contains("--explain: wrote 6 picture(s) of 2 image(s)", err, StringComparison.Ordinal);
    }

    [Fact]
    public void EachPictureNamesItsImageAndPredictedClass()
    {
        var result = new ImageClassification("photos/cat.jpg", [new ClassScore(281, "tabby", 0.4312, 7.5f)], null);
        Assert.Equal("cat.jpg · predicted: tabby (43.1%)", ClassifyExplain.Note(result, randomWeights: false));
        Assert.Equal("cat.jpg · predicted: tabby (43.1%) · random weights: the class means nothing", ClassifyExplain.Note(result, randomWeights: true));
    }

    [Fact]
    public void EachBranchHasItsOwnHeadOption()
    {
        // Tiny's stage 3: 4 heads, α 0.9 → 3 Lo-Fi and 1 Hi-Fi; --explain-head alone could not reach Lo-Fi head 2.
        string pictures = Path.Combine(dir, "pictures");
        var (code, _, err) = Run(Tiny(Image("rgb_317x251.png"), Image("tiny_40x30.png")) with { Explain = pictures, ExplainHiFiHead = 0, ExplainLoFiHead = 2, ExplainScale = "shared" });
        Assert.True(code == 0, err);
        Assert.Equal(6, Directory.GetFiles(pictures).Length);
    }

    [Theory]
    [InlineData("explain-block", "--explain-block is 5")]
    [InlineData("explain-scale", "--explain-scale same: use own (each map its own range) or shared (one range over every image)")]
    [InlineData("explain-head", "--explain-head is 2; block 0 of stage 3 has 1 Hi-Fi head: 0..0 (--explain-hifi-head chooses the Hi-Fi head on its own)")]
    [InlineData("explain-lofi-head", "--explain-lofi-head is 3; block 0 of stage 3 has 3 Lo-Fi heads: 0..2")]
    [InlineData("explain-hifi-head", "--explain-hifi-head is -1; block 0 of stage 3 has 1 Hi-Fi head: 0..0")]
    [InlineData("no-weights", "--weights is required")]
    [InlineData("both-weights", "give either --weights or --random-weights")]
    [InlineData("missing-image", "no-such.png")]
    [InlineData("bad-top", "--top must be at least 1")]
    [InlineData("bad-labels", "label(s), but the model has 10 classes")]
    [InlineData("json-dir", "it is a folder")]
    [InlineData("both-stdout", "both ask for stdout")]
    public void BadOptionsAreOneErrorLineAndWriteNothing(string problem, string message)
    {
        string json = Path.Combine(dir, "out.json");
        string labels = Path.Combine(dir, "labels.txt");
        File.WriteAllText(labels, "a\nb\n");
        var options = problem switch
        {
            "no-weights" => Tiny() with { Weights = null, Json = json },
            "both-weights" => Tiny() with { RandomWeights = true, Json = json },
            "missing-image" => Tiny(Path.Combine(dir, "no-such.png")) with { Json = json },
            "bad-top" => Tiny() with { Top = 0, Json = json },
            "bad-labels" => Tiny() with { Labels = labels, Json = json },
            "json-dir" => Tiny() with { Json = dir },
            "explain-block" => Tiny() with { Explain = dir, ExplainBlock = 5, Json = json },
            "explain-scale" => Tiny() with { Explain = dir, ExplainScale = "same", Json = json },
            "explain-head" => Tiny() with { Explain = dir, ExplainHead = 2, Json = json },
            "explain-lofi-head" => Tiny() with { Explain = dir, ExplainLoFiHead = 3, Json = json },
            "explain-hifi-head" => Tiny() with { Explain = dir, ExplainHiFiHead = -1, Json = json },
            _ => Tiny() with { Json = "-", Csv = "-" },
        };
        var (code, output, err) = Run(options);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Single(err.Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.False(File.Exists(json));
        Assert.Single(Directory.GetFiles(dir)); // labels.txt only: no temporary files left
    }
}
