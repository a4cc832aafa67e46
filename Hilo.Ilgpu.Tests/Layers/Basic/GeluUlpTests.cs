using System.Globalization;
using System.Runtime.Intrinsics;
using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Layers.Basic;

namespace Hilo.Ilgpu.Tests.Layers.Basic;

/// <summary>
/// The GELU of both kernel families against the float64 GELU, in the units of <see cref="Ulp.GeluError"/> (one ulp
/// of the result plus |x|/2 ulp of erf): the scalar <see cref="KernelMath.Gelu"/> (ILGPU kernels, the CPU family's
/// tails) and the 16-lane <see cref="VectorMath.Gelu"/> (the CPU family) over a dense sweep of every binade in
/// [−12, 12], each within the bound its doc comment states. The kernel tests hold every family to the same bounds.
/// </summary>
public sealed class GeluUlpTests
{
    /// <summary>The stated error of <see cref="KernelMath.Gelu"/> (measured: 1.48 on every 3rd float, see docs/testing.md).</summary>
    public const double ScalarBound = 2;

    /// <summary>The stated error of <see cref="VectorMath.Gelu"/> (measured: 4.42, see docs/testing.md).</summary>
    public const double VectorBound = 5;

    [Fact]
    public void ScalarGeluWithinItsStatedError()
    {
        var (error, x, count) = Sweep(lanes =>
        {
            var y = new float[16];
            for (int l = 0; l < 16; l++)
            {
                y[l] = KernelMath.Gelu(lanes[l]);
            }
            return y;
        });
        Report("scalar", error, x, count, ScalarBound);
    }

    [Fact]
    public void VectorGeluWithinItsStatedError()
    {
        var (error, x, count) = Sweep(lanes =>
        {
            var y = VectorMath.Gelu(new Float16(Vector512.Create(lanes)));
            var result = new float[16];
            for (int l = 0; l < 16; l++)
            {
                result[l] = y[l];
            }
            return result;
        });
        Report("vector", error, x, count, VectorBound);
    }

    /// <summary>
    /// The measure itself: a GELU computed in float64 from an erf k ulp off, then rounded, is k/2 to k units off where
    /// x &lt; 0 (an erf 20 ulp off cannot hide under either bound), and a correctly rounded GELU is within 0.5.
    /// </summary>
    [Theory]
    [InlineData(-0.9f)]
    [InlineData(-1.5f)]
    [InlineData(-3f)]
    public void GeluErrorCountsUlpsOfErf(float x)
    {
        double erf = KernelMath.Erf(x / Math.Sqrt(2));
        float exact = (float)(0.5 * x * (1 + erf));
        Assert.True(Ulp.GeluError(x, exact) <= 0.5);
        float erf20 = (float)erf + 20 * (float)Ulp.UlpOf((float)erf);
        float off = (float)(0.5 * x * (1 + (double)erf20));
        double error = Ulp.GeluError(x, off);
        Assert.InRange(error, 10, 21);
        Assert.True(error > VectorBound && error > ScalarBound);
    }

    /// <summary>
    /// Every float in [0, 12] whose bits are a multiple of the stride (257 by default: 4.2M per sign; HILO_GELU_STRIDE
    /// overrides it, 1 = every float, minutes) and its negative, 16 at a time, in parallel: the worst error and where.
    /// </summary>
    private static (double Error, float X, long Count) Sweep(Func<float[], float[]> gelu)
    {
        int stride = int.TryParse(Environment.GetEnvironmentVariable("HILO_GELU_STRIDE"), out int s) && s > 0 ? s : 257;
        int last = BitConverter.SingleToInt32Bits(12f);
        int chunks = Environment.ProcessorCount * 8;
        var worst = new (double Error, float X)[chunks];
        long total = 0;
        Parallel.For(0, chunks, c =>
        {
            var local = (Error: 0.0, X: 0f);
            var lanes = new float[16];
            long count = 0;
            for (long bits = (long)c * stride * 8; bits <= last; bits += (long)chunks * stride * 8)
            {
                for (int k = 0; k < 8; k++)
                {
                    float x = BitConverter.Int32BitsToSingle((int)Math.Min(bits + (long)k * stride, last));
                    lanes[2 * k] = x;
                    lanes[2 * k + 1] = -x;
                }
                float[] y = gelu(lanes);
                for (int l = 0; l < 16; l++)
                {
                    double e = Ulp.GeluError(lanes[l], y[l]);
                    if (!(e <= local.Error))
                    {
                        local = (e, lanes[l]);
                    }
                }
                count += 16;
            }
            worst[c] = local;
            Interlocked.Add(ref total, count);
        });
        var max = worst.MaxBy(w => w.Error);
        return (max.Error, max.X, total);
    }

    private static void Report(string what, double error, float x, long count, double bound)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what} GELU: {count} inputs, max {error:F3} units at x = {x:R} (bound {bound})"));
        Assert.True(count >= 1_000_000, $"only {count} inputs checked");
        Assert.True(error <= bound, string.Create(CultureInfo.InvariantCulture, $"{what} GELU({x:R}) is {error:F3} units off (bound {bound})"));
    }
}
