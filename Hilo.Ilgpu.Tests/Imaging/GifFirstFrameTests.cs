using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Tests.Imaging;

/// <summary>
/// Where Skia leaves a GIF's first frame transparent (its transparent pixels and the screen outside the frame), the
/// decoded image shows the colour Pillow shows: the palette entry of the transparent index, or index 0 without one.
/// Expected colours are Pillow 9.4's <c>convert('RGB')</c> of the fixtures, read with PIL when they were made; the
/// whole-image comparisons of the same files run in <c>ImagingSuite</c>, outside the <c>imaging-readers</c> mutation
/// area's filter (issue 20), which this test is part of. The built GIFs (GIF89a, byte by byte) have a 2×1 screen and a
/// 1×1 frame at (0, 0) whose one pixel is index 0, so pixel (1, 0) is outside the frame; the expected colour there is
/// the palette entry Pillow's rule names; Pillow 9.4 gives the same colour for every built file (checked with PIL when
/// the test was written).
/// </summary>
public sealed class GifFirstFrameTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-gif-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // Palette entry i of a built palette: (10i+1, 10i+2, 10i+3), so that every index has its own colour.
    private static (int, int, int) Entry(int i) => (10 * i + 1, 10 * i + 2, 10 * i + 3);

    private static byte[] Palette(int sizeBits, int offset = 0)
    {
        int colours = 2 << sizeBits;
        var p = new byte[3 * colours];
        for (int i = 0; i < colours; i++)
        {
            (p[3 * i], p[3 * i + 1], p[3 * i + 2]) = ((byte)(10 * (i + offset) + 1), (byte)(10 * (i + offset) + 2), (byte)(10 * (i + offset) + 3));
        }
        return p;
    }

    // A graphic control extension: block size 4, packed (bit 0: transparency), delay, transparent index, terminator.
    private static byte[] Control(bool transparent, byte index) => [0x21, 0xF9, 4, (byte)(transparent ? 1 : 0), 0, 0, index, 0];

    // Header, a 2×1 screen with a global palette of 2^(bits+1) colours (none when bits < 0), the blocks, then a 1×1
    // frame at (0, 0) (with a local palette of entries offset by 20 when localBits ≥ 0) whose LZW data (minimum code
    // size 2: clear, index 0, end) is the classic 02 02 44 01 00, and the trailer.
    private string Gif(int globalBits, int localBits, params byte[][] blocks)
    {
        var b = new List<byte>("GIF89a"u8.ToArray()) { 2, 0, 1, 0, (byte)(globalBits >= 0 ? 0x80 | globalBits : 0), 0, 0 };
        if (globalBits >= 0)
        {
            b.AddRange(Palette(globalBits));
        }
        foreach (var block in blocks)
        {
            b.AddRange(block);
        }
        b.AddRange([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, (byte)(localBits >= 0 ? 0x80 | localBits : 0)]);
        if (localBits >= 0)
        {
            b.AddRange(Palette(localBits, 20));
        }
        b.AddRange([0x02, 0x02, 0x44, 0x01, 0x00, 0x3B]);
        string path = Path.Combine(dir, $"built{Directory.GetFiles(dir).Length}.gif");
        File.WriteAllBytes(path, [.. b]);
        return path;
    }

    private static (int, int, int) OutsideTheFrame(string path)
    {
        var image = ImageFile.Load(path, new ImageLimits());
        Assert.Equal((2, 1), (image.Width, image.Height));
        return (image.Pixels[3], image.Pixels[4], image.Pixels[5]);
    }

    [Fact]
    public void TheTransparentIndexNamesThePaletteEntry()
    {
        Assert.Equal(Entry(5), OutsideTheFrame(Gif(2, -1, Control(true, 5))));
        Assert.Equal(Entry(7), OutsideTheFrame(Gif(2, -1, Control(true, 7)))); // the palette's last entry
        Assert.Equal(Entry(1), OutsideTheFrame(Gif(0, -1, Control(true, 1)))); // a 2-colour palette's last entry
        // The last control extension before the frame counts.
        Assert.Equal(Entry(2), OutsideTheFrame(Gif(2, -1, Control(true, 6), Control(true, 2))));
    }

    [Fact]
    public void WithoutTransparencyIndexZeroIsShown()
    {
        Assert.Equal(Entry(0), OutsideTheFrame(Gif(2, -1)));
        Assert.Equal(Entry(0), OutsideTheFrame(Gif(2, -1, Control(false, 5)))); // an index without the flag
    }

    [Fact]
    public void AFrameWithItsOwnPaletteUsesIt()
    {
        Assert.Equal(Entry(23), OutsideTheFrame(Gif(2, 1, Control(true, 3))));
        Assert.Equal(Entry(20), OutsideTheFrame(Gif(-1, 0))); // no global palette at all
    }

    [Fact]
    public void OtherExtensionsAreSkippedSubBlockBySubBlock()
    {
        // A comment extension (0xFE) of two sub-blocks (3 and 2 bytes) whose bytes look like blocks, then the control.
        byte[] comment = [0x21, 0xFE, 3, 0x2C, 0x21, 0xF9, 2, 0x3B, 0x00, 0];
        Assert.Equal(Entry(6), OutsideTheFrame(Gif(2, -1, comment, Control(true, 6))));
        // A NETSCAPE2.0 application extension (an 11-byte identifier, then a 3-byte loop count) before the control.
        byte[] looping = [0x21, 0xFF, 11, .. "NETSCAPE2.0"u8, 3, 1, 0, 0, 0];
        Assert.Equal(Entry(4), OutsideTheFrame(Gif(2, -1, looping, Control(true, 4))));
    }

    [Theory]
    // Pillow 9.4's convert('RGB') of the fixtures' first frames, outside the frame's rectangle: animated_rect.gif
    // (frame (7, 5)–(37, 27) of a 48×36 screen, transparent index 9) and rect_opaque.gif (frame (10, 3)–(35, 23), no
    // transparency: index 0).
    [InlineData("animated_rect.gif", 242, 23, 60)]
    [InlineData("rect_opaque.gif", 11, 48, 85)]
    public void DecodedFramesShowPillowsColourOutsideTheFrame(string name, int r, int g, int b)
    {
        var image = ImageFile.Load(Path.Combine(ImageFixtureCase.Folder, name), new ImageLimits());
        Assert.Equal((48, 36), (image.Width, image.Height));
        foreach (var (x, y) in new[] { (0, 0), (47, 35), (47, 0), (0, 35) })
        {
            int at = 3 * (y * image.Width + x);
            Assert.Equal((r, g, b), (image.Pixels[at], image.Pixels[at + 1], image.Pixels[at + 2]));
        }
    }
}
