namespace Hilo.Ilgpu.Compute;

/// <summary>
/// Math functions kernels need that <see cref="MathF"/> lacks. Inside kernels, <see cref="MathF"/> and the
/// primitive overloads of <see cref="Math"/> are also allowed (see docs/kernel-language.md for the list).
/// </summary>
public static class KernelMath
{
    /// <summary>1 / sqrt(x) (OpenCL <c>rsqrt</c>, CUDA <c>rsqrtf</c>).</summary>
    public static float Rsqrt(float x) => 1f / MathF.Sqrt(x);

    /// <summary>The error function, correctly rounded from a float64 evaluation on the CPU.</summary>
    public static float Erf(float x) => (float)Erf((double)x);

    /// <summary>
    /// The error function in float64: Maclaurin series for |x| &lt; 4 (at most ~5 digits lost to cancellation,
    /// leaving ~11 correct digits) and ±erfc-free saturation beyond, where erf rounds to ±1 in float32.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }
        double ax = Math.Abs(x);
        if (ax >= 6.0)
        {
            return Math.CopySign(1.0, x);
        }
        if (ax >= 4.0)
        {
            return Math.CopySign(1.0 - ErfcContinuedFraction(ax), x);
        }
        // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 200; n++)
        {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
            {
                break;
            }
        }
        return sum * 1.1283791670955126; // 2 / sqrt(pi)
    }

    /// <summary>erfc(x) for x ≥ 4 by Lentz's continued fraction, accurate to double rounding there.</summary>
    private static double ErfcContinuedFraction(double x)
    {
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
        double f = x;
        double c = x;
        double d = 0;
        for (int k = 1; k < 100; k++)
        {
            double a = k * 0.5;
            d = x + a * d;
            d = 1 / d;
            c = x + a / c;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }
        return Math.Exp(-x * x) / (f * 1.7724538509055159); // sqrt(pi)
    }
}
