using System.Globalization;
using Hilo.Ilgpu.Cli;
using Hilo.Ilgpu.Tests.Models;
using SkiaSharp;

namespace Hilo.Ilgpu.Tests.Cli;

/// <summary>
/// <c>hilo classify</c> over small files that decode to huge images holds memory bounded by the decode pipeline's budget,
/// not by <c>--batch</c> × the image size: 8 JPEGs of 4 KB whose frame header claims 6300 × 6300 (40 megapixels, 119 MB
/// of RGB each, accepted by the default limits) in one batch of 8. The whole process's peak resident memory is
/// measured in a child process (the decoders' memory is native). Before the pipeline handed images one at a time, the
/// same run with 16 such files peaked at 3.4 GB (2026-12-07, 2-core Zen 5); now under 1 GB.
/// </summary>
public sealed class ClassifyMemoryTests
{
    private const int Files = 8, Side = 6300;

    /// <summary>The runtime and tiny model, the pipeline's 512 MiB budget, the image being resized, and garbage.</summary>
    private const long MaxPeakBytes = 1280L << 20;

    [Fact]
    public async Task HugeImagesInOneBatchCostTheBudgetNotTheBatch()
    {
        string[] figures = await ChildTestProcess.RunAsync(typeof(ClassifyMemoryTests), nameof(ClassifyHugeImagesInThisProcess), TimeSpan.FromSeconds(240));
        long peak = long.Parse(figures[0], CultureInfo.InvariantCulture);
        TestContext.Current.TestOutputHelper?.WriteLine($"{Files} images of {Side}² in one batch: peak resident memory {peak >> 20} MiB (at most {MaxPeakBytes >> 20} MiB)");
        Assert.True(peak <= MaxPeakBytes, $"classifying {Files} images of {Side}² peaked at {peak:N0} bytes resident (at most {MaxPeakBytes:N0})");
    }

    /// <summary>The run itself: only in the child process of the test above (explicit: not in a normal run).</summary>
    [Fact(Explicit = true)]
    public void ClassifyHugeImagesInThisProcess()
    {
        using var dir = new IO.TempDirectory();
        byte[] jpeg = JpegClaiming(Side);
        var images = Enumerable.Range(0, Files).Select(k => dir.File($"huge{k}.jpg")).ToList();
        images.ForEach(path => File.WriteAllBytes(path, jpeg));
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ClassifyCommand.Run(new ClassifyOptions
        {
            Images = images,
            Model = Litv2TestData.PathOf("tiny_config.json"),
            Weights = Litv2TestData.PathOf("tiny_bare.pth"),
            Device = "cpu",
            Batch = Files,
            Top = 1,
        }, output, error, TestContext.Current.CancellationToken);
        Assert.True(code == 0, error.ToString());
        // Every file was decoded (libjpeg-turbo fills the rows its data do not reach, as PIL does) and classified alike.
        Assert.Equal(Files, output.ToString().Split('\n').Count(line => line.Contains("huge", StringComparison.Ordinal)));
        ChildTestProcess.Report(ChildTestProcess.PeakResidentBytes());
    }

    // A 64×64 noise JPEG whose SOF0 header is patched to claim side × side pixels.
    private static byte[] JpegClaiming(int side)
    {
        using var bitmap = new SKBitmap(64, 64, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var random = new Random(5);
        for (int y = 0; y < 64; y++)
        {
            for (int x = 0; x < 64; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        byte[] bytes = data.ToArray();
        int sof = bytes.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        Assert.True(sof > 0, "the encoder wrote no baseline frame header (SOF0)");
        // SOF0: marker, length (2), precision (1), height (2), width (2).
        bytes[sof + 5] = bytes[sof + 7] = (byte)(side >> 8);
        bytes[sof + 6] = bytes[sof + 8] = (byte)side;
        return bytes;
    }
}
