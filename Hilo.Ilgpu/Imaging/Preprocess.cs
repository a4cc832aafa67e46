using System.Globalization;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Imaging;

/// <summary>
/// Where a source image's pixels go: resized to <see cref="ResizedWidth"/> × <see cref="ResizedHeight"/>, then the
/// window of <see cref="CropWidth"/> × <see cref="CropHeight"/> at (<see cref="Top"/>, <see cref="Left"/>) kept.
/// </summary>
/// <param name="ResizedWidth">Width after the resize.</param>
/// <param name="ResizedHeight">Height after the resize.</param>
/// <param name="Top">First row kept.</param>
/// <param name="Left">First column kept.</param>
/// <param name="CropWidth">Columns kept.</param>
/// <param name="CropHeight">Rows kept.</param>
public readonly record struct ResizePlan(int ResizedWidth, int ResizedHeight, int Top, int Left, int CropWidth, int CropHeight);

/// <summary>
/// The evaluation transform of LITv2's classification code (<c>classification/data/build.py</c>,
/// <c>build_transform(is_train=False)</c>), which torchvision runs on a PIL image: with <c>TEST.CROP</c> (the
/// default) <c>Resize(int(256 / 224 · S), BICUBIC)</c> — the shorter side to that length, the longer to
/// <c>int(length · long / short)</c> — then <c>CenterCrop(S)</c>; without it (the LITv2-B-384 fine-tune config,
/// <c>litv2-base-finetune-384.yaml</c>) <c>Resize((S, S), BICUBIC)</c>, a squash with no crop. Then <c>ToTensor</c>
/// (÷255) and <c>Normalize</c> with timm's ImageNet mean and std. For S = 224 this is timm's default (crop_pct 0.875,
/// 224 / 0.875 = 256).
/// </summary>
public sealed record Preprocess
{
    /// <summary>timm's <c>IMAGENET_DEFAULT_MEAN</c>.</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = [0.485f, 0.456f, 0.406f];

    /// <summary>timm's <c>IMAGENET_DEFAULT_STD</c>.</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = [0.229f, 0.224f, 0.225f];

    /// <summary>
    /// A transform: resize the shorter side to <paramref name="resizeShorter"/> and center-crop
    /// <paramref name="cropSize"/>, or with <paramref name="stretch"/> resize to <paramref name="cropSize"/>²
    /// (<paramref name="resizeShorter"/> must then equal <paramref name="cropSize"/>).
    /// </summary>
    public Preprocess(int resizeShorter, int cropSize, bool stretch = false, string source = "custom")
    {
        ArgumentNullException.ThrowIfNull(source);
        if (cropSize < 1 || resizeShorter < cropSize || (stretch && resizeShorter != cropSize))
        {
            throw new ArgumentException($"Preprocess: resize {resizeShorter} and crop {cropSize} do not make a transform (the resize must be at least the crop{(stretch ? ", and equal to it for a squash" : "")}).");
        }
        ResizeShorter = resizeShorter;
        CropSize = cropSize;
        Stretch = stretch;
        Source = source;
    }

    /// <summary>The shorter side's length after the resize (equal to <see cref="CropSize"/> for a squash).</summary>
    public int ResizeShorter { get; }

    /// <summary>The side of the square the model sees.</summary>
    public int CropSize { get; }

    /// <summary>Resize both sides to <see cref="CropSize"/>, ignoring the aspect ratio, and crop nothing.</summary>
    public bool Stretch { get; }

    /// <summary>Where this transform comes from.</summary>
    public string Source { get; }

    /// <summary>Per-channel mean subtracted after ÷255 (R, G, B).</summary>
    public IReadOnlyList<float> Mean { get; init; } = ImageNetMean;

    /// <summary>Per-channel divisor after the mean (R, G, B).</summary>
    public IReadOnlyList<float> Std { get; init; } = ImageNetStd;

    /// <summary>LITv2's transform with <c>TEST.CROP</c> for image size <paramref name="imageSize"/>: resize to <c>int(256 / 224 · S)</c>, crop S.</summary>
    public static Preprocess ForImageSize(int imageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        // The same double operations as Python's int((256 / 224) * S): 256 for 224, 438 for 384.
        int resize = (int)(256.0 / 224.0 * imageSize);
        return new Preprocess(resize, imageSize, stretch: false, string.Create(CultureInfo.InvariantCulture,
            $"LITv2 build_transform, TEST.CROP: Resize(int(256/224*{imageSize}) = {resize}, bicubic) + CenterCrop({imageSize})"));
    }

    /// <summary>
    /// The transform LITv2's own evaluation used for <paramref name="config"/>: the squash of
    /// <c>litv2-base-finetune-384.yaml</c> (<c>TEST.CROP: False</c>) at 384, <see cref="ForImageSize"/> otherwise.
    /// </summary>
    public static Preprocess ForModel(Litv2Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.ImgSize == 384
            ? new Preprocess(384, 384, stretch: true, "LITv2 litv2-base-finetune-384.yaml, TEST.CROP False: Resize((384, 384), bicubic), no crop")
            : ForImageSize(config.ImgSize);
    }

    /// <summary>
    /// Where a <paramref name="width"/> × <paramref name="height"/> image goes, with torchvision's arithmetic: the
    /// longer side <c>int(S · long / short)</c>, the crop's corner <c>int(round((size − crop) / 2.0))</c> (Python's
    /// round: halves to even).
    /// </summary>
    public ResizePlan Plan(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (Stretch)
        {
            return new ResizePlan(CropSize, CropSize, 0, 0, CropSize, CropSize);
        }
        int shorter = Math.Min(width, height), longer = Math.Max(width, height);
        int newLong = (int)((double)((long)ResizeShorter * longer) / shorter);
        var (w, h) = width <= height ? (ResizeShorter, newLong) : (newLong, ResizeShorter);
        if (w < CropSize || h < CropSize)
        {
            // Cannot happen while the shorter side is resized to at least the crop; torchvision would zero-pad.
            throw new InvalidOperationException($"Preprocess: a {width}x{height} image resizes to {w}x{h}, smaller than the {CropSize} crop.");
        }
        int top = (int)Math.Round((h - CropSize) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((w - CropSize) / 2.0, MidpointRounding.ToEven);
        return new ResizePlan(w, h, top, left, CropSize, CropSize);
    }

    /// <inheritdoc />
    public override string ToString() => Source;
}
