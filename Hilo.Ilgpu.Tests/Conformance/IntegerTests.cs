using Hilo.Ilgpu.Compute.Conformance;
using static Hilo.Ilgpu.Compute.Conformance.IntegerKernels;

namespace Hilo.Ilgpu.Tests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public void IntOperatorsMatchCSharp()
    {
        var (a, b) = Inputs.IntPairs(600, 1);
        using var da = Upload(a);
        using var db = Upload(b);
        using var dr = Filled(a.Length * IntOpCount, 0);
        Launch(IntOpsKernel, a.Length, da.View, db.View, dr.View);
        var expected = new int[a.Length * IntOpCount];
        for (int i = 0; i < a.Length; i++)
        {
            for (int op = 0; op < IntOpCount; op++)
            {
                expected[i * IntOpCount + op] = IntOp(op, a[i], b[i]);
            }
        }
        AssertElements(expected, dr.ToArray(), k => $"op {k % IntOpCount} ({a[k / IntOpCount]}, {b[k / IntOpCount]})");
    }

    [Fact]
    public void UIntOperatorsMatchCSharp()
    {
        var (ia, ib) = Inputs.IntPairs(600, 2);
        uint[] a = [.. ia.Select(x => (uint)x)];
        uint[] b = [.. ib.Select(x => (uint)x)];
        using var da = Upload(a);
        using var db = Upload(b);
        using var dr = Filled(a.Length * UIntOpCount, 0u);
        Launch(UIntOpsKernel, a.Length, da.View, db.View, dr.View);
        var expected = new uint[a.Length * UIntOpCount];
        for (int i = 0; i < a.Length; i++)
        {
            for (int op = 0; op < UIntOpCount; op++)
            {
                expected[i * UIntOpCount + op] = UIntOp(op, a[i], b[i]);
            }
        }
        AssertElements(expected, dr.ToArray(), k => $"op {k % UIntOpCount} ({a[k / UIntOpCount]}, {b[k / UIntOpCount]})");
    }

    [Fact]
    public void MixedIntUIntPromotesToLong()
    {
        var (a, ib) = Inputs.IntPairs(400, 3);
        uint[] b = [.. ib.Select(x => (uint)x)];
        using var da = Upload(a);
        using var db = Upload(b);
        using var dr = Filled(a.Length * MixedOpCount, 0L);
        Launch(MixedOpsKernel, a.Length, da.View, db.View, dr.View);
        var expected = new long[a.Length * MixedOpCount];
        for (int i = 0; i < a.Length; i++)
        {
            for (int op = 0; op < MixedOpCount; op++)
            {
                expected[i * MixedOpCount + op] = MixedOp(op, a[i], b[i]);
            }
        }
        // The classic C trap: -1 < 1u is true in C# (long compare), false in C (unsigned compare).
        Assert.Equal(1, MixedOp(0, -1, 1u));
        AssertElements(expected, dr.ToArray(), k => $"op {k % MixedOpCount} ({a[k / MixedOpCount]}, {b[k / MixedOpCount]}u)");
    }

    [Fact]
    public void LongArithmeticIs64Bit()
    {
        long[] edges = [0, 1, -1, 2, -2, 31, 32, 33, 63, 64, 65, -63, -64, int.MaxValue, int.MinValue, uint.MaxValue,
            long.MaxValue, long.MinValue, long.MaxValue - 1, long.MinValue + 1, 1L << 40, -(1L << 40), 3037000500, 0x5555555555555555];
        var a = new List<long>();
        var b = new List<long>();
        foreach (long x in edges)
        {
            foreach (long y in edges)
            {
                a.Add(x);
                b.Add(y);
            }
        }
        var rng = new Random(4);
        for (int i = 0; i < 600; i++)
        {
            a.Add(rng.NextInt64(long.MinValue, long.MaxValue));
            b.Add(i % 2 == 0 ? rng.NextInt64(-130, 130) : rng.NextInt64(long.MinValue, long.MaxValue));
        }
        using var da = Upload(a.ToArray());
        using var db = Upload(b.ToArray());
        using var dr = Filled(a.Count * LongOpCount, 0L);
        Launch(LongOpsKernel, a.Count, da.View, db.View, dr.View);
        var expected = new long[a.Count * LongOpCount];
        for (int i = 0; i < a.Count; i++)
        {
            for (int op = 0; op < LongOpCount; op++)
            {
                expected[i * LongOpCount + op] = LongOp(op, a[i], b[i]);
            }
        }
        AssertElements(expected, dr.ToArray(), k => $"op {k % LongOpCount} ({a[k / LongOpCount]}, {b[k / LongOpCount]})");
    }

    [Fact]
    public void IncrementDecrementAndCompoundAssignmentWrap()
    {
        int[] a = [.. Inputs.EdgeInts, .. Enumerable.Range(0, 300).Select(i => new Random(5 + i).Next(int.MinValue, int.MaxValue))];
        using var da = Upload(a);
        using var dr = Filled(a.Length * IncDecCount, 0);
        Launch(IncDecKernel, a.Length, da.View, dr.View);
        var expected = new int[a.Length * IncDecCount];
        for (int i = 0; i < a.Length; i++)
        {
            int o = i * IncDecCount;
            int x = a[i];
            int post = x++;
            int pre = ++x;
            expected[o] = post;
            expected[o + 1] = pre;
            expected[o + 2] = x;
            x = a[i];
            int postDec = x--;
            int preDec = --x;
            expected[o + 3] = postDec;
            expected[o + 4] = preDec;
            x = a[i];
            x += int.MaxValue;
            expected[o + 5] = x;
            x *= 65537;
            expected[o + 6] = x;
            x -= int.MinValue;
            expected[o + 7] = x;
            x <<= 33;
            expected[o + 8] = x;
            byte narrow = (byte)a[i];
            narrow += 200;
            expected[o + 9] = narrow;
            short s = (short)a[i];
            s *= 3;
            expected[o + 10] = s;
            uint u = (uint)a[i];
            u -= 5u;
            expected[o + 11] = (int)u;
        }
        AssertElements(expected, dr.ToArray(), k => $"result {k % IncDecCount} of {a[k / IncDecCount]}");
    }

    [Fact]
    public void IntegerConversionsMatchCSharp()
    {
        var rng = new Random(6);
        long[] a = [0, 1, -1, 127, 128, 255, 256, -128, -129, 32767, 32768, 65535, 65536, int.MaxValue, int.MinValue,
            uint.MaxValue, 1L << 32, long.MaxValue, long.MinValue, 16777217, 9007199254740993, -9007199254740993,
            .. Enumerable.Range(0, 300).Select(_ => rng.NextInt64(long.MinValue, long.MaxValue))];
        using var da = Upload(a);
        using var dr = Filled(a.Length * ConvertCount, 0L);
        using var df = Filled(a.Length * 4, 0f);
        Launch(ConversionsKernel, a.Length, da.View, dr.View, df.View);
        var expected = new long[a.Length * ConvertCount];
        var expectedF = new float[a.Length * 4];
        for (int i = 0; i < a.Length; i++)
        {
            long x = a[i];
            int o = i * ConvertCount;
            expected[o] = (int)x;
            expected[o + 1] = (uint)x;
            expected[o + 2] = (short)x;
            expected[o + 3] = (ushort)x;
            expected[o + 4] = (sbyte)x;
            expected[o + 5] = (byte)x;
            expected[o + 6] = (long)(ulong)(uint)x;
            expected[o + 7] = (sbyte)(short)x;
            expected[o + 8] = (long)(int)x << 8;
            expected[o + 9] = (int)x >> 4;
            expected[o + 10] = (uint)x >> 4;
            expectedF[i * 4] = x;
            expectedF[i * 4 + 1] = (int)x;
            expectedF[i * 4 + 2] = (uint)x;
            expectedF[i * 4 + 3] = (ulong)x;
        }
        AssertElements(expected, dr.ToArray(), k => $"conversion {k % ConvertCount} of {a[k / ConvertCount]}");
        AssertSameFloats(expectedF, df.ToArray(), k => $"to-float {k % 4} of {a[k / 4]}");
    }
}
