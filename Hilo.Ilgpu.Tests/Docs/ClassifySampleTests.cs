using Hilo.Ilgpu.Tests.Imaging;
using Hilo.Ilgpu.Tests.Models;
using Hilo.Samples.Classify;

namespace Hilo.Ilgpu.Tests.Docs;

/// <summary>samples/Classify on every device present, with the tiny LITv2 checkpoint: every device gives the same top-5.</summary>
public sealed class ClassifySampleTests
{
    [Fact]
    public void EveryDeviceGivesTheSameTopFive()
    {
        string[] images = [Path.Combine(ImageFixtureCase.Folder, "rgb_317x251.png"), Path.Combine(ImageFixtureCase.Folder, "gray_200x150.png")];
        string config = Litv2TestData.PathOf("tiny_config.json"), weights = Litv2TestData.PathOf("tiny_bare.pth");
        var reference = ClassifyDemo.Run("cpu", config, weights, images, TextWriter.Null);
        Assert.All(reference, r => Assert.True(r.Succeeded, r.Error));
        foreach (var device in Devices.All.Where(d => d.Id != "cpu"))
        {
            var output = new StringWriter();
            var results = ClassifyDemo.Run(device.Id, config, weights, images, output);
            TestContext.Current.TestOutputHelper?.WriteLine($"{device.Id}:\n{output}");
            for (int i = 0; i < images.Length; i++)
            {
                Assert.Equal(reference[i].Top.Select(c => c.Index), results[i].Top.Select(c => c.Index));
                Assert.All(reference[i].Top.Zip(results[i].Top), p => Assert.Equal(p.First.Probability, p.Second.Probability, 4));
            }
        }
    }

    [Fact]
    public void PrintsTheTopFiveAndSkipsABadFileWithItsReason()
    {
        var output = new StringWriter();
        var results = ClassifyDemo.Run("cpu", Litv2TestData.PathOf("tiny_config.json"), null,
            [Path.Combine(ImageFixtureCase.Folder, "tiny_40x30.png"), Path.Combine(ImageFixtureCase.Folder, "not_an_image.png")], output);
        string[] lines = output.ToString().Trim().Split('\n');
        Assert.StartsWith("tiny_40x30.png: class ", lines[0], StringComparison.Ordinal);
        Assert.Equal(5, lines[0].Split(", ").Length);
        Assert.StartsWith("not_an_image.png: skipped (", lines[1], StringComparison.Ordinal);
        Assert.False(results[1].Succeeded);
    }
}
