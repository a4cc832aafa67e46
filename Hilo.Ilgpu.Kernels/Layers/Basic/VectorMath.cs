using System.Runtime.CompilerServices;
using Hilo.Ilgpu.Kernels.Cpu;

namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>Lane-wise math of the CPU family: exp of non-positive arguments and GELU on <see cref="Float16"/> vectors.</summary>
public static class VectorMath
{
    /// <summary>2²⁴: (a − 1)·2²⁴ + 1 ≤ 0 for every float a &lt; 1 (the float below 1 is 1 − 2⁻²⁴), ≥ 1 for a ≥ 1.</summary>
    private const float StepScale = 16777216f;

    /// <summary>
    /// exp(x) for x ≤ 0 (softmax weights after the maximum is subtracted) with plain vector arithmetic: x is clamped
    /// to ≥ −30 (e^−30 ≈ 1e-13 is nothing next to the maximum's weight 1; −∞ becomes that too, so padding lanes
    /// must be dropped by the caller or give ≈ 1e-13), e^(x/32) is a degree-10 Taylor polynomial (error &lt; 1e-7
    /// relative on [−0.94, 0]) and five squarings give e^x, within a few 1e-6 relative.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float16 ExpNonPositive(Float16 x)
    {
        Float16 y = Float16.Max(x, new Float16(-30f)) * (1f / 32f);
        Float16 p = new Float16(1f / 3628800f);
        p = Float16.Fma(p, y, new Float16(1f / 362880f));
        p = Float16.Fma(p, y, new Float16(1f / 40320f));
        p = Float16.Fma(p, y, new Float16(1f / 5040f));
        p = Float16.Fma(p, y, new Float16(1f / 720f));
        p = Float16.Fma(p, y, new Float16(1f / 120f));
        p = Float16.Fma(p, y, new Float16(1f / 24f));
        p = Float16.Fma(p, y, new Float16(1f / 6f));
        p = Float16.Fma(p, y, new Float16(0.5f));
        p = Float16.Fma(p, y, new Float16(1f));
        p = Float16.Fma(p, y, new Float16(1f));
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        return p * p;
    }

    /// <summary>
    /// GELU (exact erf form) on 16 lanes: <c>x/2 + |x|/2 · erf(|x|/√2)</c> (erf is odd). Lane-wise branches are not
    /// available on vectors, so both halves of <see cref="KernelMath.Erf(float)"/>'s fit are evaluated (the argument
    /// clamped into each half's range) and one is selected by an exact 0/1 weight. For |x|/√2 &lt; 1 the polynomial is
    /// exactly the scalar one; above, <c>1 − exp(P)</c> uses <see cref="ExpNonPositive"/>; beyond 4 erf is 1.
    /// Error bound: 5 units of <c>ulp(GELU(x)) + |x|/2 · ulp(erf(x/√2))</c> against the float64 GELU (measured 4.94 at
    /// x ≈ −1.43 over every float in [−12, 12]; <see cref="KernelMath.Gelu"/> explains the unit): looser than the
    /// scalar form's 2 because <see cref="ExpNonPositive"/> is a few 1e-6 off where erfc is near 0.16.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float16 Gelu(Float16 x)
    {
        Float16 ax = Float16.Max(x, -x);
        Float16 a = ax * KernelMath.InvSqrt2;
        Float16 one = new Float16(1f);

        Float16 s = Float16.Min(a, one);
        Float16 t = s * s;
        Float16 q = Float16.Fma(t, new Float16(ErfFit.Small0), new Float16(ErfFit.Small1));
        q = Float16.Fma(q, t, new Float16(ErfFit.Small2));
        q = Float16.Fma(q, t, new Float16(ErfFit.Small3));
        q = Float16.Fma(q, t, new Float16(ErfFit.Small4));
        q = Float16.Fma(q, t, new Float16(ErfFit.Small5));
        q = Float16.Fma(q, t, new Float16(ErfFit.Small6));
        Float16 small = Float16.Fma(s, q, s);

        Float16 l = Float16.Min(Float16.Max(a, one), new Float16(4f));
        Float16 p = Float16.Fma(l, new Float16(ErfFit.Large0), new Float16(ErfFit.Large1));
        p = Float16.Fma(p, l, new Float16(ErfFit.Large2));
        p = Float16.Fma(p, l, new Float16(ErfFit.Large3));
        p = Float16.Fma(p, l, new Float16(ErfFit.Large4));
        p = Float16.Fma(p, l, new Float16(ErfFit.Large5));
        p = Float16.Fma(p, l, new Float16(ErfFit.Large6));
        p = Float16.Fma(p, l, new Float16(ErfFit.Large7));
        Float16 large = one - ExpNonPositive(p);

        // w is exactly 0 or 1, so small·(1 − w) + large·w is exactly one of the two.
        Float16 w = Float16.Min(Float16.Max(Float16.Fma(a - one, new Float16(StepScale), one), Float16.Zero), one);
        Float16 erf = small * (one - w) + large * w;
        Float16 half = ax * 0.5f;
        return Float16.Fma(half, erf, x * 0.5f);
    }
}
