using SkiaSharp;

namespace Hilo.Ilgpu.Benchmarks;

/// <summary>
/// The font of the charts' text. Skia's Linux build without dependencies (the one ScottPlot brings) reads fonts from
/// /usr/share/fonts and nowhere else, and on a machine without any it draws no text at all, silently: a chart of bars
/// without a title, labels or numbers. So a font is looked up before drawing, and its absence is an error that says
/// how to get one.
/// </summary>
internal static class ChartFonts
{
    /// <summary>Environment variable naming a TrueType/OpenType file to draw the text with, instead of the system's fonts.</summary>
    public const string Variable = "HILO_CHART_FONT";

    // Sans fonts that carry every glyph the charts use (× and …), most likely first on Debian, then elsewhere.
    private static readonly string[] Preferred = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica", "Segoe UI"];

    private static readonly Lock Gate = new();
    private static readonly HashSet<string> Registered = [];

    // The family found, for the value of the variable it was found under (the system's fonts do not change mid-run).
    private static (string? Variable, string Family)? found;

    /// <summary>The family to draw with; throws <see cref="FileNotFoundException"/> saying how to get a font when there is none.</summary>
    public static string Family()
    {
        string? file = Environment.GetEnvironmentVariable(Variable);
        lock (Gate)
        {
            if (found is { } known && known.Variable == file)
            {
                return known.Family;
            }
        }
        string family = string.IsNullOrWhiteSpace(file) ? FromSystem() : FromFile(file);
        lock (Gate)
        {
            found = (file, family);
        }
        return family;
    }

    /// <summary>
    /// The typeface of <see cref="Family"/> for drawing with SkiaSharp directly (the explanation pictures): the
    /// <see cref="Variable"/> file, else the system family found; the same errors when there is none.
    /// </summary>
    public static SKTypeface Typeface()
    {
        string family = Family();
        string? file = Environment.GetEnvironmentVariable(Variable);
        var typeface = string.IsNullOrWhiteSpace(file) ? SKFontManager.Default.MatchFamily(family) : SKTypeface.FromFile(Path.GetFullPath(file));
        return typeface ?? throw new FileNotFoundException($"no font for the pictures' text: install one (Debian: apt-get install fonts-dejavu-core) or set {Variable} to a .ttf file");
    }

    private static string FromSystem()
    {
        // Without fonts Skia still lists one family, nameless and without glyphs: a family counts only if it draws "A".
        string[] families = SKFontManager.Default.GetFontFamilies();
        return Preferred.Where(p => families.Contains(p, StringComparer.OrdinalIgnoreCase)).Concat(families).FirstOrDefault(Draws)
            ?? throw new FileNotFoundException(
                $"no font for the chart's text: install one (Debian: apt-get install fonts-dejavu-core) or set {Variable} to a .ttf file");
    }

    private static bool Draws(string family)
    {
        if (string.IsNullOrWhiteSpace(family))
        {
            return false;
        }
        using var typeface = SKFontManager.Default.MatchFamily(family);
        if (typeface is null)
        {
            return false;
        }
        using var font = new SKFont(typeface);
        return font.GetGlyph('A') != 0;
    }

    private static string FromFile(string file)
    {
        string full = Path.GetFullPath(file);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"{Variable} names a font file that does not exist: {full}", full);
        }
        // Registered under a family name of its own, so that each file gets its own resolver.
        string family = "hilo-chart-font:" + full;
        lock (Gate)
        {
            // ScottPlot keeps its font resolvers in a global list: register a file once, not on every chart.
            if (!Registered.Contains(full))
            {
                using var typeface = SKTypeface.FromFile(full)
                    ?? throw new FileNotFoundException($"{Variable} names a file that is not a font: {full}", full);
                ScottPlot.Fonts.AddFontFile(family, full);
                Registered.Add(full);
            }
        }
        return family;
    }
}
