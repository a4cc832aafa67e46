namespace Hilo.Ilgpu.Tests.Conformance;

/// <summary>Deterministic test inputs: edge values plus seeded random values.</summary>
public static class Inputs
{
    public static readonly int[] EdgeInts =
    [
        0, 1, -1, 2, -2, 3, -3, 7, -7, 31, 32, 33, 63, 64, 65, 100, -31, -32, -33, 46341, -46341, 65536,
        1000000, -1000000, 0x55555555, int.MaxValue, int.MinValue, int.MaxValue - 1, int.MinValue + 1,
    ];

    public static readonly float[] EdgeFloats =
    [
        0f, -0f, 1f, -1f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 0.49999997f, -0.49999997f, 3f, 0.1f,
        float.Epsilon, -float.Epsilon, 1.17549435e-38f, 1e-40f, float.MaxValue, float.MinValue,
        float.PositiveInfinity, float.NegativeInfinity, float.NaN, 8388607.5f, 8388609f, 16777216f,
        2147483520f, 2147483648f, -2147483648f, -2147483904f, 4294967040f, 4294967296f,
        9.2233715e18f, 9.223372e18f, -9.223372e18f, -9.2233725e18f, 1.8446743e19f, 1.8446744e19f, 1e30f, -1e30f,
        -0.9f, 0.9999999f, 123456.789f, -65536.5f,
    ];

    /// <summary>Pairs of every edge value with every other, then <paramref name="randomCount"/> random pairs.</summary>
    public static (int[] A, int[] B) IntPairs(int randomCount, int seed)
    {
        var a = new List<int>();
        var b = new List<int>();
        foreach (int x in EdgeInts)
        {
            foreach (int y in EdgeInts)
            {
                a.Add(x);
                b.Add(y);
            }
        }
        var rng = new Random(seed);
        for (int i = 0; i < randomCount; i++)
        {
            a.Add(rng.Next(int.MinValue, int.MaxValue));
            b.Add(i % 2 == 0 ? rng.Next(-70, 70) : rng.Next(int.MinValue, int.MaxValue));
        }
        return ([.. a], [.. b]);
    }

    /// <summary>Random float bit patterns (every class: NaN, inf, subnormal, normal).</summary>
    public static float RandomBits(Random rng) => BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue));

    /// <summary>Uniform in [lo, hi).</summary>
    public static float Uniform(Random rng, double lo, double hi) => (float)(lo + (hi - lo) * rng.NextDouble());

    /// <summary>Positive, log-uniform between 2^<paramref name="minExp"/> and 2^<paramref name="maxExp"/>.</summary>
    public static float LogUniform(Random rng, double minExp, double maxExp) =>
        (float)Math.Pow(2, minExp + (maxExp - minExp) * rng.NextDouble());
}
