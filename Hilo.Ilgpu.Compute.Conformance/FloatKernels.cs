using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Compute.Conformance;

/// <summary>C# float semantics: saturating conversions, NaN-propagating Max/Min, fmod, no FMA contraction, literals.</summary>
public static partial class FloatKernels
{
    public const int FloatOpCount = 14;
    public const int LiteralCount = 24;
    public const int DoubleOpCount = 8;

    /// <summary>float to int/uint/long/ulong: NaN gives 0, out-of-range values saturate (.NET 9+).</summary>
    [Kernel]
    public static void FloatToInt(ArrayView<float> a, ArrayView<int> ri, ArrayView<uint> ru, ArrayView<long> rl, ArrayView<ulong> rul)
    {
        int i = Grid.GlobalIndex.X;
        float x = a[i];
        ri[i] = (int)x;
        ru[i] = (uint)x;
        rl[i] = (long)x;
        rul[i] = (ulong)x;
    }

    [Kernel]
    public static void FloatOps(ArrayView<float> a, ArrayView<float> b, ArrayView<float> r)
    {
        int i = Grid.GlobalIndex.X;
        float x = a[i];
        float y = b[i];
        for (int op = 0; op < FloatOpCount; op++)
        {
            r[i * FloatOpCount + op] = FloatOp(op, x, y);
        }
    }

    public static float FloatOp(int op, float x, float y)
    {
        switch (op)
        {
            case 0: return x + y;
            case 1: return x - y;
            case 2: return x * y;
            case 3: return x / y;
            case 4: return x % y;
            case 5: return MathF.Max(x, y);
            case 6: return MathF.Min(x, y);
            case 7: return MathF.Max(y, x);
            case 8: return MathF.Min(y, x);
            case 9:
                return (x < y ? 1 : 0) | (x <= y ? 2 : 0) | (x > y ? 4 : 0) | (x >= y ? 8 : 0) |
                       (x == y ? 16 : 0) | (x != y ? 32 : 0);
            // Exactly 0 for finite products unless the compiler contracted it to fma(x, y, -(x*y)).
            case 10: return x * y - x * y;
            case 11: return x * y + y;
            case 12: return -x;
            default: return x * 0.1f + 1e-3f;
        }
    }

    /// <summary>Literals must survive translation bit-exactly (round-trip printing, f suffix, denormals).</summary>
    [Kernel]
    public static void Literals(ArrayView<float> r, ArrayView<long> l)
    {
        const float Half = 0.5f;
        r[0] = 0.1f;
        r[1] = 1e-45f;
        r[2] = float.MaxValue;
        r[3] = float.Epsilon;
        r[4] = -0.0f;
        r[5] = 1.17549435e-38f;
        r[6] = 3.14159274f;
        r[7] = 1f / 3f;
        r[8] = float.PositiveInfinity;
        r[9] = float.NegativeInfinity;
        r[10] = float.NaN;
        r[11] = 16777217f;
        r[12] = (float)0.1;
        r[13] = 1.0e-40f;
        r[14] = 123456789f;
        r[15] = Half * 3;
        r[16] = 1e10f;
        r[17] = -2.5e-7f;
        r[18] = 7;
        r[19] = float.MinValue;
        r[20] = 0.3f + r[0];
        r[21] = MathF.PI;
        r[22] = MathF.E;
        r[23] = 100000000000000000000f;
        l[0] = 0x7FFFFFFF;
        l[1] = -2147483648;
        l[2] = 0xFFFFFFFFu;
        l[3] = 1L << 40;
        l[4] = long.MinValue;
        l[5] = long.MaxValue;
        l[6] = -1L / 3 + long.MaxValue / 7;
        l[7] = 0x123456789ABCDEFL;
        l[8] = int.MinValue;
        l[9] = uint.MaxValue;
    }

    /// <summary>Doubles: arithmetic, sqrt, conversions (needs fp64 on OpenCL).</summary>
    [Kernel]
    public static void DoubleOps(ArrayView<double> a, ArrayView<double> r, double scale)
    {
        int i = Grid.GlobalIndex.X;
        double x = a[i];
        int o = i * DoubleOpCount;
        r[o] = x * scale + 1.0;
        r[o + 1] = Math.Sqrt(Math.Abs(x));
        r[o + 2] = (float)x;
        r[o + 3] = x / 3.0;
        r[o + 4] = (long)x;
        r[o + 5] = Math.Floor(x);
        r[o + 6] = Math.Max(x, scale);
        r[o + 7] = x % 7.5;
    }
}
