using System.Buffers.Binary;
using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Tests.Imaging;

/// <summary>
/// The image reader's limits at exactly their values, every magic number it names, and the BMP header fields it reads
/// itself (mutation testing, issue 20, area <c>imaging</c>). Expectations come from the limits given and the formats'
/// specifications, not from the reader's output.
/// </summary>
public sealed class ImageEdgeTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-image-edges-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(ImageFixtureCase.Folder, name);

    private string Temp(string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Refusal(Func<object> read) => Assert.Throws<ImageDecodeException>(read).Reason;

    [Fact]
    public void EachLimitAcceptsExactlyItsValue()
    {
        // rgb_317x251.png: 317 × 251 = 79567 pixels.
        string path = Fixture("rgb_317x251.png");
        long bytes = new FileInfo(path).Length;
        var exact = new ImageLimits { MaxSide = 317, MaxPixels = 79567, MaxFileBytes = bytes };
        var image = ImageFile.Load(path, exact);
        Assert.Equal((317, 251), (image.Width, image.Height));
        Assert.Equal(317 * 251 * 3, image.Pixels.Length);
        Assert.Equal("PNG image of 317x251 has a side over the limit of 316 pixels", Refusal(() => ImageFile.Identify(path, exact with { MaxSide = 316 })));
        Assert.Equal("PNG image of 317x251 (79567 pixels) is over the limit of 79566 pixels", Refusal(() => ImageFile.Identify(path, exact with { MaxPixels = 79566 })));
        Assert.Equal($"file of {bytes} bytes is over the limit of {bytes - 1} bytes", Refusal(() => ImageFile.Identify(path, exact with { MaxFileBytes = bytes - 1 })));
        // A portrait image's height is checked against the side limit too (photo_300x400.jpg).
        Assert.Equal("JPEG image of 300x400 has a side over the limit of 399 pixels", Refusal(() => ImageFile.Identify(Fixture("photo_300x400.jpg"), new ImageLimits { MaxSide = 399 })));
        Assert.Equal((300, 400), (ImageFile.Identify(Fixture("photo_300x400.jpg"), new ImageLimits { MaxSide = 400 }).Width, 400));
    }

    [Theory]
    [InlineData(0L, 1L, 1)]
    [InlineData(1L, 0L, 1)]
    [InlineData(1L, 1L, 0)]
    [InlineData(-1L, 1L, 1)]
    public void EveryLimitMustBePositive(long fileBytes, long pixels, int side)
    {
        var limits = new ImageLimits { MaxFileBytes = fileBytes, MaxPixels = pixels, MaxSide = side };
        var e = Assert.Throws<ArgumentException>(() => ImageFile.Identify(Fixture("rgb_317x251.png"), limits));
        Assert.Contains("Image limits must be positive", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ImageFile.Load(Fixture("rgb_317x251.png"), limits));
    }

    // A BMP header (BITMAPINFOHEADER, 40 bytes, or the OS/2 core header, 12) stating the given sides, with no rows.
    private static byte[] Bmp(uint header, int width, int height)
    {
        byte[] bmp = new byte[14 + Math.Max(header, 40u) + 16];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 14 + (int)header);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(14), header);
        if (header == 12)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(18), (ushort)width);
            BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(20), (ushort)height);
            BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(22), 1);
            BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(24), 24);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
            BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
            BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
            BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        }
        return bmp;
    }

    [Fact]
    public void BmpSidesAreCheckedFromTheHeaderAtTheirExactLimits()
    {
        var limits = new ImageLimits { MaxSide = 1000, MaxPixels = 500_000 };
        // Over a limit: refused by the BMP header's own sides, before Skia sees the file.
        Assert.Equal("BMP image of 1001x2 has a side over the limit of 1000 pixels", Refusal(() => ImageFile.Identify(Temp("w.bmp", Bmp(40, 1001, 2)), limits)));
        Assert.Equal("BMP image of 2x1001 has a side over the limit of 1000 pixels", Refusal(() => ImageFile.Identify(Temp("h.bmp", Bmp(40, 2, -1001)), limits)));
        Assert.Equal("BMP image of 1000x501 (501000 pixels) is over the limit of 500000 pixels", Refusal(() => ImageFile.Identify(Temp("p.bmp", Bmp(40, 1000, 501)), limits)));
        Assert.Equal("BMP image of 1001x2 has a side over the limit of 1000 pixels", Refusal(() => ImageFile.Identify(Temp("os2.bmp", Bmp(12, 1001, 2)), limits)));
        // int.MinValue as a height (top-down) has no positive counterpart: over any limit.
        Assert.StartsWith($"BMP image of 2x{int.MaxValue} has a side over the limit", Refusal(() => ImageFile.Identify(Temp("min.bmp", Bmp(40, 2, int.MinValue)), limits)), StringComparison.Ordinal);
        // At the limits the header passes and is Skia's to read: the same sides, no refusal from the header.
        foreach (var (name, bytes, w, h) in new[] { ("at-side.bmp", Bmp(40, 1000, 2), 1000, 2), ("at-pixels.bmp", Bmp(40, 1000, 500), 1000, 500), ("os2-at.bmp", Bmp(12, 1000, 2), 1000, 2) })
        {
            var info = ImageFile.Identify(Temp(name, bytes), limits);
            Assert.Equal(("BMP", w, h), (info.Format, info.Width, info.Height));
        }
    }

    public static TheoryData<string, byte[], string> Magics() => new()
    {
        { "big.tif", [(byte)'I', (byte)'I', (byte)'+', 0, 8, 0, 0, 0, 0, 0, 0, 0], "TIFF" },
        { "big2.tif", [(byte)'M', (byte)'M', 0, (byte)'+', 0, 8, 0, 0, 0, 0, 0, 0], "TIFF" },
        { "a.tif", [(byte)'I', (byte)'I', (byte)'*', 0, 8, 0, 0, 0, 0, 0, 0, 0], "TIFF" },
        { "p1.pbm", [(byte)'P', (byte)'1', (byte)' ', (byte)'1', (byte)' ', (byte)'1', (byte)'\n', (byte)'0'], "Netpbm (PBM/PGM/PPM/PAM)" },
        { "p7.pam", [(byte)'P', (byte)'7', (byte)'\n', (byte)'W', (byte)'I', (byte)'D', (byte)'T', (byte)'H'], "Netpbm (PBM/PGM/PPM/PAM)" },
        { "p5.pgm", [(byte)'P', (byte)'5', (byte)'\r', (byte)'1', (byte)' ', (byte)'1', (byte)'\n', (byte)'2'], "Netpbm (PBM/PGM/PPM/PAM)" },
        { "p4.pbm", [(byte)'P', (byte)'4', (byte)'\t', (byte)'1', (byte)' ', (byte)'1', (byte)'\n', (byte)'2'], "Netpbm (PBM/PGM/PPM/PAM)" },
        { "cursor.cur", [0, 0, 2, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0, 0, 0], "ICO" },
        { "a.heic", [0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'x', 0, 0, 0, 0], "HEIF" },
        { "b.heic", [0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'m', (byte)'i', (byte)'f', (byte)'1', 0, 0, 0, 0], "HEIF" },
        { "c.heic", [0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'m', (byte)'s', (byte)'f', (byte)'1', 0, 0, 0, 0], "HEIF" },
        { "d.heic", [0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'v', (byte)'c', 0, 0, 0, 0], "HEIF" },
        { "s.avif", [0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'a', (byte)'v', (byte)'i', (byte)'s', 0, 0, 0, 0], "AVIF" },
        { "a.jp2", [0, 0, 0, 0x0C, (byte)'j', (byte)'P', 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A], "JPEG 2000" },
        { "a.j2k", [0xFF, 0x4F, 0xFF, 0x51, 0, 0x2F, 0, 0, 0, 0, 0, 0], "JPEG 2000" },
        { "a.jxl", [0xFF, 0x0A, 0xFA, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0], "JPEG XL" },
        { "b.jxl", [0, 0, 0, 0x0C, (byte)'J', (byte)'X', (byte)'L', 0x20, 0x0D, 0x0A, 0x87, 0x0A], "JPEG XL" },
        { "a.exr", [0x76, 0x2F, 0x31, 0x01, 2, 0, 0, 0, 0, 0, 0, 0], "OpenEXR" },
        { "a.qoi", [(byte)'q', (byte)'o', (byte)'i', (byte)'f', 0, 0, 0, 1, 0, 0, 0, 1, 3, 0], "QOI" },
        { "a.dds", [(byte)'D', (byte)'D', (byte)'S', (byte)' ', 124, 0, 0, 0, 0, 0, 0, 0], "DDS" },
    };

    [Theory]
    [MemberData(nameof(Magics))]
    public void EveryKnownMagicIsNamed(string name, byte[] bytes, string format)
    {
        Assert.Equal($"{format}: a known format this tool does not decode (accepted: PNG, JPEG, BMP, GIF, WebP)", Refusal(() => ImageFile.Identify(Temp(name, bytes))));
    }

    [Theory]
    [InlineData("p8.pgm", new byte[] { (byte)'P', (byte)'8', (byte)' ', 1, 2, 3, 4, 5 })]   // no Netpbm type 8
    [InlineData("p0.pgm", new byte[] { (byte)'P', (byte)'0', (byte)' ', 1, 2, 3, 4, 5 })]   // nor 0
    [InlineData("p6x.ppm", new byte[] { (byte)'P', (byte)'6', (byte)'x', 1, 2, 3, 4, 5 })]  // the type needs whitespace after it
    [InlineData("ftyp.mp4", new byte[] { 0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m', 0, 0, 0, 0 })]
    [InlineData("riff.wav", new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 4, 0, 0, 0, (byte)'W', (byte)'A', (byte)'V', (byte)'E' })]
    [InlineData("bm.txt", new byte[] { (byte)'B', (byte)'M', (byte)' ', (byte)'i', (byte)'s', (byte)' ', (byte)'n', (byte)'o', (byte)'t' })]
    [InlineData("gif86", new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'6', (byte)'a', 1, 0, 1, 0 })]
    public void NearMissesOfAMagicAreUnknown(string name, byte[] bytes)
    {
        string reason = Refusal(() => ImageFile.Identify(Temp(name, bytes)));
        string extension = Path.GetExtension(name);
        Assert.Equal(extension.Length == 0
            ? "unknown image format (it has no extension, but its content is none of PNG, JPEG, BMP, GIF, WebP)"
            : $"unknown image format (its extension is '{extension}', but its content is none of PNG, JPEG, BMP, GIF, WebP)", reason);
    }
    [Fact]
    public void ALimitOfOneIsALimitNotAnError()
    {
        string path = Fixture("rgb_317x251.png");
        Assert.StartsWith("file of ", Refusal(() => ImageFile.Identify(path, new ImageLimits { MaxFileBytes = 1 })), StringComparison.Ordinal);
        Assert.Contains("over the limit of 1 pixels", Refusal(() => ImageFile.Identify(path, new ImageLimits { MaxPixels = 1 })), StringComparison.Ordinal);
        Assert.Contains("side over the limit of 1 pixels", Refusal(() => ImageFile.Identify(path, new ImageLimits { MaxSide = 1 })), StringComparison.Ordinal);
    }

    [Fact]
    public void BitsPerPixelFollowTheDecodersPixelSize()
    {
        // Skia reads grayscale PNG as Gray8 (8 bits) and RGB PNG as 8-bit RGBA (32 bits).
        Assert.Equal(8, ImageFile.Identify(Fixture("gray_200x150.png")).BitsPerPixel);
        Assert.Equal(32, ImageFile.Identify(Fixture("rgb_317x251.png")).BitsPerPixel);
    }

    [Theory]
    [InlineData("riff12.webp", "RIFF\0\0\0\0WEBP", "WebP")]            // exactly the 12 bytes WebP's magic needs
    [InlineData("bm18.bmp", "BM\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "BMP")]   // exactly the 18 bytes before BMP's header size
    [InlineData("ftyp12.heic", "\0\0\0\u0018ftypheic", "HEIF")]          // exactly the 12 bytes ftyp and its brand need
    public void AMagicOfExactlyItsLengthIsNamedByItsFormat(string name, string text, string format)
    {
        byte[] bytes = [.. System.Text.RegularExpressions.Regex.Unescape(text).Select(c => (byte)c)];
        string reason = Refusal(() => ImageFile.Identify(Temp(name, bytes)));
        Assert.Contains(format, reason, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown image format", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortOrForeignHeadsAreNotTakenForAFormat()
    {
        string Unknown(string name) => $"unknown image format (its extension is '{Path.GetExtension(name)}', but its content is none of PNG, JPEG, BMP, GIF, WebP)";
        // Three bytes of Netpbm are enough; the same type and whitespace after another letter are not Netpbm.
        Assert.StartsWith("Netpbm", Refusal(() => ImageFile.Identify(Temp("p6.ppm", [(byte)'P', (byte)'6', (byte)'\n']))), StringComparison.Ordinal);
        Assert.Equal(Unknown("q6.ppm"), Refusal(() => ImageFile.Identify(Temp("q6.ppm", [(byte)'Q', (byte)'6', (byte)' ', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))));
        // WEBP at bytes 8..12 without RIFF before it, and an ftyp box cut before its brand.
        Assert.Equal(Unknown("x.webp"), Refusal(() => ImageFile.Identify(Temp("x.webp", [.. "XXXXXXXXWEBP"u8]))));
        Assert.Equal(Unknown("cut.heic"), Refusal(() => ImageFile.Identify(Temp("cut.heic", [0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e']))));
    }

    [Fact]
    public void ABmpHeaderOfExactly26BytesStatesItsSides()
    {
        byte[] bmp = Bmp(40, 100_000, 2)[..26];
        Assert.Equal("BMP image of 100000x2 has a side over the limit of 16384 pixels", Refusal(() => ImageFile.Identify(Temp("b26.bmp", bmp))));
    }

    [Fact]
    public void AFormatOnlySkiaRecognisesIsNamedToo()
    {
        // WBMP (type 0, no fixed header, width 8, height 8, one byte a row): no magic number to sniff, but Skia knows it.
        byte[] wbmp = [0, 0, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal("WBMP: a known format this tool does not decode (accepted: PNG, JPEG, BMP, GIF, WebP)", Refusal(() => ImageFile.Identify(Temp("a.wbmp", wbmp))));
    }
}
