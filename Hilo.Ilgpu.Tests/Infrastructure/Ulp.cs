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
