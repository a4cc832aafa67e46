using System.Globalization;

namespace Hilo.Ilgpu.Analysis.Drawing;

/// <summary>The three explanation pictures, drawn from <see cref="HiLoMaps"/> over a grey copy of the image.</summary>
internal static class Overlays
{
    // The image is dimmed under colour maps so the colours read as the data, and kept bright under the DTM's points.
    private const double DimBackdrop = 0.8;
    private const double BrightBackdrop = 0.9;
    private const double MapAlpha = 0.55;
    private static readonly Rgb GridLine = new(235, 235, 235);
    private static readonly Rgb QueryMark = new(255, 40, 80);

    /// <summary>Tap colours, t = 2i + j: top-left, top-right, bottom-left, bottom-right.</summary>
    private static readonly Rgb[] TapColours = [new(255, 70, 70), new(255, 220, 40), new(60, 220, 255), new(240, 90, 255)];

    private static readonly string[] TapNames = ["TOP-LEFT", "TOP-RIGHT", "BOTTOM-LEFT", "BOTTOM-RIGHT"];

    public static Canvas HiFi(HiLoMaps maps, double[] grey, string? note = null)
    {
        var hi = maps.HiFi;
        string title = hi is null
            ? $"HI-FI  {maps.BlockName}  NONE"
            : Text($"HI-FI  {maps.BlockName}  HEAD {hi.Head} OF {maps.HiFiHeads}  WINDOWS {hi.WindowSize}X{hi.WindowSize}");
        var figure = new Figure(maps.ImageHeight, maps.ImageWidth, 1, Noted(title, note));
        figure.Backdrop(0, grey, DimBackdrop);
        if (hi is null)
        {
            figure.Caption(0, "NO HI-FI BRANCH IN THIS BLOCK:");
            Wrap(figure, maps.HiFiAbsentReason ?? "", figure.LegendTop);
            return figure.Canvas;
        }
        figure.Caption(0, "ATTENTION EACH TOKEN GETS FROM ITS WINDOW");
        var (low, high) = Range(hi.Received);
        int t = maps.TokenPixels;
        for (int r = 0; r < maps.StageHeight; r++)
        {
            for (int c = 0; c < maps.StageWidth; c++)
            {
                figure.Tint(0, figure.Rect(0, r * t, c * t, (r + 1) * t, (c + 1) * t), ColorMap.Viridis(Unit(hi.Received[r * maps.StageWidth + c], low, high)), MapAlpha);
            }
        }
        Grid(figure, 0, hi.WindowRows, hi.WindowColumns, hi.WindowSize * t, GridLine, 0.9);
        figure.ColourBar(0, low, high, "ATTENTION");
        return figure.Canvas;
    }

    public static Canvas LoFi(HiLoMaps maps, double[] grey, string? note = null)
    {
        var lo = maps.LoFi;
        string title = lo is null
            ? $"LO-FI  {maps.BlockName}  NONE"
            : Text($"LO-FI  {maps.BlockName}  HEAD {lo.Head} OF {maps.LoFiHeads}  KEYS {lo.KeyRows}X{lo.KeyColumns}{(lo.PoolSize > 1 ? $" ({lo.PoolSize}X{lo.PoolSize} AVG POOL)" : " (NO POOLING)")}");
        var figure = new Figure(maps.ImageHeight, maps.ImageWidth, lo is null ? 1 : 2, Noted(title, note));
        figure.Backdrop(0, grey, DimBackdrop);
        if (lo is null)
        {
            figure.Caption(0, "NO LO-FI BRANCH IN THIS BLOCK:");
            Wrap(figure, maps.LoFiAbsentReason ?? "", figure.LegendTop);
            return figure.Canvas;
        }
        figure.Backdrop(1, grey, DimBackdrop);
        figure.Caption(0, Text($"QUERY (ROW {lo.Query.Row}, COL {lo.Query.Column}) TO KEYS"));
        figure.Caption(1, "MEAN OVER ALL QUERIES");
        int cell = lo.PoolSize * maps.TokenPixels;
        for (int panel = 0; panel < 2; panel++)
        {
            var values = panel == 0 ? lo.QueryAttention : lo.MeanAttention;
            var (low, high) = Range(values);
            for (int r = 0; r < lo.KeyRows; r++)
            {
                for (int c = 0; c < lo.KeyColumns; c++)
                {
                    figure.Tint(panel, figure.Rect(panel, r * cell, c * cell, (r + 1) * cell, (c + 1) * cell), ColorMap.Viridis(Unit(values[r * lo.KeyColumns + c], low, high)), MapAlpha);
                }
            }
            Grid(figure, panel, lo.KeyRows, lo.KeyColumns, cell, GridLine, 0.35);
            figure.ColourBar(panel, low, high, "ATTENTION");
        }
        // The query token: a thick outline and a cross at its centre, drawn last so no grid line covers it.
        int t = maps.TokenPixels;
        var q = figure.Rect(0, lo.Query.Row * t, lo.Query.Column * t, (lo.Query.Row + 1) * t, (lo.Query.Column + 1) * t);
        int thick = Math.Clamp(figure.Scale, 3, 4);
        figure.Canvas.Outline(q.X - thick, q.Y - thick, q.Width + 2 * thick, q.Height + 2 * thick, thick, QueryMark);
        var (cx, cy) = (q.X + q.Width / 2.0, q.Y + q.Height / 2.0);
        double arm = Math.Max(3, q.Width / 4.0);
        figure.Canvas.Line(cx - arm, cy, cx + arm, cy, QueryMark);
        figure.Canvas.Line(cx, cy - arm, cx, cy + arm, QueryMark);
        return figure.Canvas;
    }

