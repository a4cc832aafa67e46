using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Compute.Conformance;

/// <summary>A struct of mixed primitives; its C layout (with padding before <see cref="Big"/>) must match C#'s.</summary>
public struct Affine
{
    public float Scale;
    public int Count;
    public long Big;
    public float Shift;
}

/// <summary>A struct stored in a buffer.</summary>
public struct Particle
{
    public float X;
    public float Y;
    public float Vx;
    public float Vy;
    public int Bounces;
}

/// <summary>Structs, scalar parameters of every primitive kind, helper methods and control flow.</summary>
public static partial class LanguageKernels
{
    public const int StructResults = 6;
    public const int HelperResults = 6;
    public const int FlowResults = 8;

    [Kernel]
    public static void StructParameter(ArrayView<float> input, ArrayView<float> r, ArrayView<long> big, Affine p)
    {
        int i = Grid.GlobalIndex.X;
        float x = input[i];
        Affine q = p;
        q.Scale *= 2f;
        q.Count += i;
        Affine doubled = Doubled(p);
        int o = i * StructResults;
        r[o] = Apply(p, x);
        r[o + 1] = Apply(q, x);
        r[o + 2] = Apply(doubled, x);
        r[o + 3] = q.Count;
        r[o + 4] = p.Count;
        r[o + 5] = doubled.Shift;
        big[i] = p.Big + q.Count;
    }

    public static float Apply(Affine a, float x) => a.Scale * x + a.Shift;

    public static Affine Doubled(Affine a)
    {
        Affine result = a;
        result.Scale = a.Scale * 2f;
        result.Shift = a.Shift * 2f;
        result.Big = a.Big * 2;
        return result;
    }

    /// <summary>Particles updated in place through a struct local, bouncing off walls at 0 and 1.</summary>
    [Kernel]
    public static void MoveParticles(ArrayView<Particle> particles, float dt)
    {
        int i = Grid.GlobalIndex.X;
        Particle p = particles[i];
        p.X += p.Vx * dt;
        p.Y += p.Vy * dt;
        if (p.X < 0f || p.X > 1f)
        {
            p.Vx = -p.Vx;
            p.Bounces++;
        }
        if (p.Y < 0f || p.Y > 1f)
        {
            p.Vy = -p.Vy;
            p.Bounces++;
        }
        particles[i] = p;
    }

    /// <summary>Every primitive parameter kind (bool travels as int).</summary>
    [Kernel]
    public static void Scalars(ArrayView<long> r, ArrayView<float> f, int i32, uint u32, long i64, ulong u64, float f32, bool flag, short i16, byte u8)
    {
        r[0] = i32;
        r[1] = u32;
        r[2] = i64;
        r[3] = (long)u64;
        r[4] = flag ? 1 : 0;
        r[5] = !flag ? 7 : 9;
        r[6] = i16;
        r[7] = u8;
        f[0] = f32;
        f[1] = flag ? f32 * 2f : -f32;
    }

    [Kernel]
    public static void Helpers(ArrayView<int> a, ArrayView<int> b, ArrayView<int> r)
    {
        int i = Grid.GlobalIndex.X;
        int x = a[i];
        int y = b[i];
        int o = i * HelperResults;
        r[o] = Gcd(x, y);
        r[o + 1] = CollatzSteps(x);
        r[o + 2] = Clamp(x - y, -50, 50);
        r[o + 3] = IsPrime(x) ? 1 : 0;
        r[o + 4] = SumOfRange(a, i, 3);
        r[o + 5] = Twice(Clamp(y, 0, 10)) + Twice(1);
    }

    public static int Gcd(int x, int y)
    {
        x = Math.Abs(x);
        y = Math.Abs(y);
        while (y != 0)
        {
            int t = x % y;
            x = y;
            y = t;
        }
        return x;
    }

    public static int CollatzSteps(int x)
    {
        int n = (x & 1023) + 1;
        int steps = 0;
        while (n != 1)
        {
            n = (n & 1) == 0 ? n / 2 : 3 * n + 1;
            steps++;
        }
        return steps;
    }

    public static int Clamp(int v, int lo, int hi) => v < lo ? lo : v > hi ? hi : v;

    public static int Twice(int v) => v * 2;

    public static bool IsPrime(int x)
    {
        if (x < 2)
        {
            return false;
        }
        for (int d = 2; d * d <= x; d++)
        {
            if (x % d == 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A helper that reads a view, wrapping around its end.</summary>
    public static int SumOfRange(ArrayView<int> v, int start, int count)
    {
        int sum = 0;
        for (int k = 0; k < count; k++)
        {
            sum += v[(start + k) % v.Length];
        }
        return sum;
    }

    [Kernel]
    public static void ControlFlow(ArrayView<int> a, ArrayView<int> r)
    {
        int i = Grid.GlobalIndex.X;
        int x = a[i];
        int o = i * FlowResults;
        r[o] = SwitchCases(x);
        r[o + 1] = BreakContinue(x);
        r[o + 2] = NestedLoops(x);
        r[o + 3] = Compound(x);
        r[o + 4] = Logic(x);
        r[o + 5] = DoWhile(x);
        if (x % 5 == 0)
        {
            r[o + 6] = -1;
            return;
        }
        const int K = 21;
        r[o + 6] = K * 2;
        r[o + 7] = x > 0 ? x < 100 ? 1 : 2 : 3;
    }

    public static int SwitchCases(int x)
    {
        int s;
        switch (x & 7)
        {
            case 0:
                s = 10;
                break;
            case 1:
            case 2:
                s = 20;
                break;
            case 3:
                s = -x;
                break;
            case 4:
                {
                    int t = x * 3;
                    s = t - 1;
                    break;
                }
            default:
                s = x * 2;
                break;
        }
        return s;
    }

    public static int BreakContinue(int x)
    {
        int acc = 0;
        int limit = x & 511;
        for (int k = 0; k < 100; k++)
        {
            if (k % 3 == 0)
            {
                continue;
            }
            if (acc > limit)
            {
                break;
            }
            acc += k;
        }
        return acc;
    }

    public static int NestedLoops(int x)
    {
        int pairs = 0;
        int n = (x & 7) + 2;
        for (int p = 0; p < n; p++)
        {
            for (int q = 0; q < n; q++)
            {
                if (q > p)
                {
                    break;
                }
                if (((p ^ q) & 1) == 1)
                {
                    continue;
                }
                pairs += p * q + 1;
            }
        }
        return pairs;
    }

    public static int Compound(int x)
    {
        int c = x;
        c += 3;
        c -= 1;
        c *= 7;
        c /= 3;
        c %= 1000;
        c <<= 2;
        c >>= 1;
        c &= 0xFFFF;
        c |= 1;
        c ^= 0x55;
        return c;
    }

    public static int Logic(int x)
    {
        bool negative = x < 0;
        bool big = x > 1000 || x < -1000;
        bool even = (x & 1) == 0;
        int flags = 0;
        if (negative && !big)
        {
            flags |= 1;
        }
        if (negative || big)
        {
            flags |= 2;
        }
        if (negative ^ even)
        {
            flags |= 4;
        }
        if (!(big && even))
        {
            flags |= 8;
        }
        return flags;
    }

    public static int DoWhile(int x)
    {
        int d = 0;
        int n = x & 3;
        do
        {
            d += 2;
            n--;
        }
        while (n > 0);
        return d;
    }
}
