using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace Hilo.Ilgpu.Imaging;

/// <summary>
/// Reads image files (PNG, JPEG, BMP, GIF, WebP, as ImageSharp 2.1.13 decodes them) into 8-bit RGB the way the
/// PyTorch evaluation pipeline sees them (<c>PIL.Image.open(f).convert('RGB')</c>): the format is found from the
/// content, not the extension; alpha is dropped, not composited; palettes and grayscale are expanded; 16-bit samples
/// keep their high byte; EXIF orientation is not applied (PIL's <c>open</c> does not apply it, so neither did the
/// model's evaluation). Every file is checked against <see cref="ImageLimits"/> from its size and header before a
/// pixel is decoded. docs/images.md lists where decoding can still differ from PIL (JPEG's IDCT and chroma upsampling).
/// </summary>
public static class ImageFile
{
    /// <summary>The formats accepted, as named in messages.</summary>
    public const string AcceptedFormats = "PNG, JPEG, BMP, GIF, WebP";

    /// <summary>The extensions a directory listing takes as images (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    // Only the five formats the project supports: ImageSharp's default configuration also decodes TGA, TIFF and PBM,
    // which PIL opens differently or not at all; refusing them is clearer than decoding them slightly differently.
    private static readonly Configuration Decoders = new(
        new PngConfigurationModule(), new JpegConfigurationModule(), new BmpConfigurationModule(),
        new GifConfigurationModule(), new WebpConfigurationModule());

    /// <summary>
    /// Reads <paramref name="path"/>'s header only and checks it against <paramref name="limits"/> (default
    /// <see cref="ImageLimits.Default"/>): the file's size, its format and the image's sides and pixel count.
    /// </summary>
    /// <exception cref="ImageDecodeException">The file is missing, empty, too large, of an unknown format, over a limit, or its header is corrupt.</exception>
    public static ImageInfo Identify(string path, ImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        limits ??= ImageLimits.Default;
        limits.Validate();
        CheckFileSize(path, limits);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
            return Check(path, Image.Identify(Decoders, stream, out var format), format, limits);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new ImageDecodeException(path, $"cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ImageDecodeException(path, $"cannot be read: {e.Message}", e);
        }
        catch (Exception e) when (IsDecoderError(e))
        {
            throw new ImageDecodeException(path, $"corrupt or truncated image header ({e.Message})", e);
        }
    }

