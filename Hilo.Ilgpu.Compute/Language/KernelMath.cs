namespace Hilo.Ilgpu.Compute;

/// <summary>
/// Math functions kernels need that <see cref="MathF"/> lacks. Inside kernels, <see cref="MathF"/> and the
/// primitive overloads of <see cref="Math"/> are also allowed (see docs/kernel-language.md for the list).
/// </summary>
public static class KernelMath
{
    /// <summary>1 / sqrt(x) (OpenCL <c>rsqrt</c>, CUDA <c>rsqrtf</c>).</summary>
    public static float Rsqrt(float x) => 1f / MathF.Sqrt(x);

    /// <summary>
    /// The error function in float32, within 2 ulp of the exact value for every float (OpenCL and CUDA use their
    /// native <c>erf</c>/<c>erff</c>; this is what the managed CPU backend runs). Two weighted minimax polynomials
    /// fitted by <c>tools/fit_erf.py</c>: for |x| &lt; 1, <c>erf(x) = x + x·Q(x²)</c>; for 1 ≤ |x| &lt; 4,
    /// <c>erf(x) = 1 − exp(P(|x|))</c> with P ≈ log(erfc); beyond 4, ±1 (erfc(x) &lt; 2⁻²⁵ there).
    /// </summary>
    public static float Erf(float x)
    {
        float ax = MathF.Abs(x);
        if (ax < 1f)
        {
            // x + x·Q in one rounding: Q is small (|Q| ≤ 0.16), so its own rounding barely reaches the result.
            float t = x * x;
            float q = MathF.FusedMultiplyAdd(t, ErfFit.Small0, ErfFit.Small1);
            q = MathF.FusedMultiplyAdd(q, t, ErfFit.Small2);
            q = MathF.FusedMultiplyAdd(q, t, ErfFit.Small3);
            q = MathF.FusedMultiplyAdd(q, t, ErfFit.Small4);
            q = MathF.FusedMultiplyAdd(q, t, ErfFit.Small5);
            q = MathF.FusedMultiplyAdd(q, t, ErfFit.Small6);
            return MathF.FusedMultiplyAdd(x, q, x);
        }
        if (ax < 4f)
        {
            // erfc = exp(P) ≤ 0.16 here, so its relative error is divided by ≥ 5 in 1 − erfc.
            float p = MathF.FusedMultiplyAdd(ax, ErfFit.Large0, ErfFit.Large1);
            p = MathF.FusedMultiplyAdd(p, ax, ErfFit.Large2);
            p = MathF.FusedMultiplyAdd(p, ax, ErfFit.Large3);
            p = MathF.FusedMultiplyAdd(p, ax, ErfFit.Large4);
            p = MathF.FusedMultiplyAdd(p, ax, ErfFit.Large5);
            p = MathF.FusedMultiplyAdd(p, ax, ErfFit.Large6);
            p = MathF.FusedMultiplyAdd(p, ax, ErfFit.Large7);
            return MathF.CopySign(1f - MathF.Exp(p), x);
        }
        return float.IsNaN(x) ? x : MathF.CopySign(1f, x);
    }

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
