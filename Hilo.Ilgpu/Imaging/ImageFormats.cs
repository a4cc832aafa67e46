using System.Buffers.Binary;
using SkiaSharp;

namespace Hilo.Ilgpu.Imaging;

/// <summary>
/// Image formats as messages name them: the five <see cref="ImageFile"/> decodes, and formats it recognises from
/// their magic bytes but does not decode (TIFF, Netpbm, ICO, HEIF, AVIF, JPEG 2000, JPEG XL, PSD, OpenEXR, QOI, DDS,
/// and what else Skia could decode), so that a TIFF is called a TIFF, not "unknown".
/// </summary>
internal static class ImageFormats
{
    private static readonly string[] Accepted = ["PNG", "JPEG", "BMP", "GIF", "WebP"];

    public static bool IsAccepted(string format) => Accepted.Contains(format, StringComparer.Ordinal);

    public static string Unsupported(string format) =>
        $"{format}: a known format this tool does not decode (accepted: {ImageFile.AcceptedFormats})";

    public static string Unknown(string path)
    {
        string extension = Path.GetExtension(path);
        string named = extension.Length == 0 ? "it has no extension" : $"its extension is '{extension}'";
        return $"unknown image format ({named}, but its content is none of {ImageFile.AcceptedFormats})";
    }

    /// <summary>The name of what Skia found (the accepted five, or another format Skia knows).</summary>
    public static string Name(SKEncodedImageFormat format) => format switch
    {
        SKEncodedImageFormat.Png => "PNG",
        SKEncodedImageFormat.Jpeg => "JPEG",
        SKEncodedImageFormat.Bmp => "BMP",
        SKEncodedImageFormat.Gif => "GIF",
        SKEncodedImageFormat.Webp => "WebP",
        SKEncodedImageFormat.Ico => "ICO",
        SKEncodedImageFormat.Wbmp => "WBMP",
        SKEncodedImageFormat.Heif => "HEIF",
        SKEncodedImageFormat.Avif => "AVIF",
        SKEncodedImageFormat.Dng => "DNG",
        SKEncodedImageFormat.Jpegxl => "JPEG XL",
        _ => format.ToString().ToUpperInvariant(),
    };

    /// <summary>
    /// The sides a BMP file's header states (OS/2 core header: 16-bit sides; every later header: 32-bit, the height
    /// negative for top-down rows), or null when the header is too short to say. Read here so that a huge BMP gets the
    /// limit's message: Skia's reader refuses a BMP whose rows cannot be in the file before its sides can be checked.
    /// </summary>
    public static (int Width, int Height)? BmpSides(ReadOnlySpan<byte> b)
    {
        if (b.Length < 26 || !b.StartsWith("BM"u8))
        {
            return null;
        }
        uint header = BinaryPrimitives.ReadUInt32LittleEndian(b[14..]);
        if (header == 12)
        {
            return (BinaryPrimitives.ReadUInt16LittleEndian(b[18..]), BinaryPrimitives.ReadUInt16LittleEndian(b[20..]));
        }
        int width = BinaryPrimitives.ReadInt32LittleEndian(b[18..]);
        int height = BinaryPrimitives.ReadInt32LittleEndian(b[22..]);
        // int.MinValue has no positive counterpart: as a side it is over any limit anyway.
        return header >= 40 ? (width, height == int.MinValue ? int.MaxValue : Math.Abs(height)) : null;
    }

    /// <summary>The format the first bytes announce, or null when they announce none known here.</summary>
    public static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (Starts(b, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "PNG";
        }
        if (Starts(b, [0xFF, 0xD8, 0xFF]))
        {
            return "JPEG";
        }
        if (b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8))
        {
            return "GIF";
        }
        if (b.Length >= 12 && b.StartsWith("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8))
        {
            return "WebP";
        }
        if (b.StartsWith("BM"u8) && b.Length >= 18)
        {
            return "BMP";
        }
        if (b.StartsWith("II*\0"u8) || b.StartsWith("MM\0*"u8) || b.StartsWith("II+\0"u8) || b.StartsWith("MM\0+"u8))
        {
            return "TIFF";
        }
        if (b.Length >= 3 && b[0] == (byte)'P' && b[1] is >= (byte)'1' and <= (byte)'7' && b[2] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            return "Netpbm (PBM/PGM/PPM/PAM)";
        }
        if (Starts(b, [0, 0, 1, 0]) || Starts(b, [0, 0, 2, 0]))
        {
            return "ICO";
        }
        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = b[8..12];
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8))
            {
                return "AVIF";
            }
            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8) || brand.SequenceEqual("hevc"u8))
            {
                return "HEIF";
            }
        }
        if (Starts(b, [0, 0, 0, 0x0C, (byte)'j', (byte)'P', 0x20, 0x20]) || Starts(b, [0xFF, 0x4F, 0xFF, 0x51]))
        {
            return "JPEG 2000";
        }
        if (Starts(b, [0xFF, 0x0A]) || Starts(b, [0, 0, 0, 0x0C, (byte)'J', (byte)'X', (byte)'L', 0x20]))
        {
            return "JPEG XL";
        }
        if (b.StartsWith("8BPS"u8))
        {
            return "PSD";
        }
        if (Starts(b, [0x76, 0x2F, 0x31, 0x01]))
        {
            return "OpenEXR";
        }
        if (b.StartsWith("qoif"u8))
        {
            return "QOI";
        }
        if (b.StartsWith("DDS "u8))
        {
            return "DDS";
        }
        return null;
    }

    private static bool Starts(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> magic) => bytes.StartsWith(magic);
}
