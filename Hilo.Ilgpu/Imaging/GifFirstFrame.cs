namespace Hilo.Ilgpu.Imaging;

/// <summary>
/// The one place where Skia's GIF pixels and PIL's differ: Skia leaves transparent pixels of the first frame, and the
/// screen outside the frame's rectangle, fully transparent (0, 0, 0, 0); Pillow 9.4 keeps the frame as palette
/// indices, fills the screen outside the frame with the transparent index (index 0 when the frame has none) and
/// <c>convert('RGB')</c> then shows that index's palette colour. So every pixel Skia left at alpha 0 gets that colour,
/// read from the file's first graphic control extension and the frame's palette (local, else global).
/// </summary>
internal static class GifFirstFrame
{
    /// <summary>Gives every pixel of <paramref name="rgba"/> (decoded by Skia) whose alpha is 0 the colour PIL shows there.</summary>
    public static void FillTransparent(ReadOnlySpan<byte> gif, Span<byte> rgba)
    {
        if (HiddenColour(gif) is not (byte r, byte g, byte b))
        {
            return;
        }
        for (int i = 0; i + 3 < rgba.Length; i += 4)
        {
            if (rgba[i + 3] == 0)
            {
                rgba[i] = r;
                rgba[i + 1] = g;
                rgba[i + 2] = b;
            }
        }
    }

    /// <summary>
    /// The palette colour of the first frame's transparent index (index 0 when it has none), or null when the blocks up
    /// to the first image descriptor cannot be walked (Skia decoded the frame, so this does not happen in practice).
    /// </summary>
    public static (byte R, byte G, byte B)? HiddenColour(ReadOnlySpan<byte> gif)
    {
        if (gif.Length < 13)
        {
            return null;
        }
        int globalSize = (gif[10] & 0x80) != 0 ? 3 << ((gif[10] & 7) + 1) : 0;
        int globalAt = 13;
        int at = globalAt + globalSize;
        int transparent = -1;
        while (at < gif.Length)
        {
            switch (gif[at])
            {
                case 0x21 when at + 1 < gif.Length:
                    // Extension: a graphic control extension (0xF9) holds the transparency flag and index.
                    if (gif[at + 1] == 0xF9 && at + 6 < gif.Length && gif[at + 2] == 4)
                    {
                        transparent = (gif[at + 3] & 1) != 0 ? gif[at + 6] : -1;
                    }
                    at += 2;
                    while (at < gif.Length && gif[at] != 0)
                    {
                        at += gif[at] + 1;
                    }
                    at++;
                    break;
                case 0x2C when at + 9 < gif.Length:
                    byte packed = gif[at + 9];
                    int localSize = (packed & 0x80) != 0 ? 3 << ((packed & 7) + 1) : 0;
                    (int paletteAt, int paletteSize) = localSize > 0 ? (at + 10, localSize) : (globalAt, globalSize);
                    int index = transparent >= 0 ? transparent : 0;
                    if (3 * index + 2 >= paletteSize || paletteAt + 3 * index + 2 >= gif.Length)
                    {
                        return (0, 0, 0);
                    }
                    int p = paletteAt + 3 * index;
                    return (gif[p], gif[p + 1], gif[p + 2]);
                default:
                    return null;
            }
        }
        return null;
    }
}
