namespace Hilo.Ilgpu.Analysis.Drawing;

/// <summary>
/// A perceptually uniform colour map close to matplotlib's viridis (dark purple → blue → green → yellow): its colours
/// at nine evenly spaced stops, linearly interpolated in RGB between them. Monotone in lightness, readable in grey
/// and by the common colour-vision deficiencies, unlike a rainbow.
/// </summary>
internal static class ColorMap
{
    // Viridis at 0, 1/8, …, 1 (the published colour values of the map).
    private static readonly Rgb[] Stops =
    [
        new(0x44, 0x01, 0x54), new(0x47, 0x2d, 0x7b), new(0x3b, 0x52, 0x8b), new(0x2c, 0x72, 0x8e), new(0x21, 0x91, 0x8c),
        new(0x28, 0xae, 0x80), new(0x5e, 0xc9, 0x62), new(0xad, 0xdc, 0x30), new(0xfd, 0xe7, 0x25),
    ];

    /// <summary>The colour of <paramref name="t"/> in [0, 1] (clamped; NaN is the low end).</summary>
    public static Rgb Viridis(double t)
    {
        t = double.IsNaN(t) ? 0 : Math.Clamp(t, 0, 1);
        double at = t * (Stops.Length - 1);
        int i = Math.Min((int)at, Stops.Length - 2);
        return Rgb.Mix(Stops[i], Stops[i + 1], at - i);
    }
}
