namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>
/// The coefficients of <see cref="KernelMath.Erf(float)"/>'s two minimax fits (<c>tools/fit_erf.py</c>), public so that
/// vector kernels can evaluate the same polynomials lane-wise. For |x| &lt; 1: <c>erf(x) = x + x·Q(x²)</c> with Q's
/// coefficients <c>Small0</c> (highest degree) … <c>Small6</c>; for 1 ≤ |x| &lt; 4: <c>erf(|x|) = 1 − exp(P(|x|))</c> with P's
/// coefficients <c>Large0</c> (highest degree) … <c>Large7</c>, in Horner order.
/// </summary>
public static class ErfFit
{
    /// <summary>Q, Horner step 0.</summary>
    public const float Small0 = 7.853812712710351e-05f;

    /// <summary>Q, Horner step 1.</summary>
    public const float Small1 = -0.0008010180317796767f;

    /// <summary>Q, Horner step 2.</summary>
    public const float Small2 = 0.005188326351344585f;

    /// <summary>Q, Horner step 3.</summary>
    public const float Small3 = -0.026853810995817184f;

    /// <summary>Q, Horner step 4.</summary>
    public const float Small4 = 0.1128358542919159f;

    /// <summary>Q, Horner step 5.</summary>
    public const float Small5 = -0.3761262595653534f;

    /// <summary>Q, Horner step 6.</summary>
    public const float Small6 = 0.12837916612625122f;

    /// <summary>P, Horner step 0.</summary>
    public const float Large0 = -2.1697627744288184e-05f;

    /// <summary>P, Horner step 1.</summary>
    public const float Large1 = 0.00044147283188067377f;

    /// <summary>P, Horner step 2.</summary>
    public const float Large2 = -0.00420528557151556f;

    /// <summary>P, Horner step 3.</summary>
    public const float Large3 = 0.025210343301296234f;

    /// <summary>P, Horner step 4.</summary>
    public const float Large4 = -0.10842210799455643f;

    /// <summary>P, Horner step 5.</summary>
    public const float Large5 = -0.633216381072998f;

    /// <summary>P, Horner step 6.</summary>
    public const float Large6 = -1.1295802593231201f;

    /// <summary>P, Horner step 7.</summary>
    public const float Large7 = 0.0001884685771074146f;
}
