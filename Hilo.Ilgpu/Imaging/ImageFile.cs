using System.Runtime.InteropServices;
using SkiaSharp;

namespace Hilo.Ilgpu.Imaging;

/// <summary>
/// Reads image files (PNG, JPEG, BMP, GIF, WebP) into 8-bit RGB the way the PyTorch evaluation pipeline sees them
/// (<c>PIL.Image.open(f).convert('RGB')</c>, Pillow 9.4 on libjpeg-turbo): the format is found from the content, not
/// the extension; alpha is dropped, not composited; palettes and grayscale are expanded; 16-bit samples keep their
/// high byte; EXIF orientation and colour profiles are not applied; only the first frame of an animation is read.
/// Decoding goes through SkiaSharp's codecs (libjpeg-turbo, libpng, libwebp, Wuffs' GIF decoder), so JPEG pixels are
/// libjpeg-turbo's, as PIL's are. Every file is checked against <see cref="ImageLimits"/> from its size and header
/// before a pixel is decoded; the pixels are decoded into cleared memory and kept only if the decoder read the whole
/// first frame: a truncated or corrupt file is an <see cref="ImageDecodeException"/>, never partly stale pixels.
/// docs/images.md has every rule and what was measured against PIL.
/// </summary>
public static class ImageFile
{
    /// <summary>The formats accepted, as named in messages.</summary>
    public const string AcceptedFormats = "PNG, JPEG, BMP, GIF, WebP";

    /// <summary>The extensions a directory listing takes as images (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>
    /// Reads <paramref name="path"/>'s header only and checks it against <paramref name="limits"/> (default
    /// <see cref="ImageLimits.Default"/>): the file's size, its format and the image's sides and pixel count.
    /// </summary>
    /// <exception cref="ImageDecodeException">The file is missing, empty, too large, of an unknown or unsupported format, over a limit, or its header is corrupt.</exception>
    public static ImageInfo Identify(string path, ImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        limits ??= ImageLimits.Default;
        limits.Validate();
        byte[] bytes = Read(path, limits);
        using var data = SKData.CreateCopy(bytes);
        using var codec = Open(path, bytes, data, limits, out var info);
        return info;
    }

    /// <summary>
    /// Decodes <paramref name="path"/> (its first frame) into 8-bit RGB after the checks of <see cref="Identify"/>. The
    /// bytes are read once, and the header checked is the header of the bytes decoded.
    /// </summary>
    /// <exception cref="ImageDecodeException">As for <see cref="Identify"/>, or the pixel data are corrupt or truncated.</exception>
    public static RgbImage Load(string path, ImageLimits? limits = null) => Load(path, limits, beforeDecode: null);

    /// <summary>
    /// <see cref="Load(string, ImageLimits?)"/>, calling <paramref name="beforeDecode"/> with the checked header before
    /// any pixel memory is allocated (a decoding pipeline reserves the image's bytes there, and may wait; an
    /// <see cref="OperationCanceledException"/> it throws travels on unchanged).
    /// </summary>
    internal static RgbImage Load(string path, ImageLimits? limits, Action<ImageInfo>? beforeDecode)
    {
        ArgumentNullException.ThrowIfNull(path);
        limits ??= ImageLimits.Default;
        limits.Validate();
        byte[] bytes = Read(path, limits);
        try
        {
            using var data = SKData.CreateCopy(bytes);
            using var codec = Open(path, bytes, data, limits, out var info);
            beforeDecode?.Invoke(info);
            return new RgbImage(info.Width, info.Height, DecodeFirstFrame(path, bytes, codec, info), path);
        }
        catch (Exception e) when (e is not ImageDecodeException and not OperationCanceledException)
        {
            // Whatever else decoding this one file throws (the native decoder, memory for its pixels) is this file's
            // failure: named, and never the end of a batch of other files.
            throw new ImageDecodeException(path, $"cannot be decoded ({e.GetType().Name}: {e.Message})", e);
        }
    }

