namespace Hilo.Ilgpu.Imaging;

/// <summary>
/// A batch being preprocessed on the device, one image at a time (<see cref="ImagePreprocessor.Begin"/>): each image
/// added is resized and cropped straight into its slot, so the caller can drop its decoded pixels before decoding the
/// next file; <see cref="Finish"/> normalises the images added into the model's input.
/// </summary>
public sealed class ImageBatch : IDisposable
{
    private readonly ImagePreprocessor preprocessor;
    private readonly Tensor packed;
    private readonly int pixels;

    internal ImageBatch(ImagePreprocessor preprocessor, Tensor packed, int capacity)
    {
        this.preprocessor = preprocessor;
        this.packed = packed;
        Capacity = capacity;
        pixels = preprocessor.Preprocess.CropSize * preprocessor.Preprocess.CropSize;
    }

    /// <summary>The most images the batch takes.</summary>
    public int Capacity { get; }

    /// <summary>The images added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Resizes and crops <paramref name="image"/> into the next slot (its pixels are not kept).</summary>
    /// <exception cref="InvalidOperationException">The batch is full.</exception>
    public void Add(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (Count == Capacity)
        {
            throw new InvalidOperationException($"The batch is full ({Capacity} images).");
        }
        preprocessor.ResizeInto(image, packed.View.SubView((long)Count * pixels, pixels));
        Count++;
    }

    /// <summary>The images added, normalised: a new <see cref="Count"/> × 3 × S × S tensor.</summary>
    /// <exception cref="InvalidOperationException">No image was added.</exception>
    public Tensor Finish() => Count > 0
        ? preprocessor.Normalize(packed, Count)
        : throw new InvalidOperationException("The batch has no image to preprocess.");

    /// <inheritdoc />
    public void Dispose() => packed.Dispose();
}
