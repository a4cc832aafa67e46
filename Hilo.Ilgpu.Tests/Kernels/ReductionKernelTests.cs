using Hilo.Ilgpu.Kernels.Reduction;

namespace Hilo.Ilgpu.Tests.Kernels;

public abstract partial class KernelSuite
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(10007)]
    [InlineData(65536 + 3)]
    [InlineData(1_000_003)]
    public void TwoPassSumMatchesFloat64(int n)
    {
        var rng = new Random(200 + n);
        float[] input = RandomFloats(rng, n);
        using var din = Upload(input);
        using var partial = Filled(ReductionKernels.PartialLength(n), float.NaN);
        using var result = Filled(1, float.NaN);
        ReductionKernels.Sum(Acc.DefaultStream, din.View, partial.View, result.View);
        float got = result.ToArray()[0];
        var (sum, abs) = ReductionReference.Sum(input);
        // Each work-item adds about n / 65536 values, then a 16-level tree (and 8 more levels in pass two).
        double tolerance = (n / 65536.0 + 32) * Math.ScaleB(1.0, -24) * abs;
        Assert.True(Math.Abs(got - sum) <= tolerance, Invariant($"sum of {n}: {got} vs {sum} (tolerance {tolerance})"));
    }
}
