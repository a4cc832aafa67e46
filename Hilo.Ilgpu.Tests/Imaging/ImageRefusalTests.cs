using System.Buffers.Binary;
using System.IO.Compression;
using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Tests.Imaging;

/// <summary>
/// Untrusted image files: truncated or inconsistent data is refused in every format (never decoded into stale or
/// partly written memory), only the first frame of an animation is read, crafted headers are refused before decoding,
/// and formats recognised but not supported are named.
/// </summary>
public sealed class ImageRefusalTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-refusal-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(ImageFixtureCase.Folder, name);

    private string Temp(string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// The first <paramref name="percent"/> % of a fixture, with the container's own size field patched to the new length
    /// (RIFF for WebP, the file size for BMP) so that no size check outside the decoder can see the cut.
    /// </summary>
    public static byte[] Cut(string fixture, int percent)
    {
        byte[] whole = File.ReadAllBytes(Fixture(fixture));
        byte[] cut = whole[..(whole.Length * percent / 100)];
        if (fixture.EndsWith(".webp", StringComparison.Ordinal))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(4), (uint)cut.Length - 8);
        }
        else if (fixture.EndsWith(".bmp", StringComparison.Ordinal))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(2), (uint)cut.Length);
        }
        return cut;
    }

    public static TheoryData<string, int> TruncatedCases()
    {
        var cases = new TheoryData<string, int>();
        foreach (string f in new[] { "rgb_317x251.png", "rgb16_120x90.png", "cat_420.jpg", "astronaut_progressive.jpg", "astronaut_gray.jpg",
                     "palette_150x110.gif", "rgb_90x70.bmp", "lossless_100x80.webp", "animated.webp" })
        {
            foreach (int percent in new[] { 30, 50, 70, 98 })
            {
                cases.Add(f, percent);
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(TruncatedCases))]
    public void TruncatedFilesAreRefusedInEveryFormat(string fixture, int percent)
    {
        string path = Temp($"cut{percent}_{fixture}", Cut(fixture, percent));
        var e = Assert.Throws<ImageDecodeException>(() => ImageFile.Load(path));
        Assert.Equal(path, e.Path);
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 16.1: a lossless WebP cut in half (RIFF size patched) was classified, with pixels from buffers another image
    /// had left behind. Decoded alone or after any other image, a cut file must have one and the same outcome.
    /// </summary>
    [Fact]
    public void ATruncatedFileHasTheSameOutcomeWhateverWasDecodedBefore()
    {
        string[] others = ["cat_444.jpg", "rgb_317x251.png", "lossless_100x80.webp", "animated.webp", "palette_150x110.gif", "rgb_90x70.bmp"];
        foreach (var (fixture, percent) in new[] { ("lossless_100x80.webp", 50), ("palette_150x110.gif", 70), ("palette_150x110.gif", 98), ("rgb_317x251.png", 70), ("cat_420.jpg", 70), ("rgb_90x70.bmp", 70) })
        {
            string path = Temp($"half{percent}_{fixture}", Cut(fixture, percent));
            string alone = Outcome(path);
            foreach (string other in others)
            {
                ImageFile.Load(Fixture(other));
                Assert.Equal(alone, Outcome(path));
            }
            Assert.StartsWith("refused: ", alone, StringComparison.Ordinal);
        }
    }

    private static string Outcome(string path)
    {
        try
        {
            return "decoded: " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(ImageFile.Load(path).Pixels));
        }
        catch (ImageDecodeException e)
        {
            return "refused: " + e.Reason;
        }
    }

    /// <summary>A GIF cut inside its first frame is refused; cut after it, the first frame is whole and is what PIL shows too.</summary>
    [Fact]
    public void AnAnimatedGifCutAfterItsFirstFrameGivesThatFrame()
    {
        byte[] whole = File.ReadAllBytes(Fixture("animated_rect.gif"));
        byte[] first = ImageFile.Load(Fixture("animated_rect.gif")).Pixels;
        Assert.Equal(first, ImageFile.Load(Temp("late.gif", whole[..(whole.Length * 90 / 100)])).Pixels);
        Assert.Throws<ImageDecodeException>(() => ImageFile.Load(Temp("early.gif", whole[..(whole.Length * 20 / 100)])));
    }

    [Fact]
    public void HugeHeadersAreRefusedBeforeDecodingInEveryFormat()
    {
        // BMP declaring 100000 x 100000 (issue 16.4: the decoder's own exception ended the whole run).
        byte[] bmp = new byte[54 + 16];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 100000);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 100000);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        // The sides are checked from the header before Skia's reader sees it (which would call the header corrupt:
        // the rows it states are nowhere near in the file), so the message is the limit's.
        var e = Assert.Throws<ImageDecodeException>(() => ImageFile.Load(Temp("huge.bmp", bmp)));
        Assert.Equal($"BMP image of 100000x100000 has a side over the limit of {ImageLimits.Default.MaxSide} pixels", e.Reason);
        // Top-down rows (a negative height) and the OS/2 header's 16-bit sides are read too.
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 9000);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), -9000);
        Assert.Equal("BMP image of 9000x9000 (81000000 pixels) is over the limit of 40000000 pixels",
            Assert.Throws<ImageDecodeException>(() => ImageFile.Identify(Temp("topdown.bmp", bmp))).Reason);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 12);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(18), 60000);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(20), 2);
        Assert.StartsWith("BMP image of 60000x2 has a side over the limit",
            Assert.Throws<ImageDecodeException>(() => ImageFile.Identify(Temp("os2.bmp", bmp))).Reason, StringComparison.Ordinal);
        // A GIF whose screen is 6324 x 6324 but whose frames are 1 pixel: the image is the screen, checked against the limits.
        byte[] gif = File.ReadAllBytes(Fixture("rect_opaque.gif"));
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(6), 20000);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(8), 20000);
        Assert.Contains("20000x20000 has a side over the limit", Assert.Throws<ImageDecodeException>(() => ImageFile.Load(Temp("screen.gif", gif))).Reason, StringComparison.Ordinal);
        // A JPEG whose frame header claims 16000 x 16000 (under the side limit, over the pixel limit).
        byte[] jpeg = File.ReadAllBytes(Fixture("cat_420.jpg"));
        int sof = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 16000);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 16000);
        Assert.Contains("(256000000 pixels) is over the limit of 40000000 pixels", Assert.Throws<ImageDecodeException>(() => ImageFile.Identify(Temp("big.jpg", jpeg))).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("scan.tif", new byte[] { 0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8, 0, 0 }, "TIFF")]
    [InlineData("photo.ppm", new byte[] { (byte)'P', (byte)'6', (byte)'\n', (byte)'1', (byte)' ', (byte)'1', (byte)'\n', (byte)'2', (byte)'5', (byte)'5', (byte)'\n', 1, 2, 3 }, "Netpbm (PBM/PGM/PPM/PAM)")]
    [InlineData("photo.heic", new byte[] { 0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c', 0, 0, 0, 0 }, "HEIF")]
    [InlineData("photo.avif", new byte[] { 0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'a', (byte)'v', (byte)'i', (byte)'f', 0, 0, 0, 0 }, "AVIF")]
    [InlineData("layers.psd", new byte[] { (byte)'8', (byte)'B', (byte)'P', (byte)'S', 0, 1, 0, 0, 0, 0, 0, 0 }, "PSD")]
    public void KnownFormatsThatAreNotDecodedAreNamed(string name, byte[] bytes, string format)
    {
        string path = Temp(name, bytes);
        foreach (var refusal in new[] { Assert.Throws<ImageDecodeException>(() => ImageFile.Identify(path)), Assert.Throws<ImageDecodeException>(() => ImageFile.Load(path)) })
        {
            Assert.Equal($"{format}: a known format this tool does not decode (accepted: PNG, JPEG, BMP, GIF, WebP)", refusal.Reason);
        }
    }

    /// <summary>A header cut short is named by the format its magic bytes announce, not called unknown.</summary>
    [Theory]
    [InlineData("rgb_317x251.png", "PNG")]
    [InlineData("cat_420.jpg", "JPEG")]
    [InlineData("palette_150x110.gif", "GIF")]
    [InlineData("lossless_100x80.webp", "WebP")]
    [InlineData("rgb_90x70.bmp", "BMP")]
    public void ACutHeaderIsNamedByItsFormat(string fixture, string format)
    {
        string path = Temp("head_" + fixture, File.ReadAllBytes(Fixture(fixture))[..20]);
        Assert.Equal($"corrupt or truncated {format} header: the decoder cannot read it", Assert.Throws<ImageDecodeException>(() => ImageFile.Identify(path)).Reason);
    }

    /// <summary>ICO is a format Skia decodes; it is refused all the same, by name.</summary>
    [Fact]
    public void FormatsSkiaCouldDecodeAreStillRefused()
    {
        byte[] png = File.ReadAllBytes(Fixture("tiny_40x30.png"));
        byte[] ico = new byte[6 + 16 + png.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(ico.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(ico.AsSpan(4), 1);
        ico[6] = 40;
        ico[7] = 30;
        BinaryPrimitives.WriteUInt16LittleEndian(ico.AsSpan(6 + 4), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(ico.AsSpan(6 + 6), 32);
        BinaryPrimitives.WriteUInt32LittleEndian(ico.AsSpan(6 + 8), (uint)png.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(ico.AsSpan(6 + 12), 22);
        png.CopyTo(ico, 22);
        Assert.StartsWith("ICO: a known format", Assert.Throws<ImageDecodeException>(() => ImageFile.Load(Temp("icon.ico", ico))).Reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// 16-bit grayscale PNG: each sample's high byte, replicated (Pillow opens it as mode I and clips to 255 instead,
    /// a documented difference: docs/images.md).
    /// </summary>
    [Fact]
    public void SixteenBitGrayscaleKeepsTheHighByte()
    {
        const int w = 5, h = 3;
        var raw = new MemoryStream();
        var samples = new ushort[w * h];
        for (int y = 0; y < h; y++)
        {
            raw.WriteByte(0);
            for (int x = 0; x < w; x++)
            {
                ushort v = (ushort)(x * 13107 + y * 4099 + 0x00FF * (x & 1));
                samples[y * w + x] = v;
                raw.WriteByte((byte)(v >> 8));
                raw.WriteByte((byte)v);
            }
        }
        var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(raw.ToArray());
        }
        byte[] ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = 16;
        byte[] png = [0x89, .. "PNG\r\n\x1a\n"u8, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", idat.ToArray()), .. Chunk("IEND", [])];
        var image = ImageFile.Load(Temp("gray16.png", png));
        Assert.Equal(samples.SelectMany(v => new[] { (byte)(v >> 8), (byte)(v >> 8), (byte)(v >> 8) }), image.Pixels);
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        byte[] chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    // PNG's CRC-32 (the zlib polynomial, reflected), bit by bit: a few hundred bytes here.
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }
        return ~crc;
    }
}
