namespace Hilo.Ilgpu.Analysis.Drawing;

/// <summary>
/// A 3×5 pixel font (upper case, digits, a few signs) for the pictures' titles and legends: ImageSharp 2.1 alone
/// cannot draw text, and a bitmap font needs no font files on the machine. Text is upper-cased; unknown characters
/// draw as a blank.
/// </summary>
internal static class TinyFont
{
    /// <summary>Glyph cell width in font pixels, spacing included.</summary>
    public const int Advance = 4;

    /// <summary>Glyph height in font pixels.</summary>
    public const int GlyphHeight = 5;

    // Each glyph: five rows of three columns, top to bottom, '#' on.
    private static readonly Dictionary<char, string> Glyphs = new()
    {
        ['A'] = ".#./#.#/###/#.#/#.#", ['B'] = "##./#.#/##./#.#/##.", ['C'] = ".##/#../#../#../.##", ['D'] = "##./#.#/#.#/#.#/##.",
        ['E'] = "###/#../##./#../###", ['F'] = "###/#../##./#../#..", ['G'] = ".##/#../#.#/#.#/.##", ['H'] = "#.#/#.#/###/#.#/#.#",
        ['I'] = "###/.#./.#./.#./###", ['J'] = "..#/..#/..#/#.#/.#.", ['K'] = "#.#/#.#/##./#.#/#.#", ['L'] = "#../#../#../#../###",
        ['M'] = "#.#/###/###/#.#/#.#", ['N'] = "##./#.#/#.#/#.#/#.#", ['O'] = ".#./#.#/#.#/#.#/.#.", ['P'] = "##./#.#/##./#../#..",
        ['Q'] = ".#./#.#/#.#/##./.##", ['R'] = "##./#.#/##./#.#/#.#", ['S'] = ".##/#../.#./..#/##.", ['T'] = "###/.#./.#./.#./.#.",
        ['U'] = "#.#/#.#/#.#/#.#/###", ['V'] = "#.#/#.#/#.#/#.#/.#.", ['W'] = "#.#/#.#/###/###/#.#", ['X'] = "#.#/#.#/.#./#.#/#.#",
        ['Y'] = "#.#/#.#/.#./.#./.#.", ['Z'] = "###/..#/.#./#../###", ['0'] = "###/#.#/#.#/#.#/###", ['1'] = ".#./##./.#./.#./###",
        ['2'] = "###/..#/###/#../###", ['3'] = "###/..#/.##/..#/###", ['4'] = "#.#/#.#/###/..#/..#", ['5'] = "###/#../###/..#/###",
        ['6'] = "###/#../###/#.#/###", ['7'] = "###/..#/.#./.#./.#.", ['8'] = "###/#.#/###/#.#/###", ['9'] = "###/#.#/###/..#/###",
        ['.'] = ".../.../.../.../.#.", [','] = ".../.../.../.#./#..", [':'] = ".../.#./.../.#./...", ['-'] = ".../.../###/.../...",
        ['+'] = ".../.#./###/.#./...", ['='] = ".../###/.../###/...", ['/'] = "..#/..#/.#./#../#..", ['('] = ".#./#../#../#../.#.",
        [')'] = ".#./..#/..#/..#/.#.", ['%'] = "#.#/..#/.#./#../#.#", ['>'] = "#../.#./..#/.#./#..", ['_'] = ".../.../.../.../###",
        ['|'] = ".#./.#./.#./.#./.#.", ['\''] = ".#./.#./.../.../...", [' '] = ".../.../.../.../...",
    };

    /// <summary>Width in pixels of <paramref name="text"/> at <paramref name="scale"/>.</summary>
    public static int Width(string text, int scale) => text.Length * Advance * scale;

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public static void Draw(Canvas canvas, string text, int x, int y, int scale, Rgb colour)
    {
        foreach (char raw in text)
        {
            if (Glyphs.TryGetValue(char.ToUpperInvariant(raw), out string? glyph))
            {
                string[] rows = glyph.Split('/');
                for (int r = 0; r < rows.Length; r++)
                {
                    for (int c = 0; c < rows[r].Length; c++)
                    {
                        if (rows[r][c] == '#')
                        {
                            canvas.Fill(x + c * scale, y + r * scale, scale, scale, colour);
                        }
                    }
                }
            }
            x += Advance * scale;
        }
    }

    /// <summary>The largest scale (up to <paramref name="maxScale"/>, at least 1) at which <paramref name="text"/> fits <paramref name="width"/> pixels.</summary>
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
}
