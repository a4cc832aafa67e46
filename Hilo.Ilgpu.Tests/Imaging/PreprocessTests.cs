using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Kernels.Layers.Image;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Tests.Imaging;

/// <summary>The transform's geometry (torchvision's arithmetic) and the host reference against torchvision.</summary>
public sealed class PreprocessTests
{
    [Fact]
    public void LitV2TransformsAreTheOfficialOnes()
    {
        var s = Preprocess.ForModel(Litv2Config.Preset("litv2-s"));
        Assert.Equal((256, 224, false), (s.ResizeShorter, s.CropSize, s.Stretch));
        var b384 = Preprocess.ForModel(Litv2Config.Preset("litv2-b-384"));
        Assert.Equal((384, 384, true), (b384.ResizeShorter, b384.CropSize, b384.Stretch));
        Assert.Contains("TEST.CROP False", b384.Source, StringComparison.Ordinal);
        Assert.Equal(438, Preprocess.ForImageSize(384).ResizeShorter);
        Assert.Equal([0.485f, 0.456f, 0.406f], s.Mean);
        Assert.Equal([0.229f, 0.224f, 0.225f], s.Std);
    }

    [Theory]
    // Values from torchvision 0.14 (_compute_resized_output_size and center_crop) for the same sizes.
    [InlineData(317, 251, 323, 256, 16, 50)]   // (323 - 224) / 2 = 49.5 rounds to even: 50
    [InlineData(251, 317, 256, 323, 50, 16)]
    [InlineData(300, 400, 256, 341, 58, 16)]   // 58.5 → 58
    [InlineData(40, 30, 341, 256, 16, 58)]
    [InlineData(500, 500, 256, 256, 16, 16)]
    [InlineData(1000, 3, 85333, 256, 16, 42554)]
    public void PlanUsesTorchvisionArithmetic(int width, int height, int w, int h, int top, int left) =>
        Assert.Equal(new ResizePlan(w, h, top, left, 224, 224), Preprocess.ForImageSize(224).Plan(width, height));

    [Fact]
    public void BadTransformsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new Preprocess(100, 224));
        Assert.Throws<ArgumentException>(() => new Preprocess(256, 224, stretch: true));
        Assert.Throws<ArgumentException>(() => new Preprocess(0, 0));
    }

    /// <summary>The plain reference alone reproduces torchvision on the losslessly stored fixtures: Pillow's bytes exactly.</summary>
    [Theory]
    [MemberData(nameof(ImagingSuite.FixtureCases), MemberType = typeof(ImagingSuite))]
    public void ReferenceMatchesTorchvision(string key)
    {
        var f = ImageFixtureCase.All[key];
        var image = ImageFile.Load(f.ImagePath);
        float[] actual = ImagingSuite.Reference(image, new Preprocess(f.Resize, f.Crop, f.Stretch));
        var (max, steps) = ImagingSuite.Compare(f.Expected().Data, actual);
        TestContext.Current.TestOutputHelper?.WriteLine($"{key}: reference vs torchvision max abs difference {max:G3}, {steps} values off by a step or more");
        Assert.True(max <= ImagingSuite.Tolerance, $"{key}: {max}");
    }

    [Fact]
    public void TableWeightsSumToOneInFixedPoint()
    {
        foreach (var (input, output) in new[] { (317, 323), (400, 73), (30, 97), (16, 16), (1000, 7) })
        {
            var t = ResampleTable.Bicubic(input, output, 0, output);
            for (int i = 0; i < t.Count; i++)
            {
                int sum = 0;
                for (int k = 0; k < t.Counts[i]; k++)
                {
                    sum += t.Weights[i * t.KernelSize + k];
                }
                Assert.InRange(sum, (1 << 22) - t.Counts[i], (1 << 22) + t.Counts[i]);
                Assert.InRange(t.Starts[i] + t.Counts[i], 1, input);
            }
        }
    }
}
