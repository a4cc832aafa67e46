namespace Hilo.Ilgpu.Imaging;

/// <summary>
/// What <see cref="ImageFile"/> accepts before it decodes anything: the file's size and the image's pixel count and
/// sides as its header states them. A crafted header can claim a huge image in a few bytes; refusing it from the
/// header keeps the decoder from allocating what the header asks for.
/// </summary>
public sealed record ImageLimits
{
    /// <summary>The limits used when none are given: 64 MiB files, 40 megapixels, 16384 pixels a side.</summary>
    public static ImageLimits Default { get; } = new();

    /// <summary>The largest file read, in bytes (default 64 MiB).</summary>
    public long MaxFileBytes { get; init; } = 64L << 20;

    /// <summary>The most pixels (width × height) an image may have (default 40 megapixels).</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>The longest side an image may have, in pixels (default 16384).</summary>
    public int MaxSide { get; init; } = 16384;

    /// <summary>Throws when a limit is not positive (a zero limit would refuse every image, silently useless).</summary>
    public void Validate()
    {
        if (MaxFileBytes < 1 || MaxPixels < 1 || MaxSide < 1)
        {
            throw new ArgumentException($"Image limits must be positive: {this}.");
        }
    }
}
