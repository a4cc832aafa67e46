using System.Globalization;
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Conformance;

namespace Hilo.Ilgpu.Tests.Conformance;

public abstract partial class ConformanceSuite
{
    /// <summary>Sqrt bound: 0, i.e. correctly rounded, on the managed CPU and CUDA (IEEE sqrtf without fast-math).</summary>
    protected virtual int SqrtUlps => 0;

    /// <summary>
    /// Bounds in ulps against a float64 reference. They are the OpenCL 1.2 full-profile bounds (spec §7.4,
    /// table 7.1), which also cover CUDA's documented ones (expf 2, logf 1, tanhf 2, erff 2, powf 4, rsqrtf 2).
    /// A bound of 0 means bit-identical to what C#'s MathF returns.
    /// </summary>
    public static TheoryData<string> UnaryFunctions => ["Exp", "Log", "Sqrt", "Tanh", "Erf", "Rsqrt", "Abs", "Truncate", "Floor", "Ceiling", "Round"];

    private (int Op, double Bound, Func<float, double> Reference, Func<Random, float> Random) UnarySpec(string name) => name switch
    {
        "Exp" => (MathKernels.Exp, 3, x => Math.Exp(x), r => r.Next(10) == 0 ? Inputs.Uniform(r, -104, -87) : Inputs.Uniform(r, -87.5, 88.7)),
        "Log" => (MathKernels.Log, 3, x => Math.Log(x), r => r.Next(4) == 0 ? Inputs.Uniform(r, 0.5, 2) : Inputs.LogUniform(r, -149, 127.9)),
        "Sqrt" => (MathKernels.Sqrt, SqrtUlps, x => Math.Sqrt(x), r => Inputs.LogUniform(r, -149, 127.9)),
        "Tanh" => (MathKernels.Tanh, 5, x => Math.Tanh(x), r => r.Next(10) == 0 ? Inputs.Uniform(r, -1e-3, 1e-3) : Inputs.Uniform(r, -10, 10)),
        "Erf" => (MathKernels.Erf, 16, x => KernelMath.Erf((double)x), r => r.Next(10) == 0 ? Inputs.Uniform(r, -1e-3, 1e-3) : Inputs.Uniform(r, -5, 5)),
        "Rsqrt" => (MathKernels.Rsqrt, 2, x => 1 / Math.Sqrt(x), r => Inputs.LogUniform(r, -149, 127.9)),
        "Abs" => (MathKernels.Abs, 0, x => MathF.Abs(x), RoundingInput),
        "Truncate" => (MathKernels.Truncate, 0, x => MathF.Truncate(x), RoundingInput),
        "Floor" => (MathKernels.Floor, 0, x => MathF.Floor(x), RoundingInput),
        "Ceiling" => (MathKernels.Ceiling, 0, x => MathF.Ceiling(x), RoundingInput),
        "Round" => (MathKernels.Round, 0, x => MathF.Round(x), RoundingInput),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Halves (ties for rounding), fractions, large integers and random bit patterns.</summary>
    private static float RoundingInput(Random r) => r.Next(4) switch
    {
        0 => r.Next(-(1 << 25), 1 << 25) * 0.5f,
        1 => Inputs.Uniform(r, -100, 100),
        2 => Inputs.RandomBits(r),
        _ => r.Next(-40, 40) + 0.5f,
    };

    [Theory]
    [MemberData(nameof(UnaryFunctions))]
    public void UnaryFunctionWithinStatedUlps(string function)
    {
        var (op, bound, reference, random) = UnarySpec(function);
        var rng = new Random(20 + op);
        float[] edges = [0f, -0f, 1f, -1f, 0.5f, -0.5f, 1.5f, 2.5f, -2.5f, 3f, -3f, 4f, 6f, -6f, 9f, 10f, 20f, -20f, 88.72283f, 88.72284f, 89f,
            -103.97f, -104f, -200f, 1e-20f, -1e-20f, 1e-30f, float.Epsilon, 1.17549435e-38f, float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0.49999997f, 8388607.5f, 8388609f];
        float[] x = [.. edges, .. Enumerable.Range(0, 4000).Select(_ => random(rng))];
        using var dx = Upload(x);
        using var dr = Filled(x.Length, 0f);
        Launch(MathKernels.UnaryKernel, x.Length, dx.View, dr.View, op);
        float[] got = dr.ToArray();
        if (bound == 0)
        {
            // Bit-identical to C# (sign of zero included) for the exact functions.
            // (For Sqrt the float64 result rounded to float is the correctly rounded float result.)
            float[] expected = [.. x.Select(v => (float)reference(v))];
            AssertSameFloats(expected, got, i => $"{function}({F(x[i])})");
            Log($"{function}: bit-identical to C# over {x.Length} inputs");
            return;
        }
        AssertWithinUlps(function, x, got, reference, bound);
    }

    private void AssertWithinUlps(string function, float[] x, float[] got, Func<float, double> reference, double bound)
    {
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double e = Ulp.Error(got[i], reference(x[i]));
            if (e > worst || double.IsNaN(e))
            {
                worst = e;
                worstAt = i;
            }
        }
        Log(string.Create(CultureInfo.InvariantCulture, $"{function}: max {worst:F3} ulp (bound {bound}) over {x.Length} inputs, worst at x={F(x[worstAt])}"));
        Assert.True(worst <= bound,
            string.Create(CultureInfo.InvariantCulture, $"{function}({F(x[worstAt])}) = {F(got[worstAt])}, reference {reference(x[worstAt]):R}: {worst:F3} ulp > {bound}"));
    }

