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

    private static readonly string[] TapNames = ["top-left", "top-right", "bottom-left", "bottom-right"];

    public static Canvas HiFi(HiLoMaps maps, double[] grey, string? note = null, ColourScales? scales = null)
    {
        var hi = maps.HiFi;
        string title = hi is null
            ? $"Hi-Fi · {Where(maps)} · no Hi-Fi heads"
            : Text($"Hi-Fi · {Where(maps)} · head {hi.Head} of {maps.HiFiHeads} · {hi.WindowSize}×{hi.WindowSize} windows");
        var figure = new Figure(maps.ImageHeight, maps.ImageWidth, 1, title, note);
        figure.Backdrop(0, grey, DimBackdrop);
        if (hi is null)
        {
            figure.Caption(0, "No Hi-Fi branch in this block:");
            Wrap(figure, maps.HiFiAbsentReason ?? "", figure.LegendTop);
            return figure.Canvas;
        }
        figure.Caption(0, "Attention each token gets from its window");
        var (low, high) = scales?.HiFi ?? Range(hi.Received);
        int t = maps.TokenPixels;
        for (int r = 0; r < maps.StageHeight; r++)
        {
            for (int c = 0; c < maps.StageWidth; c++)
            {
                figure.Tint(0, figure.Rect(0, r * t, c * t, (r + 1) * t, (c + 1) * t), ColorMap.Viridis(Unit(hi.Received[r * maps.StageWidth + c], low, high)), MapAlpha);
            }
        }
        Grid(figure, 0, hi.WindowRows, hi.WindowColumns, hi.WindowSize * t, GridLine, 0.9);
        figure.ColourBar(0, low, high, "attention");
        return figure.Canvas;
    }

    public static Canvas LoFi(HiLoMaps maps, double[] grey, string? note = null, ColourScales? scales = null)
    {
        var lo = maps.LoFi;
        string title = lo is null
            ? $"Lo-Fi · {Where(maps)} · no Lo-Fi heads"
            : Text($"Lo-Fi · {Where(maps)} · head {lo.Head} of {maps.LoFiHeads} · {lo.KeyRows}×{lo.KeyColumns} keys{(lo.PoolSize > 1 ? $" ({lo.PoolSize}×{lo.PoolSize} average pool)" : " (no pooling)")}");
        var figure = new Figure(maps.ImageHeight, maps.ImageWidth, lo is null ? 1 : 2, title, note);
        figure.Backdrop(0, grey, DimBackdrop);
        if (lo is null)
        {
            figure.Caption(0, "No Lo-Fi branch in this block:");
            Wrap(figure, maps.LoFiAbsentReason ?? "", figure.LegendTop);
            return figure.Canvas;
        }
        figure.Backdrop(1, grey, DimBackdrop);
        figure.Caption(0, Text($"Query (row {lo.Query.Row}, column {lo.Query.Column}) to the keys"));
        figure.Caption(1, "Mean over all queries");
        int cell = lo.PoolSize * maps.TokenPixels;
        for (int panel = 0; panel < 2; panel++)
        {
            var values = panel == 0 ? lo.QueryAttention : lo.MeanAttention;
            var (low, high) = (panel == 0 ? scales?.LoFiQuery : scales?.LoFiMean) ?? Range(values);
            for (int r = 0; r < lo.KeyRows; r++)
            {
                for (int c = 0; c < lo.KeyColumns; c++)
                {
                    figure.Tint(panel, figure.Rect(panel, r * cell, c * cell, (r + 1) * cell, (c + 1) * cell), ColorMap.Viridis(Unit(values[r * lo.KeyColumns + c], low, high)), MapAlpha);
                }
            }
            Grid(figure, panel, lo.KeyRows, lo.KeyColumns, cell, GridLine, 0.35);
            figure.ColourBar(panel, low, high, "attention");
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
        string title = Text($"Token merging after stage {d.Merge + 1} (layers.{d.Merge}.downsample) · {d.InputHeight}×{d.InputWidth} to {d.OutputHeight}×{d.OutputWidth} tokens");
        var figure = new Figure(maps.ImageHeight, maps.ImageWidth, 1, title, note);
        figure.Backdrop(0, grey, BrightBackdrop);
        figure.Caption(0, "Dot: sample point · line: from its 2×2 grid point");
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
        string shift = Text($"Mean shift {Figure.Number(meanShift)} input tokens ({t} px each)");
        PictureFont.Draw(figure.Canvas, shift, figure.Left(0), figure.LegendTop + 20, PictureFont.ScaleToFit(shift, figure.PanelWidth, 2), new Rgb(220, 220, 220));
        return figure.Canvas;
    }

    private static void TapLegend(Figure figure)
    {
        int x = figure.Left(0), y = figure.LegendTop + 4;
        int scale = PictureFont.ScaleToFit(string.Join("   ", TapNames) + "       ", figure.PanelWidth, 2);
        for (int tap = 0; tap < 4; tap++)
        {
            figure.Canvas.Dot(x + 5, y + 5, 4, TapColours[tap]);
            PictureFont.Draw(figure.Canvas, TapNames[tap], x + 13, y + 5 - PictureFont.GlyphHeight * scale / 2, scale, new Rgb(220, 220, 220));
            x += 13 + PictureFont.Width(TapNames[tap], scale) + 6 * scale;
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
        int room = figure.PanelWidth - 4 * Figure.Margin;
        var lines = new List<string>();
        string line = "";
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && PictureFont.Width(line + " " + word, scale) > room)
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
            if (y + PictureFont.GlyphHeight * scale > bottom)
            {
                break;
            }
            // A dark box behind each line: the message must read over any photo.
            figure.Canvas.Fill(figure.Left(0) + Figure.Margin, y - scale, PictureFont.Width(l, scale) + 2 * Figure.Margin, (PictureFont.GlyphHeight + 2) * scale, new Rgb(24, 24, 28));
            PictureFont.Draw(figure.Canvas, l, figure.Left(0) + 2 * Figure.Margin, y, scale, Rgb.White);
            y += (PictureFont.GlyphHeight + 3) * scale;
        }
    }

    private static (double Low, double High) Range(IReadOnlyList<double> values) => (values.Min(), values.Max());

    private static double Unit(double v, double low, double high) => high - low < 1e-12 ? 0.5 : Math.Clamp((v - low) / (high - low), 0, 1);

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    // In the command line's terms (--explain-stage 3 --explain-block 0), then the official parameter name.
    private static string Where(HiLoMaps maps) => Text($"stage {maps.Options.Stage}, block {maps.Options.Block} ({maps.BlockName})");
}
