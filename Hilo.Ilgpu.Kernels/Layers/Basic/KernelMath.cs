namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>
/// Scalar math both kernel families share (ILGPU compiles the <see cref="MathF"/> calls to the device's own
/// functions; the CPU family runs them as they are), and float64 forms for the references.
/// </summary>
public static class KernelMath
{
    /// <summary>1/√2 in float32.</summary>
    public const float InvSqrt2 = 0.70710677f;

    /// <summary>
    /// The error function in float32, within 2 ulp of the exact value for every float. ILGPU has no erf, so this is
    /// what every kernel uses: two weighted minimax polynomials fitted by <c>tools/fit_erf.py</c> (coefficients in
    /// <see cref="ErfFit"/>): for |x| &lt; 1, <c>erf(x) = x + x·Q(x²)</c>; for 1 ≤ |x| &lt; 4,
    /// <c>erf(x) = 1 − exp(P(|x|))</c> with P ≈ log(erfc); beyond 4, ±1 (erfc(x) &lt; 2⁻²⁵ there).
    /// </summary>
    public static float Erf(float x)
    {
        float ax = MathF.Abs(x);
        if (ax < 1f)
        {
            float t = x * x;
            float q = t * ErfFit.Small0 + ErfFit.Small1;
            q = q * t + ErfFit.Small2;
            q = q * t + ErfFit.Small3;
            q = q * t + ErfFit.Small4;
            q = q * t + ErfFit.Small5;
            q = q * t + ErfFit.Small6;
            return x * q + x;
        }
        if (ax < 4f)
        {
            // erfc = exp(P) ≤ 0.16 here, so its relative error is divided by ≥ 5 in 1 − erfc.
            float p = ax * ErfFit.Large0 + ErfFit.Large1;
            p = p * ax + ErfFit.Large2;
            p = p * ax + ErfFit.Large3;
            p = p * ax + ErfFit.Large4;
            p = p * ax + ErfFit.Large5;
            p = p * ax + ErfFit.Large6;
            p = p * ax + ErfFit.Large7;
            return MathF.CopySign(1f - MathF.Exp(p), x);
        }
        return float.IsNaN(x) ? x : MathF.CopySign(1f, x);
    }

    /// <summary>
    /// GELU of one value, exact erf form: <c>x/2 · (1 + erf(x/√2))</c>. Error bound: 2 units of
    /// <c>ulp(GELU(x)) + |x|/2 · ulp(erf(x/√2))</c> against the float64 GELU (measured 1.49 over every third float in
    /// [−12, 12]; on the devices, whose <c>exp</c> is their own, 1.34 on PoCL over a dense grid). The second term is
    /// what one ulp of erf becomes: for x &lt; 0, 1 + erf cancels and no bound in ulps of the result alone holds.
    /// </summary>
    public static float Gelu(float v) => 0.5f * v * (1f + Erf(v * InvSqrt2));

    /// <summary>
    /// The error function in float64 (for references): Maclaurin series for |x| &lt; 4 (~11 correct digits) and a
    /// continued fraction for erfc beyond.
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
