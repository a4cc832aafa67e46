using Hilo.Ilgpu.Compute.Conformance;
using static Hilo.Ilgpu.Compute.Conformance.LanguageKernels;

namespace Hilo.Ilgpu.Tests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public void StructParametersAndLocals()
    {
        var p = new Affine { Scale = 1.5f, Count = 7, Big = (1L << 40) + 3, Shift = -0.25f };
        var rng = new Random(70);
        float[] input = [.. Enumerable.Range(0, 300).Select(_ => Inputs.Uniform(rng, -10, 10))];
        using var din = Upload(input);
        using var dr = Filled(input.Length * StructResults, 0f);
        using var big = Filled(input.Length, 0L);
        Launch(StructParameterKernel, input.Length, din.View, dr.View, big.View, p);
        var expected = new float[input.Length * StructResults];
        for (int i = 0; i < input.Length; i++)
        {
            Affine q = p;
            q.Scale *= 2f;
            q.Count += i;
            Affine doubled = Doubled(p);
            int o = i * StructResults;
            expected[o] = Apply(p, input[i]);
            expected[o + 1] = Apply(q, input[i]);
            expected[o + 2] = Apply(doubled, input[i]);
            expected[o + 3] = q.Count;
            expected[o + 4] = p.Count;
            expected[o + 5] = doubled.Shift;
        }
        AssertSameFloats(expected, dr.ToArray(), k => $"result {k % StructResults} of item {k / StructResults}");
        AssertElements([.. Enumerable.Range(0, input.Length).Select(i => p.Big + p.Count + i)], big.ToArray(), i => $"big[{i}]");
    }

    [Fact]
    public void StructElementsInBuffers()
    {
        var rng = new Random(71);
        Particle[] particles = [.. Enumerable.Range(0, 500).Select(i => new Particle
        {
            X = (float)rng.NextDouble(), Y = (float)rng.NextDouble(),
            Vx = Inputs.Uniform(rng, -3, 3), Vy = Inputs.Uniform(rng, -3, 3), Bounces = i,
        })];
        const float Dt = 0.125f;
        using var dp = Upload(particles);
        Launch(MoveParticlesKernel, particles.Length, dp.View, Dt);
        Particle[] got = dp.ToArray();
        for (int i = 0; i < particles.Length; i++)
        {
            Particle e = particles[i];
            e.X += e.Vx * Dt;
            e.Y += e.Vy * Dt;
            if (e.X < 0f || e.X > 1f)
            {
                e.Vx = -e.Vx;
                e.Bounces++;
            }
            if (e.Y < 0f || e.Y > 1f)
            {
                e.Vy = -e.Vy;
                e.Bounces++;
            }
            Assert.Equal(e, got[i]);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ScalarParametersOfEveryKind(bool flag)
    {
        using var r = Filled(8, 0L);
        using var f = Filled(2, 0f);
        Launch(ScalarsKernel, 1, r.View, f.View, -123456789, uint.MaxValue, long.MinValue + 5, ulong.MaxValue - 1, 1.25e-3f, flag, (short)-32768, (byte)255);
        Assert.Equal(new long[] { -123456789, uint.MaxValue, long.MinValue + 5, unchecked((long)(ulong.MaxValue - 1)), flag ? 1 : 0, flag ? 9 : 7, -32768, 255 }, r.ToArray());
        Assert.Equal(new[] { 1.25e-3f, flag ? 2.5e-3f : -1.25e-3f }, f.ToArray());
    }

    [Fact]
    public void HelperMethodsCallEachOther()
    {
        var rng = new Random(72);
        int[] a = [.. Enumerable.Range(0, 400).Select(i => i < 50 ? i : rng.Next(-2000, 2000))];
        int[] b = [.. Enumerable.Range(0, 400).Select(_ => rng.Next(-50, 50))];
        using var da = Upload(a);
        using var db = Upload(b);
        using var dr = Filled(a.Length * HelperResults, 0);
        Launch(HelpersKernel, a.Length, da.View, db.View, dr.View);
        var expected = new int[a.Length * HelperResults];
        for (int i = 0; i < a.Length; i++)
        {
            int o = i * HelperResults;
            expected[o] = Gcd(a[i], b[i]);
            expected[o + 1] = CollatzSteps(a[i]);
            expected[o + 2] = Clamp(a[i] - b[i], -50, 50);
            expected[o + 3] = IsPrime(a[i]) ? 1 : 0;
            expected[o + 4] = a[i] + a[(i + 1) % a.Length] + a[(i + 2) % a.Length];
            expected[o + 5] = Twice(Clamp(b[i], 0, 10)) + Twice(1);
        }
        AssertElements(expected, dr.ToArray(), k => $"helper {k % HelperResults} of ({a[k / HelperResults]}, {b[k / HelperResults]})");
    }

    [Fact]
    public void SwitchLoopsBreakContinueAndEarlyReturn()
    {
        var rng = new Random(73);
        int[] a = [.. Enumerable.Range(-20, 41), .. Enumerable.Range(0, 500).Select(_ => rng.Next(-3000, 3000)), int.MaxValue, int.MinValue];
        const int Untouched = 12345;
        using var da = Upload(a);
        using var dr = Filled(a.Length * FlowResults, Untouched);
        Launch(ControlFlowKernel, a.Length, da.View, dr.View);
        var expected = new int[a.Length * FlowResults];
        for (int i = 0; i < a.Length; i++)
        {
            int x = a[i];
            int o = i * FlowResults;
            expected[o] = SwitchCases(x);
            expected[o + 1] = BreakContinue(x);
            expected[o + 2] = NestedLoops(x);
            expected[o + 3] = Compound(x);
            expected[o + 4] = Logic(x);
            expected[o + 5] = DoWhile(x);
            expected[o + 6] = x % 5 == 0 ? -1 : 42;
            expected[o + 7] = x % 5 == 0 ? Untouched : x > 0 ? x < 100 ? 1 : 2 : 3;
        }
        AssertElements(expected, dr.ToArray(), k => $"result {k % FlowResults} of {a[k / FlowResults]}");
    }
}
