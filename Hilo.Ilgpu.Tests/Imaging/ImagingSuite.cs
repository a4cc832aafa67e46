using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Kernels.Layers.Image;

namespace Hilo.Ilgpu.Tests.Imaging;

/// <summary>
/// The device preprocessing, written once and run on every backend by one subclass per backend: against
/// torchvision's tensors of the fixture images, against the plain C# reference on random images, and bad input.
/// </summary>
public abstract class ImagingSuite(DeviceFixture fixture)
{
    /// <summary>One 8-bit step after normalisation with the smallest std: 1 / 255 / 0.224.</summary>
    public const float OneStep = 1f / 255f / 0.224f;

    /// <summary>
    /// Accepted difference from torchvision for every fixture, JPEG photos included: float rounding only, since decoding
    /// gives PIL's pixels (libjpeg-turbo for JPEG) and the resampler reproduces Pillow's bytes (docs/images.md).
    /// The bound for JPEGs was one step; the measured difference is 0.
    /// </summary>
    public const float Tolerance = 1e-6f;

    protected ComputeDevice Device => fixture.Get();

    protected void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"[{fixture}] {line}");

    public static TheoryData<string> FixtureCases() => ImageFixtureCase.Keys();

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void PreprocessingMatchesTorchvision(string key)
    {
        var f = ImageFixtureCase.All[key];
        var image = ImageFile.Load(f.ImagePath);
        var preprocess = new Preprocess(f.Resize, f.Crop, f.Stretch, "fixture");
        using var y = new ImagePreprocessor(Device, preprocess).Run([image]);
        var expected = f.Expected();
        Assert.Equal([1, 3, f.Crop, f.Crop], y.Shape);
        Assert.Equal(expected.Shape, y.Shape);
        var (max, steps) = Compare(expected.Data, y.ToArray());
        Log($"{key} ({f.PilMode}): max abs difference {max:G3} ({max / OneStep:F2} steps), {steps} of {expected.ElementCount} values off by a step or more");
        Assert.True(max <= Tolerance,
            $"{key}: max abs difference {max} from torchvision");
    }

    [Theory]
    [InlineData(37, 23, 29, 24, false)]   // downscale, shorter side is the height
    [InlineData(23, 37, 29, 24, false)]   // the same, portrait
    [InlineData(9, 13, 31, 28, false)]    // upscale
    [InlineData(200, 50, 17, 16, false)]  // strong downscale: wide antialiasing windows
    [InlineData(20, 20, 20, 20, false)]   // identity
    [InlineData(33, 47, 16, 16, true)]    // squash (LITv2-B-384's transform)
    [InlineData(1, 1, 5, 5, false)]       // a single pixel
    [InlineData(1600, 1500, 32, 32, false)] // 2.4 megapixels: the source rows are uploaded in three strips
    public void KernelsMatchTheReferenceOnRandomImages(int width, int height, int resize, int crop, bool stretch)
    {
        var image = RandomImage(width, height, width * 31 + height);
        var preprocess = new Preprocess(resize, crop, stretch, "test");
        using var y = new ImagePreprocessor(Device, preprocess).Run([image]);
        float[] expected = Reference(image, preprocess);
        Assert.Equal(expected, y.ToArray());
    }

    [Fact]
    public void ABatchOfDifferentSizesIsEachImageAlone()
    {
        var preprocess = new Preprocess(19, 16);
        var images = new[] { RandomImage(30, 21, 1), RandomImage(16, 40, 2), RandomImage(19, 19, 3) };
        using var y = new ImagePreprocessor(Device, preprocess).Run(images);
        Assert.Equal([3, 3, 16, 16], y.Shape);
        Assert.Equal(images.SelectMany(i => Reference(i, preprocess)).ToArray(), y.ToArray());
    }

    [Fact]
    public void BadInputIsRefused()
    {
        var preprocessor = new ImagePreprocessor(Device, new Preprocess(8, 8));
        Assert.Throws<ArgumentException>(() => preprocessor.Run([]));
        Assert.Throws<ArgumentException>(() => new ImagePreprocessor(Device, new Preprocess(8, 8) { Std = [1f, 0f, 1f] }));
        Assert.Throws<ArgumentException>(() => new ImagePreprocessor(Device, new Preprocess(8, 8) { Mean = [0f] }));
    }

    internal static float[] Reference(RgbImage image, Preprocess preprocess)
    {
        var plan = preprocess.Plan(image.Width, image.Height);
        byte[] resized = ResampleReference.Resize(image.Pixels, image.Width, image.Height, plan.ResizedWidth, plan.ResizedHeight);
        byte[] cropped = ResampleReference.Crop(resized, plan.ResizedWidth, plan.Top, plan.Left, plan.CropWidth, plan.CropHeight);
        return ResampleReference.Normalize(cropped, [.. preprocess.Mean], [.. preprocess.Std]);
    }

    internal static RgbImage RandomImage(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[3 * width * height];
        rng.NextBytes(pixels);
        // Some saturated runs, so that the clamps to 0 and 255 are reached.
        for (int i = 0; i < pixels.Length; i += 7)
        {
            pixels[i] = (byte)(i % 2 == 0 ? 0 : 255);
        }
        return new RgbImage(width, height, pixels, $"random-{width}x{height}");
    }

    internal static (float Max, int Steps) Compare(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float max = 0f;
        int steps = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = Math.Abs(expected[i] - actual[i]);
            max = Math.Max(max, d);
            steps += d >= 0.5f * OneStep ? 1 : 0;
        }
        return (max, steps);
    }
}

public sealed class CpuImaging(CpuFamilyFixture fixture) : ImagingSuite(fixture), IClassFixture<CpuFamilyFixture>;

public sealed class IlgpuCpuImaging(IlgpuCpuFixture fixture) : ImagingSuite(fixture), IClassFixture<IlgpuCpuFixture>;

public sealed class OpenCLImaging(OpenCLFixture fixture) : ImagingSuite(fixture), IClassFixture<OpenCLFixture>;

public sealed class CudaImaging(CudaFixture fixture) : ImagingSuite(fixture), IClassFixture<CudaFixture>;
