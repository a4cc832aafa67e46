namespace Hilo.Ilgpu.Tests.Infrastructure;

/// <summary>Error of a float result against a float64 reference, in units in the last place of the float result.</summary>
public static class Ulp
{
    /// <summary>
    /// ulps between <paramref name="actual"/> and the exact value <paramref name="reference"/>: 0 when both are
    /// NaN or the same infinity, +∞ when only one is NaN/infinite (unless the reference rounds to that infinity).
    /// Subnormal references flushed to zero count as 0 (OpenCL allows flushing without CL_FP_DENORM).
    /// </summary>
    public static double Error(float actual, double reference)
    {
        if (double.IsNaN(reference) || float.IsNaN(actual))
        {
            return double.IsNaN(reference) && float.IsNaN(actual) ? 0 : double.PositiveInfinity;
        }
        float rounded = (float)reference;
        if (float.IsInfinity(actual) || float.IsInfinity(rounded))
        {
            return actual == rounded ? 0 : double.PositiveInfinity;
        }
        if (actual == 0 && Math.Abs(reference) < 1.1754943508222875e-38)
        {
            return 0;
        }
        return Math.Abs(actual - reference) / UlpOf(rounded);
    }

    /// <summary>
    /// Error of a float GELU value <paramref name="actual"/> at <paramref name="x"/> against the float64
    /// <c>G = x/2 · (1 + erf(x/√2))</c>, in units of <c>ulp(G) + |x|/2 · ulp(erf(x/√2))</c>: one unit is one ulp of
    /// the result plus what one ulp of erf becomes after the multiplication by x/2. A GELU computed from an erf k ulp
    /// off is about k units off wherever that term dominates (every x &lt; 0, where 1 + erf cancels), and a correctly
    /// rounded result of an exact erf is within 0.5 — unlike plain ulps of G, which grow without bound as G → 0⁻.
    /// NaN, infinities and signed zeros as in <see cref="Error"/>.
    /// </summary>
    public static double GeluError(float x, float actual)
    {
        double a = x / Math.Sqrt(2);
        double erf = Hilo.Ilgpu.Kernels.Layers.Basic.KernelMath.Erf(a);
        double exact = 0.5 * x * (1 + erf);
        if (float.IsNaN(x) || float.IsInfinity(x) || float.IsNaN(actual) || float.IsInfinity(actual))
        {
            return Error(actual, exact);
        }
        return Math.Abs(actual - exact) / (UlpOf((float)exact) + Math.Abs(x) / 2 * UlpOf((float)erf));
    }

    /// <summary>The spacing of floats at |<paramref name="x"/>| (2^-149 for subnormals and 0).</summary>
    public static double UlpOf(float x)
    {
        float a = Math.Abs(x);
        if (a < 1.1754943508222875e-38f)
        {
            return Math.ScaleB(1.0, -149);
        }
        return Math.ScaleB(1.0, Math.ILogB(a) - 23);
    }

    /// <summary>True when the two floats are the same bits, or both NaN.</summary>
    public static bool SameFloat(float a, float b) =>
        (float.IsNaN(a) && float.IsNaN(b)) || BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b);
}