    /// <summary>
    /// Decodes <paramref name="path"/> into 8-bit RGB after the checks of <see cref="Identify"/>. The bytes are read
    /// once, and the header checked is the header of the bytes decoded.
    /// </summary>
    /// <exception cref="ImageDecodeException">As for <see cref="Identify"/>, or the pixel data are corrupt or truncated.</exception>
    public static RgbImage Load(string path, ImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        limits ??= ImageLimits.Default;
        limits.Validate();
        long length = CheckFileSize(path, limits);
        byte[] bytes;
        try
        {
            bytes = ReadExactly(path, length);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new ImageDecodeException(path, $"cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ImageDecodeException(path, $"cannot be read: {e.Message}", e);
        }
        try
        {
            var info = Check(path, Image.Identify(Decoders, bytes, out var format), format, limits);
            CheckComplete(path, info, bytes);
            return info.BitsPerPixel > 32 ? DecodeWide(path, bytes, info) : Decode(path, bytes, info);
        }
        catch (Exception e) when (IsDecoderError(e))
        {
            throw new ImageDecodeException(path, $"corrupt or truncated image ({e.Message})", e);
        }
    }

    // 8-bit sources: ImageSharp converts palette, grayscale and alpha formats to Rgb24 as PIL's convert('RGB') does
    // (palette looked up, gray replicated, alpha discarded without compositing).
    private static RgbImage Decode(string path, byte[] bytes, ImageInfo info)
    {
        using var image = Image.Load<Rgb24>(Decoders, bytes);
        var pixels = new byte[3L * image.Width * image.Height];
        // Only the first frame (GIF, animated WebP): PIL's open() shows the first frame too.
        image.Frames.RootFrame.CopyPixelDataTo(MemoryMarshal.Cast<byte, Rgb24>(pixels.AsSpan()));
        return Checked(path, info, image.Width, image.Height, pixels);
    }

    // 16-bit sources: PIL reads 16-bit RGB(A) PNGs as 8-bit by keeping each sample's high byte, whereas ImageSharp's
    // own 16→8 conversion rounds ((v·255 + 32895) >> 16), which differs by one step for some values. Decoding to
    // Rgb48 and keeping the high byte here gives PIL's bytes.
    private static RgbImage DecodeWide(string path, byte[] bytes, ImageInfo info)
    {
        using var image = Image.Load<Rgb48>(Decoders, bytes);
        var wide = new Rgb48[(long)image.Width * image.Height];
        image.Frames.RootFrame.CopyPixelDataTo(wide);
        var pixels = new byte[3L * wide.Length];
        for (long i = 0; i < wide.LongLength; i++)
        {
            pixels[3 * i] = (byte)(wide[i].R >> 8);
            pixels[3 * i + 1] = (byte)(wide[i].G >> 8);
            pixels[3 * i + 2] = (byte)(wide[i].B >> 8);
        }
        return Checked(path, info, image.Width, image.Height, pixels);
    }

    // The decoder must produce the image its header announced; anything else means the header checks did not cover it.
    private static RgbImage Checked(string path, ImageInfo info, int width, int height, byte[] pixels) =>
        width == info.Width && height == info.Height
            ? new RgbImage(width, height, pixels, path)
            : throw new ImageDecodeException(path, $"decoded as {width}x{height}, but its header says {info.Width}x{info.Height}");

    private static long CheckFileSize(string path, ImageLimits limits)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new ImageDecodeException(path, Directory.Exists(path) ? "is a directory, not an image file" : "no such file");
        }
        if (file.Length == 0)
        {
            throw new ImageDecodeException(path, "empty file (0 bytes)");
        }
        if (file.Length > limits.MaxFileBytes)
        {
            throw new ImageDecodeException(path, $"file of {file.Length} bytes is over the limit of {limits.MaxFileBytes} bytes");
        }
        return file.Length;
    }

    private static ImageInfo Check(string path, IImageInfo? header, IImageFormat? format, ImageLimits limits)
    {
        if (header is null || format is null)
        {
            string extension = System.IO.Path.GetExtension(path);
            string named = extension.Length == 0 ? "it has no extension" : $"its extension is '{extension}'";
            throw new ImageDecodeException(path, $"unknown image format ({named}, but its content is none of {AcceptedFormats})");
        }
        var info = new ImageInfo(path, format.Name, header.Width, header.Height, header.PixelType?.BitsPerPixel ?? 0);
        if (info.Width < 1 || info.Height < 1)
        {
            throw new ImageDecodeException(path, $"{info.Format} header states an empty image ({info.Width}x{info.Height})");
        }
        if (info.Width > limits.MaxSide || info.Height > limits.MaxSide)
        {
            throw new ImageDecodeException(path, $"{info.Format} image of {info.Width}x{info.Height} has a side over the limit of {limits.MaxSide} pixels");
        }
        if (info.Pixels > limits.MaxPixels)
        {
            throw new ImageDecodeException(path, $"{info.Format} image of {info.Width}x{info.Height} ({info.Pixels} pixels) is over the limit of {limits.MaxPixels} pixels");
        }
        return info;
    }

    // ImageSharp 2.1.13 decodes a PNG, JPEG or BMP cut short without complaint, filling the missing rows; PIL raises
    // "image file is truncated". So a PNG must hold its IEND chunk, a JPEG an end-of-image marker after its first
    // scan, and a BMP or WebP at least the bytes its header's file size states, or the file is refused (GIF's decoder
    // fails on short data by itself).
    private static void CheckComplete(string path, ImageInfo info, byte[] bytes)
    {
        var span = bytes.AsSpan();
        string? missing = info.Format switch
        {
            "PNG" when span.LastIndexOf("\0\0\0\0IEND"u8) < 0 => "its IEND chunk",
            "JPEG" when !(span.IndexOf([(byte)0xFF, (byte)0xDA]) is int scan and >= 0 && span.LastIndexOf([(byte)0xFF, (byte)0xD9]) > scan) => "its end-of-image marker",
            "BMP" when bytes.Length >= 6 && BinaryPrimitives.ReadUInt32LittleEndian(span[2..]) > (uint)bytes.Length => $"the {BinaryPrimitives.ReadUInt32LittleEndian(span[2..])} bytes its header states",
            "Webp" when bytes.Length >= 8 && BinaryPrimitives.ReadUInt32LittleEndian(span[4..]) + 8L > bytes.Length => $"the {BinaryPrimitives.ReadUInt32LittleEndian(span[4..]) + 8L} bytes its RIFF header states",
            _ => null,
        };
        if (missing is not null)
        {
            throw new ImageDecodeException(path, $"truncated {info.Format} file: its {bytes.Length} bytes end before {missing}");
        }
    }

    // The exceptions ImageSharp raises for bad content; anything else (out of memory, a bug) is not the file's fault
    // and travels on unchanged.
    private static bool IsDecoderError(Exception e) =>
        e is UnknownImageFormatException or InvalidImageContentException or ImageFormatException or NotSupportedException;

    private static byte[] ReadExactly(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        // A file that grew since its size was checked is read only up to that size: the header must still fit it.
        return bytes;
    }
}
