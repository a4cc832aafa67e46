namespace Hilo.Ilgpu.Kernels.Reduction;

/// <summary>Plain C# reference for <see cref="ReductionKernels"/>.</summary>
public static class ReductionReference
{
    /// <summary>The sum in float64, and the sum of absolute values (to scale a tolerance).</summary>
    public static (double Sum, double AbsSum) Sum(ReadOnlySpan<float> input)
    {
        double sum = 0, abs = 0;
        foreach (float v in input)
        {
            sum += v;
            abs += Math.Abs(v);
        }
        return (sum, abs);
    }
}