    public static Canvas Dtm(HiLoMaps maps, double[] grey, string? note = null)
    {
        var d = maps.Dtm;
        double meanShift = Enumerable.Range(0, d.Offsets.Count / 2).Average(i => Math.Sqrt(d.Offsets[2 * i] * d.Offsets[2 * i] + d.Offsets[2 * i + 1] * d.Offsets[2 * i + 1]));
        string title = Text($"DTM  LAYERS.{d.Merge}.DOWNSAMPLE  {d.InputHeight}X{d.InputWidth} TO {d.OutputHeight}X{d.OutputWidth}");
        var figure = new Figure(maps.ImageHeight, maps.ImageWidth, 1, Noted(title, note));
        figure.Backdrop(0, grey, BrightBackdrop);
        figure.Caption(0, "DOT: SAMPLE POINT  LINE: FROM ITS 2X2 GRID POINT");
        int t = d.TokenPixels;
        // Output cells (2×2 input tokens each), faint, so each group of four dots has its home.
        Grid(figure, 0, d.OutputHeight, d.OutputWidth, 2 * t, GridLine, 0.5);
        figure.Canvas.Clip = figure.PanelRect(0);
        double radius = Math.Clamp(t * figure.Scale / 8.0, 1.5, 4);
        for (int r = 0; r < d.OutputHeight; r++)
        {
            for (int c = 0; c < d.OutputWidth; c++)
            {
                for (int tap = 0; tap < 4; tap++)
                {
                    // Input token (y, x) is centred at image pixel ((y + 0.5)·t, (x + 0.5)·t).
                    var (gy, gx) = d.GridPoint(r, c, tap);
                    var (sy, sx) = d.SamplePoint(r, c, tap);
                    var (ax, ay) = figure.Point(0, (gy + 0.5) * t, (gx + 0.5) * t);
                    var (bx, by) = figure.Point(0, (sy + 0.5) * t, (sx + 0.5) * t);
                    figure.Canvas.Line(ax, ay, bx, by, TapColours[tap], 0.85);
                    figure.Canvas.Dot(ax, ay, 1.5, Rgb.White);
                    figure.Canvas.Dot(bx, by, radius, TapColours[tap]);
                }
            }
        }
        figure.Canvas.Clip = null;
        TapLegend(figure);
        string shift = Text($"MEAN SHIFT {Figure.Number(meanShift)} INPUT TOKENS ({t} PX EACH)");
        TinyFont.Draw(figure.Canvas, shift, figure.Left(0), figure.LegendTop + 20, TinyFont.ScaleToFit(shift, figure.PanelWidth, 2), new Rgb(220, 220, 220));
        return figure.Canvas;
    }

    private static void TapLegend(Figure figure)
    {
        int x = figure.Left(0), y = figure.LegendTop + 4;
        int scale = TinyFont.ScaleToFit(string.Join("   ", TapNames) + "       ", figure.PanelWidth, 2);
        for (int tap = 0; tap < 4; tap++)
        {
            figure.Canvas.Dot(x + 5, y + 5, 4, TapColours[tap]);
            TinyFont.Draw(figure.Canvas, TapNames[tap], x + 13, y + 5 - TinyFont.GlyphHeight * scale / 2, scale, new Rgb(220, 220, 220));
            x += 13 + TinyFont.Width(TapNames[tap], scale) + 3 * scale * TinyFont.Advance / 2;
        }
    }

    // Lines along the boundaries of a rows × columns grid of cells `cell` image pixels wide, over panel `panel`.
    private static void Grid(Figure figure, int panel, int rows, int columns, int cell, Rgb colour, double alpha)
    {
        var all = figure.Rect(panel, 0, 0, rows * cell, columns * cell);
        for (int r = 1; r < rows; r++)
        {
            var (_, y, _, _) = figure.Rect(panel, r * cell, 0, r * cell, 0);
            figure.Tint(panel, (all.X, y, all.Width, 1), colour, alpha);
        }
        for (int c = 1; c < columns; c++)
        {
            var (x, _, _, _) = figure.Rect(panel, 0, c * cell, 0, c * cell);
            figure.Tint(panel, (x, all.Y, 1, all.Height), colour, alpha);
        }
    }

    // A long message over the panel, broken into lines that fit.
    private static void Wrap(Figure figure, string text, int bottom)
    {
        const int scale = 2;
        int perLine = Math.Max(8, (figure.PanelWidth - 4 * Figure.Margin) / (TinyFont.Advance * scale));
        var lines = new List<string>();
        string line = "";
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > perLine)
            {
                lines.Add(line);
                line = "";
            }
            line = line.Length == 0 ? word : line + " " + word;
        }
        lines.Add(line);
        int y = figure.Top + Figure.Margin;
        foreach (string l in lines)
        {
            if (y + TinyFont.GlyphHeight * scale > bottom)
            {
                break;
            }
            // A dark box behind each line: the message must read over any photo.
            figure.Canvas.Fill(figure.Left(0) + Figure.Margin, y - scale, TinyFont.Width(l, scale) + 2 * Figure.Margin, (TinyFont.GlyphHeight + 2) * scale, new Rgb(24, 24, 28));
            TinyFont.Draw(figure.Canvas, l, figure.Left(0) + 2 * Figure.Margin, y, scale, Rgb.White);
            y += (TinyFont.GlyphHeight + 3) * scale;
        }
    }

    private static (double Low, double High) Range(IReadOnlyList<double> values) => (values.Min(), values.Max());

    private static double Unit(double v, double low, double high) => high - low < 1e-12 ? 0.5 : (v - low) / (high - low);

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    // A note for every picture of a run (e.g. random weights) at the end of the title, in the font's capitals.
    private static string Noted(string title, string? note) => note is null ? title : title + "  " + note.ToUpperInvariant();
}
