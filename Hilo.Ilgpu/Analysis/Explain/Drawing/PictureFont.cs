using SkiaSharp;

namespace Hilo.Ilgpu.Analysis.Drawing;

/// <summary>
/// The pictures' text: a TrueType font (the charts' one, <see cref="Benchmarks.ChartFonts"/>: DejaVu Sans on Debian, or
/// <c>HILO_CHART_FONT</c>) drawn antialiased by SkiaSharp, which ScottPlot already brings, and blended into the
/// <see cref="Canvas"/>. Sizes are in whole steps: a step is <see cref="GlyphHeight"/> pixels of line height, so a title
/// at step 3 is a 21-pixel line.
/// </summary>
internal static class PictureFont
{
    /// <summary>Line height per size step, in pixels (ascent plus descent of the font at <see cref="SizePerStep"/>).</summary>
    public const int GlyphHeight = 7;

    /// <summary>Em size per size step, in pixels.</summary>
    private const float SizePerStep = 6f;

    private static readonly Lock Gate = new();
    private static SKTypeface? typeface;

    /// <summary>Throws <see cref="FileNotFoundException"/> saying how to get a font when there is none: call it before long work.</summary>
    public static void Check() => Typeface();

    /// <summary>Width in pixels of <paramref name="text"/> at size step <paramref name="scale"/>.</summary>
    public static int Width(string text, int scale)
    {
        using var font = Font(scale);
        return (int)Math.Ceiling(font.MeasureText(text));
    }

    /// <summary>Draws <paramref name="text"/> with the top of its line at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public static void Draw(Canvas canvas, string text, int x, int y, int scale, Rgb colour)
    {
        if (text.Length == 0)
        {
            return;
        }
        using var font = Font(scale);
        int width = Width(text, scale) + 2, height = GlyphHeight * scale + 2;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Alpha8, SKAlphaType.Premul));
        bitmap.Erase(SKColors.Transparent);
        using (var surface = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = SKColors.White, IsAntialias = true })
        {
            // The line's top at 0: the baseline sits one ascent below it.
            surface.DrawText(text, 0, -font.Metrics.Ascent, SKTextAlign.Left, font, paint);
        }
        var coverage = bitmap.GetPixelSpan();
        for (int row = 0; row < height; row++)
        {
            for (int column = 0; column < width; column++)
            {
                byte alpha = coverage[row * bitmap.RowBytes + column];
                if (alpha > 0)
                {
                    canvas.Blend(x + column, y + row, colour, alpha / 255.0);
                }
            }
        }
    }

    /// <summary>The largest size step (up to <paramref name="maxScale"/>, at least 1) at which <paramref name="text"/> fits <paramref name="width"/> pixels.</summary>
    public static int ScaleToFit(string text, int width, int maxScale)
    {
        for (int s = maxScale; s > 1; s--)
        {
            if (Width(text, s) <= width)
            {
                return s;
            }
        }
        return 1;
    }

    private static SKFont Font(int scale) => new(Typeface(), SizePerStep * scale) { Edging = SKFontEdging.Antialias, Subpixel = true };

    private static SKTypeface Typeface()
    {
        lock (Gate)
        {
            return typeface ??= Benchmarks.ChartFonts.Typeface();
        }
    }
}
