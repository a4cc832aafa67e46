using System.Globalization;

namespace Hilo.Ilgpu.Analysis.Drawing;

/// <summary>
/// The layout every explanation picture shares: a title strip, then one or more panels side by side, each a copy of
/// the image scaled by a whole factor (nearest neighbour, so tokens stay crisp blocks) with a caption above and a
/// legend strip below.
/// </summary>
internal sealed class Figure
{
    public const int Margin = 8;
    private const int LegendHeight = 34;
    private readonly int captionHeight;
    private readonly int titleHeight;

    public Figure(int imageHeight, int imageWidth, int panels, string title, string? subtitle = null)
    {
        ImageHeight = imageHeight;
        ImageWidth = imageWidth;
        Scale = ScaleFor(imageHeight, imageWidth);
        PanelWidth = imageWidth * Scale;
        PanelHeight = imageHeight * Scale;
        int width = Margin + panels * (PanelWidth + Margin);
        // The title, then the subtitle (the image, its class, random weights), each broken at its " · " into lines that fit.
        var titleLines = Lines(title, width - 2 * Margin, 3);
        var subtitleLines = subtitle is null ? [] : Lines(subtitle, width - 2 * Margin, 2);
        TitleScale = titleLines[0].Scale;
        titleHeight = PictureFont.GlyphHeight * titleLines.Concat(subtitleLines).Sum(l => l.Scale) + 2 * Margin;
        captionHeight = PictureFont.GlyphHeight * 2 + Margin;
        Canvas = new Canvas(width, titleHeight + captionHeight + PanelHeight + LegendHeight + Margin, new Rgb(24, 24, 28));
        int y = Margin;
        foreach (var (text, scale, colour) in titleLines.Select(l => (l.Text, l.Scale, Rgb.White)).Concat(subtitleLines.Select(l => (l.Text, l.Scale, new Rgb(255, 214, 120)))))
        {
            PictureFont.Draw(Canvas, text, Margin, y, scale, colour);
            y += PictureFont.GlyphHeight * scale;
        }
    }

    /// <summary>The smallest whole factor that makes a panel at least 224 pixels on its shorter side and 448 on its longer.</summary>
    public static int ScaleFor(int imageHeight, int imageWidth) =>
        Math.Max(1, Math.Max(Ceiling(224, Math.Min(imageHeight, imageWidth)), Ceiling(448, Math.Max(imageHeight, imageWidth))));

    public Canvas Canvas { get; }

    public int ImageHeight { get; }

    public int ImageWidth { get; }

    /// <summary>Canvas pixels per image pixel.</summary>
    public int Scale { get; }

    public int PanelWidth { get; }

    public int PanelHeight { get; }

    public int TitleScale { get; }

    /// <summary>Canvas x of panel <paramref name="panel"/>'s left edge.</summary>
    public int Left(int panel) => Margin + panel * (PanelWidth + Margin);

    /// <summary>Panel <paramref name="panel"/>'s rectangle on the canvas.</summary>
    public (int X, int Y, int Width, int Height) PanelRect(int panel) => (Left(panel), Top, PanelWidth, PanelHeight);

    /// <summary>Canvas y of every panel's top edge.</summary>
    public int Top => titleHeight + captionHeight;

    /// <summary>Canvas y of the legend strip's top.</summary>
    public int LegendTop => Top + PanelHeight + 6;

    /// <summary>Fills panel <paramref name="panel"/> with the backdrop (grey levels in [0, 1] per image pixel, row-major).</summary>
    public void Backdrop(int panel, double[] grey, double brightness)
    {
        for (int y = 0; y < PanelHeight; y++)
        {
            for (int x = 0; x < PanelWidth; x++)
            {
                Canvas.Set(Left(panel) + x, Top + y, Rgb.Gray(brightness * grey[y / Scale * ImageWidth + x / Scale]));
            }
        }
    }

