using Hilo.Ilgpu.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Hilo.Ilgpu.Analysis.Drawing;

/// <summary>An RGB picture drawn pixel by pixel (ImageSharp 2.1 without ImageSharp.Drawing has no shapes), saved as PNG atomically.</summary>
internal sealed class Canvas
{
    private readonly byte[] pixels;

    public Canvas(int width, int height, Rgb background)
    {
        Width = width;
        Height = height;
        pixels = new byte[3 * width * height];
        Fill(0, 0, width, height, background);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>When set, pixels outside this rectangle are left alone (marks that stray off a panel stay off its neighbours and captions).</summary>
    public (int X, int Y, int Width, int Height)? Clip { get; set; }

    public void Set(int x, int y, Rgb c)
    {
        if ((uint)x < (uint)Width && (uint)y < (uint)Height && Inside(x, y))
        {
            int at = 3 * (y * Width + x);
            pixels[at] = c.R;
            pixels[at + 1] = c.G;
            pixels[at + 2] = c.B;
        }
    }

    private bool Inside(int x, int y) =>
        Clip is not { } r || (x >= r.X && x < r.X + r.Width && y >= r.Y && y < r.Y + r.Height);

    public Rgb Get(int x, int y)
    {
        int at = 3 * (y * Width + x);
        return new Rgb(pixels[at], pixels[at + 1], pixels[at + 2]);
    }

    /// <summary>Mixes <paramref name="c"/> into the pixel with weight <paramref name="alpha"/>.</summary>
    public void Blend(int x, int y, Rgb c, double alpha)
    {
        if ((uint)x < (uint)Width && (uint)y < (uint)Height)
        {
            Set(x, y, Rgb.Mix(Get(x, y), c, alpha));
        }
    }

    public void Fill(int x0, int y0, int width, int height, Rgb c)
    {
        for (int y = Math.Max(0, y0); y < Math.Min(Height, y0 + height); y++)
        {
            for (int x = Math.Max(0, x0); x < Math.Min(Width, x0 + width); x++)
            {
                Set(x, y, c);
            }
        }
    }

    /// <summary>A rectangle's outline, <paramref name="thickness"/> pixels inside its bounds.</summary>
    public void Outline(int x0, int y0, int width, int height, int thickness, Rgb c)
    {
        Fill(x0, y0, width, thickness, c);
        Fill(x0, y0 + height - thickness, width, thickness, c);
        Fill(x0, y0, thickness, height, c);
        Fill(x0 + width - thickness, y0, thickness, height, c);
    }

    /// <summary>A straight line between two points (sub-pixel ends), stepping one pixel along its longer axis.</summary>
    public void Line(double x0, double y0, double x1, double y1, Rgb c, double alpha = 1)
    {
        int steps = (int)Math.Ceiling(Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0)));
        for (int i = 0; i <= steps; i++)
        {
            double t = steps == 0 ? 0 : (double)i / steps;
            Blend((int)Math.Floor(x0 + t * (x1 - x0)), (int)Math.Floor(y0 + t * (y1 - y0)), c, alpha);
        }
    }

    /// <summary>A filled disc of radius <paramref name="radius"/> centred at a sub-pixel point, with an optional dark rim so it stands out on any colour.</summary>
    public void Dot(double cx, double cy, double radius, Rgb c, bool rim = true)
    {
        double outer = rim ? radius + 1 : radius;
        for (int y = (int)Math.Floor(cy - outer); y <= (int)Math.Ceiling(cy + outer); y++)
        {
            for (int x = (int)Math.Floor(cx - outer); x <= (int)Math.Ceiling(cx + outer); x++)
            {
                double d = Math.Sqrt((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy));
                if (d <= radius)
                {
                    Set(x, y, c);
                }
                else if (d <= outer)
                {
                    Blend(x, y, Rgb.Black, 0.7);
                }
            }
        }
    }

    /// <summary>Writes the picture as a PNG through <see cref="AtomicFile"/>: readers see the old file or the whole new one.</summary>
    public void SavePng(string path)
    {
        using var image = Image.LoadPixelData<Rgb24>(pixels, Width, Height);
        AtomicFile.Write(path, stream => image.SaveAsPng(stream));
    }
}

/// <summary>An 8-bit RGB colour.</summary>
internal readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb Black => new(0, 0, 0);

    public static Rgb White => new(255, 255, 255);

    /// <summary>From components in [0, 1] (clamped).</summary>
    public static Rgb FromUnit(double r, double g, double b) => new(ToByte(r), ToByte(g), ToByte(b));

    public static Rgb Gray(double v) => FromUnit(v, v, v);

    /// <summary>(1 − alpha)·a + alpha·b.</summary>
    public static Rgb Mix(Rgb a, Rgb b, double alpha) => new(
        ToByte(((1 - alpha) * a.R + alpha * b.R) / 255),
        ToByte(((1 - alpha) * a.G + alpha * b.G) / 255),
        ToByte(((1 - alpha) * a.B + alpha * b.B) / 255));

    private static byte ToByte(double v) => (byte)Math.Round(255 * Math.Clamp(double.IsNaN(v) ? 0 : v, 0, 1));
}
