using System.Globalization;

namespace Hilo.Ilgpu.Layers;

/// <summary>Input checks shared by the layers that read a token tensor as an H × W map.</summary>
internal static class TokenMapChecks
{
    /// <summary>
    /// Checks that <paramref name="x"/> is B × (H·W) × C (C = <paramref name="channels"/>, or any when negative)
    /// on <paramref name="device"/>, and that the map is at least <paramref name="minSide"/> on each side; returns the batch size.
    /// </summary>
    public static int Check(string layer, Tensor x, ComputeDevice device, int height, int width, int channels, int minSide = 1)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(layer);
        if (height < minSide || width < minSide)
        {
            throw new ArgumentException(Text($"{layer}: the map must be at least {minSide}x{minSide}, got H = {height}, W = {width}."));
        }
        long tokens = (long)height * width;
        bool ok = x.Rank == 3 && x.Dim(1) == tokens && (channels < 0 || x.Dim(2) == channels);
        if (!ok)
        {
            string c = channels < 0 ? "C" : channels.ToString(CultureInfo.InvariantCulture);
            throw new ArgumentException(Text($"{layer}: expected tokens of shape [B, {tokens}, {c}] (B × H·W × C with H = {height}, W = {width}), got {x.ShapeText}."));
        }
        CheckDevice(layer, x, device);
        return x.Dim(0);
    }

    /// <summary>Checks that <paramref name="x"/> lives on the layer's device.</summary>
    public static void CheckDevice(string layer, Tensor x, ComputeDevice device)
    {
        if (x.Device != device)
        {
            throw new ArgumentException(Text($"{layer}: the input is on {x.Device.Info.Id}, the layer on {device.Info.Id}."));
        }
    }

    /// <summary>Formats with the invariant culture.</summary>
    public static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