    // Creates the decoder for the bytes and checks the format and the header against the limits; nothing is decoded.
    private static SKCodec Open(string path, byte[] bytes, SKData data, ImageLimits limits, out ImageInfo info)
    {
        string? sniffed = ImageFormats.Sniff(bytes);
        if (sniffed is not null && !ImageFormats.IsAccepted(sniffed))
        {
            throw new ImageDecodeException(path, ImageFormats.Unsupported(sniffed));
        }
        if (sniffed == "BMP" && ImageFormats.BmpSides(bytes) is var (width, height) && (width > limits.MaxSide || height > limits.MaxSide || (long)width * height > limits.MaxPixels))
        {
            Check(path, new ImageInfo(path, "BMP", width, height, 0), limits);
        }
        var codec = SKCodec.Create(data);
        if (codec is null)
        {
            throw new ImageDecodeException(path, sniffed is null
                ? ImageFormats.Unknown(path)
                : $"corrupt or truncated {sniffed} header: the decoder cannot read it");
        }
        try
        {
            string format = ImageFormats.Name(codec.EncodedFormat);
            if (!ImageFormats.IsAccepted(format))
            {
                throw new ImageDecodeException(path, ImageFormats.Unsupported(format));
            }
            var header = codec.Info;
            info = new ImageInfo(path, format, header.Width, header.Height, header.ColorType == SKColorType.Gray8 ? 8 : 8 * header.BytesPerPixel);
            Check(path, info, limits);
            return codec;
        }
        catch
        {
            codec.Dispose();
            throw;
        }
    }

    // Decodes frame 0 as 8-bit RGBA, unpremultiplied (alpha is dropped afterwards, as convert('RGB') drops it), with no
    // colour space, so that Skia converts nothing (PIL ignores ICC profiles and gAMA chunks too). The RGBA pixels go
    // into native memory allocated zeroed for this decode and freed right after it (no garbage of 4 bytes a pixel for
    // the GC to find later), and only a complete decode is kept: IncompleteInput (a cut file, whose missing rows Skia
    // would fill) and every other result are refusals.
    private static unsafe byte[] DecodeFirstFrame(string path, byte[] file, SKCodec codec, ImageInfo info)
    {
        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul, null);
        if (target.BytesSize64 > Array.MaxLength)
        {
            throw new ImageDecodeException(path, $"{info.Format} image of {info.Width}x{info.Height} is too large to decode in one piece ({target.BytesSize64} bytes)");
        }
        int length = (int)target.BytesSize64;
        byte* rgba = (byte*)NativeMemory.AllocZeroed((nuint)length);
        try
        {
            var result = codec.GetPixels(target, (IntPtr)rgba, target.RowBytes, new SKCodecOptions(0));
            if (result != SKCodecResult.Success)
            {
                throw new ImageDecodeException(path, result switch
                {
                    SKCodecResult.IncompleteInput => $"truncated {info.Format} file: its data end before the image's last row",
                    SKCodecResult.ErrorInInput or SKCodecResult.InvalidInput => $"corrupt {info.Format} data: the decoder stopped ({result})",
                    _ => $"the {info.Format} decoder cannot decode it ({result})",
                });
            }
            var pixels = new Span<byte>(rgba, length);
            if (info.Format == "GIF")
            {
                GifFirstFrame.FillTransparent(file, pixels);
            }
            return DropAlpha(pixels);
        }
        finally
        {
            NativeMemory.Free(rgba);
        }
    }

    // RGBA → RGB: the alpha byte is dropped, the colour bytes kept as decoded (not composited onto a background).
    private static byte[] DropAlpha(ReadOnlySpan<byte> rgba)
    {
        var rgb = new byte[rgba.Length / 4 * 3];
        for (int from = 0, to = 0; from < rgba.Length; from += 4, to += 3)
        {
            rgb[to] = rgba[from];
            rgb[to + 1] = rgba[from + 1];
            rgb[to + 2] = rgba[from + 2];
        }
        return rgb;
    }

    private static void Check(string path, ImageInfo info, ImageLimits limits)
    {
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
    }

    // The whole file, after its size is checked against the limit; at most that many bytes are read even if it grows.
    private static byte[] Read(string path, ImageLimits limits)
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
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var bytes = new byte[file.Length];
            int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            // A file that shrank since its size was checked is decoded as it is now (and refused if that cuts it short).
            return read == bytes.Length ? bytes : bytes[..read];
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new ImageDecodeException(path, $"cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ImageDecodeException(path, $"cannot be read: {e.Message}", e);
        }
    }
}
