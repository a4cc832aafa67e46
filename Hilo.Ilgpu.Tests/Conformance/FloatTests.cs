using Hilo.Ilgpu.Compute.Conformance;
using static Hilo.Ilgpu.Compute.Conformance.FloatKernels;

namespace Hilo.Ilgpu.Tests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public void FloatToIntegerConversionsSaturate()
    {
        var rng = new Random(10);
        float[] a = [.. Inputs.EdgeFloats, .. Enumerable.Range(0, 1500).Select(_ => Inputs.RandomBits(rng)),
            .. Enumerable.Range(0, 500).Select(_ => Inputs.Uniform(rng, -5e9, 5e9))];
        using var da = Upload(a);
        using var ri = Filled(a.Length, 0);
        using var ru = Filled(a.Length, 0u);
        using var rl = Filled(a.Length, 0L);
        using var rul = Filled(a.Length, 0UL);
        Launch(FloatToIntKernel, a.Length, da.View, ri.View, ru.View, rl.View, rul.View);
        // .NET 9+ conversions saturate and map NaN to 0 on every platform; C leaves these undefined.
        float infinity = float.PositiveInfinity;
        Assert.Equal(int.MaxValue, (int)infinity);
        AssertElements([.. a.Select(x => (int)x)], ri.ToArray(), i => $"(int){F(a[i])}");
        AssertElements([.. a.Select(x => (uint)x)], ru.ToArray(), i => $"(uint){F(a[i])}");
        AssertElements([.. a.Select(x => (long)x)], rl.ToArray(), i => $"(long){F(a[i])}");
        AssertElements([.. a.Select(x => (ulong)x)], rul.ToArray(), i => $"(ulong){F(a[i])}");
    }

    [Fact]
    public void FloatOperatorsMatchCSharpBitForBit()
    {
        var a = new List<float>();
        var b = new List<float>();
        foreach (float x in Inputs.EdgeFloats)
        {
            foreach (float y in Inputs.EdgeFloats)
            {
                a.Add(x);
                b.Add(y);
            }
        }
        var rng = new Random(11);
        for (int i = 0; i < 1500; i++)
        {
            bool bits = i % 3 == 0;
            a.Add(bits ? Inputs.RandomBits(rng) : Inputs.Uniform(rng, -1000, 1000));
            b.Add(bits ? Inputs.RandomBits(rng) : Inputs.Uniform(rng, -50, 50));
        }
        using var da = Upload(a.ToArray());
        using var db = Upload(b.ToArray());
        using var dr = Filled(a.Count * FloatOpCount, 0f);
        Launch(FloatOpsKernel, a.Count, da.View, db.View, dr.View);
        var expected = new float[a.Count * FloatOpCount];
        for (int i = 0; i < a.Count; i++)
        {
            for (int op = 0; op < FloatOpCount; op++)
            {
                expected[i * FloatOpCount + op] = FloatOp(op, a[i], b[i]);
            }
        }
        // NaN propagates through Max/Min, and +0 > -0 (IEEE 754-2019 maximum/minimum), unlike C's fmax/fmin.
        Assert.True(float.IsNaN(MathF.Max(float.NaN, 1f)));
        Assert.True(float.IsPositive(MathF.Max(-0f, 0f)));
        AssertSameFloats(expected, dr.ToArray(), k => $"op {k % FloatOpCount} ({F(a[k / FloatOpCount])}, {F(b[k / FloatOpCount])})");
    }

    [Fact]
    public void LiteralsRoundTripExactly()
    {
        using var r = Filled(LiteralCount, 0f);
        using var l = Filled(10, 0L);
        Launch(LiteralsKernel, 1, r.View, l.View);
        const float Half = 0.5f;
        float[] expected =
        [
            0.1f, 1e-45f, float.MaxValue, float.Epsilon, -0.0f, 1.17549435e-38f, 3.14159274f, 1f / 3f,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, 16777217f, (float)0.1, 1.0e-40f, 123456789f,
            Half * 3, 1e10f, -2.5e-7f, 7, float.MinValue, 0.3f + 0.1f, MathF.PI, MathF.E, 100000000000000000000f,
        ];
        AssertSameFloats(expected, r.ToArray(), i => $"literal #{i}");
        long[] expectedLongs =
        [
            0x7FFFFFFF, -2147483648, 0xFFFFFFFFu, 1L << 40, long.MinValue, long.MaxValue, -1L / 3 + long.MaxValue / 7,
            0x123456789ABCDEFL, int.MinValue, uint.MaxValue,
        ];
        AssertElements(expectedLongs, l.ToArray(), i => $"long literal #{i}");
    }

    [Fact]
    public void DoubleArithmeticMatchesCSharp()
    {
        var rng = new Random(12);
        double[] a = [0, -0.0, 1, -1, 0.1, 1e300, -1e-300, 4.9e-324, double.NaN, double.PositiveInfinity, 9.3e18, -9.3e18,
            3.4028235677973366e38, 1.5, -2.5, .. Enumerable.Range(0, 500).Select(_ => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-20, 20)))];
        const double Scale = 1.000000001;
        using var da = Upload(a);
        using var dr = Filled(a.Length * DoubleOpCount, 0.0);
        Launch(DoubleOpsKernel, a.Length, da.View, dr.View, Scale);
        var expected = new double[a.Length * DoubleOpCount];
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i];
            int o = i * DoubleOpCount;
            expected[o] = x * Scale + 1.0;
            expected[o + 1] = Math.Sqrt(Math.Abs(x));
            expected[o + 2] = (float)x;
            expected[o + 3] = x / 3.0;
            expected[o + 4] = (long)x;
            expected[o + 5] = Math.Floor(x);
            expected[o + 6] = Math.Max(x, Scale);
            expected[o + 7] = x % 7.5;
        }
        long[] bits = [.. expected.Select(d => double.IsNaN(d) ? -1 : BitConverter.DoubleToInt64Bits(d))];
        long[] got = [.. dr.ToArray().Select(d => double.IsNaN(d) ? -1 : BitConverter.DoubleToInt64Bits(d))];
        AssertElements(bits, got, k => $"double op {k % DoubleOpCount} of {a[k / DoubleOpCount]:R} (bits)");
    }
}