    public void Caption(int panel, string text) =>
        PictureFont.Draw(Canvas, text, Left(panel), titleHeight, PictureFont.ScaleToFit(text, PanelWidth, 2), new Rgb(220, 220, 220));

    /// <summary>
    /// The canvas rectangle of the image region [y0, y1) × [x0, x1) (image pixels) in panel <paramref name="panel"/>,
    /// clipped to the image (the last tokens of a map may overhang it: the patch embedding pads the image).
    /// </summary>
    public (int X, int Y, int Width, int Height) Rect(int panel, int y0, int x0, int y1, int x1)
    {
        y1 = Math.Min(y1, ImageHeight);
        x1 = Math.Min(x1, ImageWidth);
        return (Left(panel) + x0 * Scale, Top + y0 * Scale, Math.Max(0, x1 - x0) * Scale, Math.Max(0, y1 - y0) * Scale);
    }

    /// <summary>Canvas point of image coordinates (<paramref name="y"/>, <paramref name="x"/>) in pixels (may be fractional).</summary>
    public (double X, double Y) Point(int panel, double y, double x) => (Left(panel) + x * Scale, Top + y * Scale);

    /// <summary>Blends colour into the rectangle, clipped to the panel.</summary>
    public void Tint(int panel, (int X, int Y, int Width, int Height) r, Rgb colour, double alpha)
    {
        for (int y = Math.Max(r.Y, Top); y < Math.Min(r.Y + r.Height, Top + PanelHeight); y++)
        {
            for (int x = Math.Max(r.X, Left(panel)); x < Math.Min(r.X + r.Width, Left(panel) + PanelWidth); x++)
            {
                Canvas.Blend(x, y, colour, alpha);
            }
        }
    }

    /// <summary>A colour bar under panel <paramref name="panel"/>: viridis from <paramref name="low"/> (left) to <paramref name="high"/> (right), labelled.</summary>
    public void ColourBar(int panel, double low, double high, string label)
    {
        int x0 = Left(panel), y0 = LegendTop;
        for (int x = 0; x < PanelWidth; x++)
        {
            Canvas.Fill(x0 + x, y0, 1, 10, ColorMap.Viridis(PanelWidth == 1 ? 0 : (double)x / (PanelWidth - 1)));
        }
        string lo = Number(low), hi = Number(high);
        var grey = new Rgb(220, 220, 220);
        int ty = y0 + 14;
        PictureFont.Draw(Canvas, lo, x0, ty, 2, grey);
        PictureFont.Draw(Canvas, hi, x0 + PanelWidth - PictureFont.Width(hi, 2), ty, 2, grey);
        int room = PanelWidth - PictureFont.Width(lo, 2) - PictureFont.Width(hi, 2) - 16;
        if (room > 0)
        {
            int s = PictureFont.ScaleToFit(label, room, 2);
            if (PictureFont.Width(label, s) <= room)
            {
                PictureFont.Draw(Canvas, label, x0 + (PanelWidth - PictureFont.Width(label, s)) / 2, ty, s, grey);
            }
        }
    }

    /// <summary>Three significant digits, invariant culture.</summary>
    public static string Number(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    // Parts joined by " · " while they fit at maxScale; a part too long alone is shrunk to fit.
    private static List<(string Text, int Scale)> Lines(string text, int width, int maxScale)
    {
        var lines = new List<(string, int)>();
        string line = "";
        foreach (string part in text.Split(" · "))
        {
            string joined = line.Length == 0 ? part : line + " · " + part;
            if (line.Length > 0 && PictureFont.Width(joined, maxScale) > width)
            {
                lines.Add((line, PictureFont.ScaleToFit(line, width, maxScale)));
                joined = part;
            }
            line = joined;
        }
        lines.Add((line, PictureFont.ScaleToFit(line, width, maxScale)));
        int scale = lines.Min(l => l.Item2); // one size for every line of the title
        return [.. lines.Select(l => (l.Item1, scale))];
    }

    private static int Ceiling(int a, int b) => (a + b - 1) / b;
}
