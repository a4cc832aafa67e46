using System.Runtime.CompilerServices;
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Kernels.Layers.Attention;

namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>
/// GELU (exact erf form) on 16 lanes at once, for CPU-style kernels that fuse it into their epilogue. Lane-wise
/// branches are not available on vectors, so both halves of <see cref="KernelMath.Erf(float)"/>'s fit are evaluated
/// (the argument clamped into each half's range) and one is selected by an exact 0/1 weight.
/// </summary>
public static class VectorGelu
{
    /// <summary>2²⁴: (a − 1)·2²⁴ + 1 ≤ 0 for every float a &lt; 1 (the float below 1 is 1 − 2⁻²⁴), ≥ 1 for a ≥ 1.</summary>
    private const float StepScale = 16777216f;

    /// <summary>
    /// <c>x/2 · (1 + erf(x/√2))</c> per lane, written as <c>x/2 + |x|/2 · erf(|x|/√2)</c> (erf is odd) so that only
    /// erf of a non-negative argument is needed. For |x|/√2 &lt; 1 the polynomial is exactly the scalar one; above,
    /// <c>1 − exp(P)</c> uses <see cref="AttentionKernels.ExpNonPositive"/> (a few 1e-6 relative on exp ≤ 0.16, so
    /// ≤ ~5e-7 absolute on erf); beyond 4 erf is 1 exactly, as in float32.
    /// </summary>
    // Inlined: as a call, the managed CPU backend would pass the vectors through memory.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float16 Gelu(Float16 x)
    {
        Float16 ax = Float16.Max(x, -x);
        Float16 a = ax * ElementwiseKernels.InvSqrt2;
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
        Float16 large = one - AttentionKernels.ExpNonPositive(p);

        // w is exactly 0 or 1, so small·(1 − w) + large·w is exactly one of the two.
        Float16 w = Float16.Min(Float16.Max(Float16.Fma(a - one, new Float16(StepScale), one), Float16.Zero), one);
        Float16 erf = small * (one - w) + large * w;
        Float16 half = ax * 0.5f;
        return Float16.Fma(half, erf, x * 0.5f);
    }
}
