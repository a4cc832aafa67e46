using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Tests.Imaging;

/// <summary>Decoding: limits checked from the header, one clear error per bad file, PIL's conversions to RGB.</summary>
public sealed class ImageFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-images-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(ImageFixtureCase.Folder, name);

    private string Temp(string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData("rgb_317x251.png", "PNG", 317, 251)]
    [InlineData("photo_300x400.jpg", "JPEG", 300, 400)]
    [InlineData("palette_150x110.gif", "GIF", 150, 110)]
    [InlineData("rgb_90x70.bmp", "BMP", 90, 70)]
    [InlineData("lossless_100x80.webp", "Webp", 100, 80)]
    [InlineData("png_named.jpg", "PNG", 80, 64)]
    public void IdentifyReadsTheHeaderAndFindsTheFormatFromTheContent(string name, string format, int width, int height)
    {
        var info = ImageFile.Identify(Fixture(name));
        Assert.Equal(format, info.Format, ignoreCase: true);
        Assert.Equal((width, height), (info.Width, info.Height));
    }

    [Fact]
    public void AHugeHeaderIsRefusedBeforeDecoding()
    {
        // 68 bytes claiming 100000 x 100000 RGB: refused from the header alone.
        var e = Assert.Throws<ImageDecodeException>(() => ImageFile.Identify(Fixture("huge_header.png")));
        Assert.EndsWith("huge_header.png", e.Path, StringComparison.Ordinal);
        Assert.Contains("100000x100000", e.Reason, StringComparison.Ordinal);
        Assert.Contains("limit of 16384 pixels", e.Reason, StringComparison.Ordinal);
        Assert.StartsWith(e.Path + ": ", e.Message, StringComparison.Ordinal);
        var pixels = Assert.Throws<ImageDecodeException>(() => ImageFile.Load(Fixture("huge_header.png"), new ImageLimits { MaxSide = 200000 }));
        Assert.Contains("limit of 40000000 pixels", pixels.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void EachLimitIsEnforcedWithItsOwnMessage()
    {
        string path = Fixture("rgb_317x251.png");
        Assert.Contains("limit of 300 pixels", Assert.Throws<ImageDecodeException>(() => ImageFile.Identify(path, new ImageLimits { MaxSide = 300 })).Reason, StringComparison.Ordinal);
        Assert.Contains("(79567 pixels) is over the limit of 50000", Assert.Throws<ImageDecodeException>(() => ImageFile.Load(path, new ImageLimits { MaxPixels = 50000 })).Reason, StringComparison.Ordinal);
        Assert.Contains("over the limit of 1000 bytes", Assert.Throws<ImageDecodeException>(() => ImageFile.Load(path, new ImageLimits { MaxFileBytes = 1000 })).Reason, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ImageFile.Identify(path, new ImageLimits { MaxPixels = 0 }));
    }

    [Fact]
    public void EmptyMissingAndUnknownFilesAreNamed()
    {
        string empty = Temp("empty.png", []);
        Assert.Equal("empty file (0 bytes)", Assert.Throws<ImageDecodeException>(() => ImageFile.Load(empty)).Reason);
        Assert.Equal("no such file", Assert.Throws<ImageDecodeException>(() => ImageFile.Identify(Path.Combine(dir, "missing.png"))).Reason);
        Assert.Contains("is a directory", Assert.Throws<ImageDecodeException>(() => ImageFile.Load(dir)).Reason, StringComparison.Ordinal);
        var unknown = Assert.Throws<ImageDecodeException>(() => ImageFile.Load(Fixture("not_an_image.png")));
        Assert.Contains("unknown image format", unknown.Reason, StringComparison.Ordinal);
        Assert.Contains("'.png'", unknown.Reason, StringComparison.Ordinal);
        Assert.Contains("PNG, JPEG, BMP, GIF, WebP", unknown.Reason, StringComparison.Ordinal);
        Assert.Contains("not_an_image.png", unknown.Message, StringComparison.Ordinal);
        string tiff = Temp("scan.tif", [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]);
        Assert.Equal("TIFF: a known format this tool does not decode (accepted: PNG, JPEG, BMP, GIF, WebP)", Assert.Throws<ImageDecodeException>(() => ImageFile.Identify(tiff)).Reason);
    }

    [Fact]
    public void ATruncatedFileIsAnErrorNamingIt()
    {
        byte[] png = File.ReadAllBytes(Fixture("rgb_317x251.png"));
        string cut = Temp("cut.png", png[..(png.Length / 2)]);
        Assert.Equal((317, 251), (ImageFile.Identify(cut).Width, ImageFile.Identify(cut).Height));
        var e = Assert.Throws<ImageDecodeException>(() => ImageFile.Load(cut));
        Assert.Equal(cut, e.Path);
        Assert.Contains("truncated PNG file", e.Reason, StringComparison.Ordinal);
        Assert.Throws<ImageDecodeException>(() => ImageFile.Load(Temp("header.png", png[..20])));
        byte[] jpeg = File.ReadAllBytes(Fixture("photo_300x400.jpg"));
        Assert.Contains("truncated JPEG file", Assert.Throws<ImageDecodeException>(() => ImageFile.Load(Temp("cut.jpg", jpeg[..(jpeg.Length * 2 / 3)]))).Reason, StringComparison.Ordinal);
        Assert.Throws<ImageDecodeException>(() => ImageFile.Load(Temp("cut.gif", File.ReadAllBytes(Fixture("palette_150x110.gif"))[..200])));
        Assert.Contains("truncated BMP file", Assert.Throws<ImageDecodeException>(() => ImageFile.Load(Temp("cut.bmp", File.ReadAllBytes(Fixture("rgb_90x70.bmp"))[..1000]))).Reason, StringComparison.Ordinal);
        Assert.Throws<ImageDecodeException>(() => ImageFile.Load(Temp("cut.webp", File.ReadAllBytes(Fixture("lossless_100x80.webp"))[..5000])));
        // Corrupt compressed data inside an intact PNG structure: the decoder's own error, wrapped.
        byte[] corrupt = (byte[])png.Clone();
        for (int i = 100; i < 400; i++)
        {
            corrupt[i] ^= 0x5A;
        }
        var bad = Assert.Throws<ImageDecodeException>(() => ImageFile.Load(Temp("corrupt.png", corrupt)));
        Assert.Contains("corrupt.png", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileNamedForAnotherFormatIsDecodedByItsContent()
    {
        var image = ImageFile.Load(Fixture("png_named.jpg"));
        Assert.Equal((80, 64), (image.Width, image.Height));
        Assert.Equal(80 * 64 * 3, image.Pixels.Length);
    }

    [Fact]
    public void GrayscaleIsReplicatedIntoThreeEqualChannels()
    {
        var image = ImageFile.Load(Fixture("gray_200x150.png"));
        for (int p = 0; p < image.Width * image.Height; p++)
        {
            Assert.Equal(image.Pixels[3 * p], image.Pixels[3 * p + 1]);
            Assert.Equal(image.Pixels[3 * p], image.Pixels[3 * p + 2]);
        }
    }

    /// <summary>
    /// Every fixture image decodes to exactly PIL's RGB bytes (their SHA-256, written by tools/make_image_fixtures.py):
    /// PNG (8/16-bit, gray, RGBA, palette), BMP, lossless and animated WebP (first frame), GIF (palette, transparency,
    /// frames smaller than the screen, animation), and JPEG photos of every subsampling (4:4:4, 4:2:2, 4:2:0),
    /// progressive, grayscale, CMYK with and without Adobe's inversion marker, and EXIF-rotated (not rotated).
    /// </summary>
    [Theory]
    [MemberData(nameof(FixtureImages))]
    public void DecodedPixelsArePilsExactly(string name)
    {
        var image = ImageFile.Load(Fixture(name));
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(image.Pixels));
        Assert.Equal(ImageFixtureCase.PilRgbSha256[name], sha);
    }

    public static TheoryData<string> FixtureImages() => [.. ImageFixtureCase.PilRgbSha256.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The synthetic JPEGs too, sample by sample against PIL's decoded pixels: no difference at all.</summary>
    [Theory]
    [InlineData("photo_300x400.jpg")]
    [InlineData("photo444_300x400.jpg")]
    public void JpegDecodingIsPils(string name)
    {
        var image = ImageFile.Load(Fixture(name));
        byte[] pil = ReadUInt8Npy(Fixture(name + ".rgb.npy"));
        Assert.Equal(pil, image.Pixels);
    }

    // The project's NpyFile reads float tensors only; PIL's pixels are a plain uint8 .npy (version 1 header).
    private static byte[] ReadUInt8Npy(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = bytes[8] | (bytes[9] << 8);
        Assert.Contains("'|u1'", System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength), StringComparison.Ordinal);
        return bytes[(10 + headerLength)..];
    }
}
