using Hilo.Ilgpu.Kernels.Cpu;
using System.Globalization;
using Hilo.Ilgpu.Kernels.Layers.Basic;

namespace Hilo.Ilgpu.Tests.Layers.Basic;

/// <summary>
/// <see cref="VectorMath.Gelu"/> (the GELU fused into CPU-style kernels) against the float64 GELU over a dense sweep
/// of [−12, 12], including both sides of the fit's switch point |x|/√2 = 1 and of the saturation at 4.
/// </summary>
public sealed class VectorGeluTests
{
    private static double Exact(double x) => 0.5 * x * (1 + KernelMath.Erf(x / Math.Sqrt(2)));

    [Fact]
    public void MatchesFloat64GeluOverADenseSweep()
    {
        const int count = 1 << 20;
        double worstRel = 0, worstAbs = 0;
        float worstX = 0;
        var lanes = new float[16];
        for (int start = 0; start < count; start += 16)
        {
            for (int l = 0; l < 16; l++)
            {
                lanes[l] = -12f + 24f * (start + l) / count;
            }
            var got = Apply(lanes);
            for (int l = 0; l < 16; l++)
            {
                double exact = Exact(lanes[l]);
                double abs = Math.Abs(got[l] - exact);
                // Relative where the value is not tiny; absolute (in units of 1e-7) near 0 and on the far negative side.
                double rel = abs / Math.Max(Math.Abs(exact), 1e-2);
                if (rel > worstRel)
                {
                    (worstRel, worstX) = (rel, lanes[l]);
                }
                worstAbs = Math.Max(worstAbs, abs);
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"vector GELU: max relative error {worstRel:G3} at x = {worstX:R}, max absolute {worstAbs:G3}"));
        // Measured: 8.3e-6 relative (where |GELU| ≥ 1e-2) and 3.0e-7 absolute; the scalar erf path is within 2 ulp.
        Assert.True(worstRel < 1e-5, string.Create(CultureInfo.InvariantCulture, $"GELU({worstX:R}) is {worstRel:G3} relative off"));
        Assert.True(worstAbs < 5e-7, string.Create(CultureInfo.InvariantCulture, $"GELU is up to {worstAbs:G3} off"));
    }

    [Theory]
    [InlineData(0f, 0f)]
    [InlineData(100f, 100f)]
    [InlineData(-100f, 0f)]
    [InlineData(1.4142135f, 1.3029861f)]
    [InlineData(-1.4142135f, -0.11122734f)]
    [InlineData(5.656854f, 5.656854f)]
    public void KnownValues(float x, float expected)
    {
        var lanes = new float[16];
        Array.Fill(lanes, x);
        Assert.Equal(expected, Apply(lanes)[0], 1e-6 * Math.Max(1, Math.Abs(expected)));
        Assert.Equal(Exact(x), Apply(lanes)[15], 1e-6 * Math.Max(1, Math.Abs(expected)));
    }

    private static float[] Apply(float[] lanes)
    {
        var v = new Float16(0f);
        for (int l = 0; l < 16; l++)
        {
            v = Set(v, l, lanes[l]);
        }
        var y = VectorMath.Gelu(v);
        var result = new float[16];
        for (int l = 0; l < 16; l++)
        {
            result[l] = y[l];
        }
        return result;
    }

    private static Float16 Set(Float16 v, int lane, float value) =>
        new(System.Runtime.Intrinsics.Vector512.WithElement(v.Value, lane, value));
}