    [Fact]
    public void PowWithinSixteenUlps()
    {
        var rng = new Random(30);
        var x = new List<float> { 0f, -0f, 0f, -2f, -2f, 1f, float.NaN, 2f, -0f, float.PositiveInfinity, 2f, -1f, 0.5f, 10f, 4f, -8f };
        var y = new List<float> { 2f, -1f, -1f, 3f, 0.5f, float.NaN, 0f, 128f, -1f, -1f, -150f, float.PositiveInfinity, float.NegativeInfinity, -0.5f, 0.5f, 1f / 3f };
        for (int i = 0; i < 4000; i++)
        {
            x.Add(i % 5 == 0 ? Inputs.Uniform(rng, -10, 10) : Inputs.LogUniform(rng, -20, 20));
            y.Add(i % 5 == 0 ? rng.Next(-12, 12) : Inputs.Uniform(rng, -6, 6));
        }
        float[] got = RunBinary(MathKernels.Pow, [.. x], [.. y], [.. x]);
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double e = Ulp.Error(got[i], Math.Pow(x[i], y[i]));
            if (e > worst)
            {
                worst = e;
                worstAt = i;
            }
        }
        Log(string.Create(CultureInfo.InvariantCulture, $"Pow: max {worst:F3} ulp (bound 16) over {x.Count} inputs, worst at ({F(x[worstAt])}, {F(y[worstAt])})"));
        Assert.True(worst <= 16, $"Pow({F(x[worstAt])}, {F(y[worstAt])}) = {F(got[worstAt])}: {worst} ulp > 16");
    }

    [Fact]
    public void MinMaxAndFmaAreExact()
    {
        var rng = new Random(31);
        var x = new List<float>();
        var y = new List<float>();
        var z = new List<float>();
        foreach (float a in Inputs.EdgeFloats)
        {
            foreach (float b in Inputs.EdgeFloats)
            {
                x.Add(a);
                y.Add(b);
                z.Add(Inputs.EdgeFloats[(x.Count * 7) % Inputs.EdgeFloats.Length]);
            }
        }
        for (int i = 0; i < 2000; i++)
        {
            x.Add(Inputs.Uniform(rng, -100, 100));
            y.Add(Inputs.Uniform(rng, -100, 100));
            z.Add(Inputs.Uniform(rng, -1000, 1000));
        }
        float[] xs = [.. x], ys = [.. y], zs = [.. z];
        AssertSameFloats([.. xs.Select((v, i) => MathF.Min(v, ys[i]))], RunBinary(MathKernels.Min, xs, ys, zs), i => $"Min({F(xs[i])}, {F(ys[i])})");
        AssertSameFloats([.. xs.Select((v, i) => MathF.Max(v, ys[i]))], RunBinary(MathKernels.Max, xs, ys, zs), i => $"Max({F(xs[i])}, {F(ys[i])})");
        AssertSameFloats([.. xs.Select((v, i) => MathF.FusedMultiplyAdd(v, ys[i], zs[i]))], RunBinary(MathKernels.Fma, xs, ys, zs),
            i => $"Fma({F(xs[i])}, {F(ys[i])}, {F(zs[i])})");
    }

    private float[] RunBinary(int op, float[] x, float[] y, float[] z)
    {
        using var dx = Upload(x);
        using var dy = Upload(y);
        using var dz = Upload(z);
        using var dr = Filled(x.Length, 0f);
        Launch(MathKernels.BinaryKernel, x.Length, dx.View, dy.View, dz.View, dr.View, op);
        return dr.ToArray();
    }
}
