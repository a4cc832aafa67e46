namespace Hilo.Ilgpu.Imaging;

/// <summary>A decoded image: 8-bit RGB, rows top to bottom, pixels interleaved (H × W × 3, R first).</summary>
public sealed class RgbImage
{
    /// <summary>Wraps <paramref name="pixels"/> (<paramref name="height"/> × <paramref name="width"/> × 3 bytes).</summary>
    public RgbImage(int width, int height, byte[] pixels, string path = "(memory)")
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (pixels.LongLength != 3L * width * height)
        {
            throw new ArgumentException($"{path}: a {width}x{height} RGB image needs {3L * width * height} bytes, not {pixels.LongLength}.", nameof(pixels));
        }
        Width = width;
        Height = height;
        Pixels = pixels;
        Path = path;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The pixels, H × W × 3 bytes (R, G, B of pixel (0, 0), then of (0, 1), …).</summary>
    public byte[] Pixels { get; }

    /// <summary>The file it was decoded from.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Path} ({Width}x{Height} RGB)";
}
