using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Tests.Models;

namespace Hilo.Ilgpu.Tests.Imaging;

/// <summary>
/// The whole image path at the logits: LITv2-S (random weights, seed 7) on our decoding and device preprocessing of
/// each fixture image against the same model on torchvision's preprocessed tensor of that image. Lossless images give
/// the same logits (the tensors are equal), and so do JPEGs, decoded by libjpeg-turbo as PIL decodes them; top-1 and
/// top-5 must agree on every image.
/// </summary>
public sealed class ImageClassifierTests(CpuFamilyFixture fixture) : IClassFixture<CpuFamilyFixture>
{
    public static TheoryData<string> Cases() =>
        [.. ImageFixtureCase.All.Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void LogitsAgreeWithTorchvisionPreprocessing(string key)
    {
        var f = ImageFixtureCase.All[key];
        var device = fixture.Get();
        using var model = new Litv2Model(device, Litv2Config.Preset("litv2-s"));
        model.InitializeRandom(7);
        var classifier = new ImageClassifier(model, preprocess: new Preprocess(f.Resize, f.Crop, f.Stretch));
        var ours = classifier.Top([ImageFile.Load(f.ImagePath)], topK: 1000)[0];
        var expected = f.Expected();
        using var reference = device.Upload(expected.Rank == 3 ? new Hilo.Ilgpu.IO.HostTensor([1, .. expected.Shape], expected.Data) : expected);
        using var theirsLogits = model.Forward(reference);
        var theirs = ImageClassifier.TopOfLogits(theirsLogits.ToArray(), 1, classifier.Labels, 1000)[0];
        double maxDiff = ours.Zip(ours.Select(o => theirs.First(t => t.Index == o.Index))).Max(p => Math.Abs(p.First.Logit - p.Second.Logit));
        bool top1 = ours[0].Index == theirs[0].Index;
        bool top5 = ours.Take(5).Select(c => c.Index).ToHashSet().SetEquals(theirs.Take(5).Select(c => c.Index));
        TestContext.Current.TestOutputHelper?.WriteLine($"{key}: max |Δlogit| {maxDiff:G3}, top-1 {(top1 ? "agrees" : "differs")}, top-5 {(top5 ? "agrees" : "differs")}");
        Assert.True(top1 && top5, $"{key}: top-1/top-5 differ from torchvision's");
        Assert.True(maxDiff <= 1e-3, $"{key}: logits differ by {maxDiff}");
    }

    [Fact]
    public void BadFilesAreResultsWithTheirErrorAndTheRestIsClassified()
    {
        var device = fixture.Get();
        using var model = new Litv2Model(device, Litv2TestData.Tiny);
        model.LoadStateDict(Litv2TestData.State("tiny_bare.pth"));
        var classifier = new ImageClassifier(model);
        string folder = ImageFixtureCase.Folder;
        string[] paths = [Path.Combine(folder, "rgb_317x251.png"), Path.Combine(folder, "not_an_image.png"), Path.Combine(folder, "huge_header.png"), Path.Combine(folder, "tiny_40x30.png")];
        var progress = new List<ClassifyProgress>();
        var results = classifier.Classify(paths, topK: 3, batch: 1, new SyncProgress(progress.Add));
        Assert.Equal(paths, results.Select(r => r.Path));
        Assert.True(results[0].Succeeded && results[3].Succeeded);
        Assert.Contains("unknown image format", results[1].Error, StringComparison.Ordinal);
        Assert.Contains("over the limit", results[2].Error, StringComparison.Ordinal);
        Assert.All(results.Where(r => r.Succeeded), r =>
        {
            Assert.Equal(3, r.Top.Count);
            Assert.True(r.Top[0].Probability >= r.Top[1].Probability && r.Top[1].Probability >= r.Top[2].Probability);
            Assert.Equal($"class {r.Top[0].Index}", r.Top[0].Label); // 10 classes: no ImageNet names
        });
        // One step per batch (of one image here), bad files included.
        Assert.Equal([new(0, 4), new(1, 4), new(2, 4), new(3, 4), new(4, 4)], progress);
    }

    [Fact]
    public void ImageNetLabelsAreTorchvisionsInClassOrder()
    {
        var labels = ClassLabels.ImageNet;
        Assert.Equal(1000, labels.Count);
        Assert.Equal("tench", labels[0]);
        Assert.Equal("goldfish", labels[1]);
        Assert.Equal("toilet tissue", labels[999]);
        Assert.Same(labels, ClassLabels.For(1000));
        Assert.Equal("class 3", ClassLabels.For(10)[3]);
        using var dir = new Hilo.Ilgpu.Tests.IO.TempDirectory();
        string file = dir.File("labels.txt");
        File.WriteAllText(file, "cat\ndog\n\n");
        Assert.Equal("dog", ClassLabels.Read(file, 2)[1]);
        Assert.Contains("2 label(s), but the model has 3 classes", Assert.Throws<ArgumentException>(() => ClassLabels.Read(file, 3)).Message, StringComparison.Ordinal);
        File.WriteAllText(file, "cat\n\ndog\n");
        Assert.Contains("line 2 is empty", Assert.Throws<ArgumentException>(() => ClassLabels.Read(file, 3)).Message, StringComparison.Ordinal);
    }

    private sealed class SyncProgress(Action<ClassifyProgress> report) : IProgress<ClassifyProgress>
    {
        public void Report(ClassifyProgress value) => report(value);
    }
}
