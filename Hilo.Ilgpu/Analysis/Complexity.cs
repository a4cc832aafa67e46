using System.Globalization;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Analysis;

/// <summary>Learned parameters and multiply-adds of one forward pass (see <see cref="FlopCounter"/> for the convention).</summary>
/// <param name="Parameters">Learned parameters (buffers excluded), as PyTorch's <c>sum(p.numel())</c>.</param>
/// <param name="Flops">Multiply-adds of one forward pass per input (batch 1).</param>
public readonly record struct Complexity(long Parameters, long Flops)
{
    /// <summary>Parameters and per-input multiply-adds of <paramref name="module"/> on a <paramref name="height"/> × <paramref name="width"/> map.</summary>
    public static Complexity Of(Module module, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(module);
        return new Complexity(module.ParameterCount, FlopCounter.Count(module, height, width));
    }

    /// <summary>
    /// A count with a metric suffix as the paper prints it: <c>298.3M</c>, <c>3.7G</c>, <c>27.84M</c>
    /// (<paramref name="decimals"/> digits after the point, rounded half away from zero).
    /// </summary>
    public static string Format(long value, int decimals = 1)
    {
        (double scale, string suffix) = Math.Abs(value) switch
        {
            >= 1_000_000_000_000 => (1e12, "T"),
            >= 1_000_000_000 => (1e9, "G"),
            >= 1_000_000 => (1e6, "M"),
            >= 1_000 => (1e3, "K"),
            _ => (1.0, ""),
        };
        double scaled = Math.Round(value / scale, decimals, MidpointRounding.AwayFromZero);
        return scaled.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + suffix;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Format(Parameters, 2)} parameters, {Format(Flops)} FLOPs";
}
