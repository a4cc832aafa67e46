using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Tests.Imaging;

/// <summary>
/// Where Skia leaves a GIF's first frame transparent (its transparent pixels and the screen outside the frame), the
/// decoded image shows the colour Pillow shows: the palette entry of the transparent index, or index 0 without one.
/// Expected colours are Pillow 9.4's <c>convert('RGB')</c> of the fixtures, read with PIL when they were made; the
/// whole-image comparisons of the same files run in <c>ImagingSuite</c>, outside the <c>imaging-readers</c> mutation
/// area's filter (issue 20), which this test is part of.
/// </summary>
public sealed class GifFirstFrameTests
{
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
