namespace Hilo.Ilgpu.Imaging;

/// <summary>What an image file's header says, read by <see cref="ImageFile.Identify"/> without decoding the pixels.</summary>
/// <param name="Path">The file.</param>
/// <param name="Format">The format found from the content (e.g. <c>PNG</c>, <c>JPEG</c>), whatever the extension says.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="BitsPerPixel">Bits per pixel of the decoder's natural form (8 for grayscale, 32 for colour; 16-bit files are read as 8-bit).</param>
public sealed record ImageInfo(string Path, string Format, int Width, int Height, int BitsPerPixel)
{
    /// <summary>Width × height.</summary>
    public long Pixels => (long)Width * Height;
}
