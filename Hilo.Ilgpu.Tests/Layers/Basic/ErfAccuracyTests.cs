using Hilo.Ilgpu.Kernels.Layers.Basic;
using System.Globalization;

namespace Hilo.Ilgpu.Tests.Layers.Basic;

/// <summary>
/// <see cref="KernelMath.Erf(float)"/> (what every kernel of both families runs for GELU: ILGPU has no erf) against the float64
/// <see cref="KernelMath.Erf(double)"/>: at most 2 ulp over a dense sweep of every binade where erf is not
/// trivially x·2/√π or ±1, plus the special values.
/// </summary>
public sealed class ErfAccuracyTests
{
    private const double MaxUlps = 2;

    /// <summary>
    /// Every float in [0, 4.5] whose bit pattern is a multiple of <paramref name="stride"/> away from 0, and their
    /// negatives (erf is odd; the negative side is checked for sign handling), in parallel.
    /// Stride 257 gives about 4.2M values per sign. HILO_ERF_STRIDE overrides it (1 = exhaustive, minutes).
    /// </summary>
    [Fact]
    public void ErfWithinTwoUlpsOverDenseSweep()
    {
        int stride = int.TryParse(Environment.GetEnvironmentVariable("HILO_ERF_STRIDE"), out int s) && s > 0 ? s : 257;
        int last = BitConverter.SingleToInt32Bits(4.5f);
        int chunks = Environment.ProcessorCount * 8;
        var worst = new (double Ulps, float X)[chunks];
        long checkedCount = 0;
        Parallel.For(0, chunks, c =>
        {
            var local = (Ulps: 0.0, X: 0f);
            long count = 0;
            for (long bits = (long)c * stride; bits <= last; bits += (long)chunks * stride)
            {
                float x = BitConverter.Int32BitsToSingle((int)bits);
                foreach (float v in (ReadOnlySpan<float>)[x, -x])
                {
                    double e = Ulp.Error(KernelMath.Erf(v), KernelMath.Erf((double)v));
                    if (e > local.Ulps)
                    {
                        local = (e, v);
                    }
                    count++;
                }
            }
            worst[c] = local;
            Interlocked.Add(ref checkedCount, count);
        });
        var max = worst.MaxBy(w => w.Ulps);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"erf: {checkedCount} inputs, max {max.Ulps:F3} ulp at x = {max.X:R}"));
        Assert.True(checkedCount >= 1_000_000, $"only {checkedCount} inputs checked");
        Assert.True(max.Ulps <= MaxUlps, string.Create(CultureInfo.InvariantCulture, $"erf({max.X:R}) is {max.Ulps:F3} ulp off"));
    }

    [Theory]
    [InlineData(0f, 0f)]
    [InlineData(float.PositiveInfinity, 1f)]
    [InlineData(float.NegativeInfinity, -1f)]
    [InlineData(4f, 1f)]
    [InlineData(-4f, -1f)]
    [InlineData(float.MaxValue, 1f)]
    public void ErfSpecialValues(float x, float expected) => Assert.Equal(expected, KernelMath.Erf(x));

    /// <summary>Tiny arguments stay in the linear regime, erf(x) ≈ x·2/√π, within the sweep's bound.</summary>
    [Theory]
    [InlineData(1e-30f)]
    [InlineData(-3e-20f)]
    [InlineData(1e-10f)]
    public void ErfOfTinyArgumentsIsLinear(float x) =>
        Assert.True(Ulp.Error(KernelMath.Erf(x), x * 1.1283791670955126) <= MaxUlps, $"erf({x}) = {KernelMath.Erf(x)}");

    [Fact]
    public void ErfKeepsSignOfZeroAndNaN()
    {
        Assert.True(float.IsNegative(KernelMath.Erf(-0f)));
        Assert.Equal(0f, KernelMath.Erf(-0f));
        Assert.True(float.IsNaN(KernelMath.Erf(float.NaN)));
        Assert.True(Ulp.Error(KernelMath.Erf(float.Epsilon), KernelMath.Erf((double)float.Epsilon)) <= MaxUlps);
    }
}
