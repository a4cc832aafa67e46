using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Compute.Conformance;

/// <summary>
/// C# integer semantics: wrap-around, division of negatives, masked shift counts, int/uint promotion to long.
/// The per-element work lives in helpers the host also calls, so the expected values are what C# computes.
/// </summary>
public static partial class IntegerKernels
{
    public const int IntOpCount = 16;
    public const int UIntOpCount = 14;
    public const int MixedOpCount = 10;
    public const int LongOpCount = 14;
    public const int IncDecCount = 12;
    public const int ConvertCount = 11;

    [Kernel]
    public static void IntOps(ArrayView<int> a, ArrayView<int> b, ArrayView<int> r)
    {
        int i = Grid.GlobalIndex.X;
        int x = a[i];
        int y = b[i];
        for (int op = 0; op < IntOpCount; op++)
        {
            r[i * IntOpCount + op] = IntOp(op, x, y);
        }
    }

    public static int IntOp(int op, int x, int y)
    {
        bool badDivide = y == 0 || (x == int.MinValue && y == -1);
        switch (op)
        {
            case 0: return x + y;
            case 1: return x - y;
            case 2: return x * y;
            case 3: return badDivide ? 0 : x / y;
            case 4: return badDivide ? 0 : x % y;
            case 5: return x << y;
            case 6: return x >> y;
            case 7: return (int)((uint)x >> y);
            case 8: return x & y;
            case 9: return x | y;
            case 10: return x ^ y;
            case 11: return ~x;
            case 12: return -x;
            case 13:
                return (x < y ? 1 : 0) | (x <= y ? 2 : 0) | (x > y ? 4 : 0) | (x >= y ? 8 : 0) |
                       (x == y ? 16 : 0) | (x != y ? 32 : 0);
            case 14: return x * 3 + y * -7 + Math.Max(x, y) - Math.Min(x, y);
            default: return (x << 1) >> 1;
        }
    }

    [Kernel]
    public static void UIntOps(ArrayView<uint> a, ArrayView<uint> b, ArrayView<uint> r)
    {
        int i = Grid.GlobalIndex.X;
        uint x = a[i];
        uint y = b[i];
        for (int op = 0; op < UIntOpCount; op++)
        {
            r[i * UIntOpCount + op] = UIntOp(op, x, y);
        }
    }

    public static uint UIntOp(int op, uint x, uint y)
    {
        switch (op)
        {
            case 0: return x + y;
            case 1: return x - y;
            case 2: return x * y;
            case 3: return y == 0 ? 0u : x / y;
            case 4: return y == 0 ? 0u : x % y;
            case 5: return x << (int)y;
            case 6: return x >> (int)y;
            case 7: return x & y;
            case 8: return x | y;
            case 9: return x ^ y;
            case 10: return ~x;
            case 11:
                return (x < y ? 1u : 0u) | (x <= y ? 2u : 0u) | (x > y ? 4u : 0u) | (x >= y ? 8u : 0u) |
                       (x == y ? 16u : 0u) | (x != y ? 32u : 0u);
            case 12: return x * 0x9E3779B9u + 0xFFFFFFFFu;
            default: return (uint)(int)x >> 3;
        }
    }

    /// <summary>int op uint promotes both to long in C# (C would convert the int to unsigned).</summary>
    [Kernel]
    public static void MixedOps(ArrayView<int> a, ArrayView<uint> b, ArrayView<long> r)
    {
        int i = Grid.GlobalIndex.X;
        int x = a[i];
        uint y = b[i];
        for (int op = 0; op < MixedOpCount; op++)
        {
            r[i * MixedOpCount + op] = MixedOp(op, x, y);
        }
    }

    public static long MixedOp(int op, int x, uint y)
    {
        switch (op)
        {
            case 0: return x < y ? 1 : 0;
            case 1: return x == y ? 1 : 0;
            case 2: return x + y;
            case 3: return x - y;
            case 4: return x * y;
            case 5: return (uint)x < y ? 1 : 0;
            case 6: return x > (int)y ? 1 : 0;
            case 7: return y / (x == 0 ? 1 : x);
            case 8: return y % (x == 0 ? 1 : x);
            default: return x >= y ? 1 : 0;
        }
    }

    [Kernel]
    public static void LongOps(ArrayView<long> a, ArrayView<long> b, ArrayView<long> r)
    {
        int i = Grid.GlobalIndex.X;
        long x = a[i];
        long y = b[i];
        for (int op = 0; op < LongOpCount; op++)
        {
            r[i * LongOpCount + op] = LongOp(op, x, y);
        }
    }

    public static long LongOp(int op, long x, long y)
    {
        bool badDivide = y == 0 || (x == long.MinValue && y == -1);
        switch (op)
        {
            case 0: return x + y;
            case 1: return x - y;
            case 2: return x * y;
            case 3: return badDivide ? 0 : x / y;
            case 4: return badDivide ? 0 : x % y;
            case 5: return x << (int)y;
            case 6: return x >> (int)y;
            case 7: return (long)((ulong)x >> (int)y);
            case 8: return (x < y ? 1 : 0) | (x == y ? 2 : 0) | (x >= y ? 4 : 0);
            case 9: return (long)(int)x * (int)y;
            case 10: return (int)x * (int)y;
            case 11: return (long)((ulong)x * (ulong)y + 0xFFFFFFFFFFFFFFFFUL);
            case 12: return (ulong)x < (ulong)y ? 1 : 0;
            default: return (long)((ulong)y == 0 ? 0UL : (ulong)x / (ulong)y);
        }
    }

    /// <summary>++/-- and compound assignment wrap, including on narrow types.</summary>
    [Kernel]
    public static void IncDec(ArrayView<int> a, ArrayView<int> r)
    {
        int i = Grid.GlobalIndex.X;
        int o = i * IncDecCount;
        int x = a[i];
        int post = x++;
        int pre = ++x;
        r[o] = post;
        r[o + 1] = pre;
        r[o + 2] = x;
        x = a[i];
        int postDec = x--;
        int preDec = --x;
        r[o + 3] = postDec;
        r[o + 4] = preDec;
        x = a[i];
        x += int.MaxValue;
        r[o + 5] = x;
        x *= 65537;
        r[o + 6] = x;
        x -= int.MinValue;
        r[o + 7] = x;
        x <<= 33;
        r[o + 8] = x;
        byte narrow = (byte)a[i];
        narrow += 200;
        r[o + 9] = narrow;
        short s = (short)a[i];
        s *= 3;
        r[o + 10] = s;
        uint u = (uint)a[i];
        u -= 5u;
        r[o + 11] = (int)u;
    }

    /// <summary>Integer narrowing/widening and int-to-float conversions.</summary>
    [Kernel]
    public static void Conversions(ArrayView<long> a, ArrayView<long> r, ArrayView<float> f)
    {
        int i = Grid.GlobalIndex.X;
        long x = a[i];
        int o = i * ConvertCount;
        r[o] = (int)x;
        r[o + 1] = (uint)x;
        r[o + 2] = (short)x;
        r[o + 3] = (ushort)x;
        r[o + 4] = (sbyte)x;
        r[o + 5] = (byte)x;
        r[o + 6] = (long)(ulong)(uint)x;
        r[o + 7] = (sbyte)(short)x;
        r[o + 8] = (long)(int)x << 8;
        r[o + 9] = (int)x >> 4;
        r[o + 10] = (uint)x >> 4;
        f[i * 4] = x;
        f[i * 4 + 1] = (int)x;
        f[i * 4 + 2] = (uint)x;
        f[i * 4 + 3] = (ulong)x;
    }
}
