using static Hilo.Ilgpu.Tests.Generator.ValidatorDriver;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>
/// Kernels that use every allowed construct must produce no diagnostic at all: a false positive would stop a
/// correct kernel from building.
/// </summary>
public class ValidKernelDiagnosticTests
{
    private const string Header = """
        using System;
        using Hilo.Ilgpu.Compute;

        namespace Valid;

        public struct Pair { public int Key; public float Value; }
        public struct Wide { public long A; public ulong B; public double C; public sbyte D; public byte E; public short F; public ushort G; public uint H; }

        public static class Tuning
        {
            public const int Tile = 16;
            public const float Scale = 0.5f;
        }

        """;

    [Fact]
    public void ScalarsControlFlowAndOperators() => ExpectNone(Header + """
        public static partial class Kernels
        {
            private const int Block = 4;

            [Kernel]
            public static void Everything(ArrayView<float> x, ArrayView<int> y, ArrayView<double> d, int n, float s, bool flag, Pair p, Wide w)
            {
                int i = Grid.GlobalIndex.X;
                const int local = 3;
                var j = i + local * Block;
                uint u = (uint)j;
                long l = (long)u << 3;
                ulong ul = unchecked((ulong)-1);
                const int minInt = unchecked((int)0x80000000);
                float f = x[i];
                double g = d[i] * 2.0;
                bool ok = flag && i < n || !flag;
                int k = ok ? 1 : 0;
                k += 2; k -= 1; k *= 3; k /= 2; k %= 5; k <<= 1; k >>= 1; k &= 7; k |= 8; k ^= 3;
                k++; k--; ++k; --k;
                int neg = -k, not = ~k;
                f = f * s + Tuning.Scale - f / 2f;
                f %= 3f;
                if (i >= n) { return; }
                if (f > 0f) { f = 1f; } else if (f < 0f) { f = -1f; } else { f = 0f; }
                for (int a = 0, b = 10; a < b; a++, b--) { if (a == 3) continue; if (a == 7) break; k += a; }
                while (k > 100) { k /= 2; }
                do { k++; } while (k < 10);
                switch (k)
                {
                    case 0:
                    case Block:
                        k = 1;
                        break;
                    case 2 + 3:
                        {
                            k = 2;
                            break;
                        }
                    default:
                        k = 3;
                        break;
                }
                switch (ul) { case 0UL: k = 0; break; }
                Pair q = new Pair();
                q.Key = p.Key + k;
                q.Value = p.Value;
                Pair r = default;
                Pair t = default(Pair);
                Pair v2 = new();
                r = q;
                t.Key = r.Key + v2.Key;
                w.A += l;
                w.C = g;
                x[i] = f + (float)g + t.Key + neg + not + minInt + (int)w.A;
                y[i] = int.MaxValue - i + (int)(uint.MaxValue >> 1) + (int)(long.MinValue >> 60) + sizeof(int) + sizeof(double);
                d[i] = double.Epsilon + (ok ? 1.0 : 0.0);
                x[0] = float.PositiveInfinity + float.NegativeInfinity + float.NaN + float.MaxValue + float.MinValue + float.Epsilon;
                if (float.IsNaN(f) || float.IsInfinity(f) || !float.IsFinite(f)) { y[0] = 1; }
                ;
            }
        }
        """);

    [Fact]
    public void MathFunctions() => ExpectNone(Header + """
        public static partial class Kernels
        {
            [Kernel]
            public static void Math1(ArrayView<float> x, ArrayView<double> d, ArrayView<int> y, ArrayView<long> z, ArrayView<uint> w)
            {
                int i = Grid.GlobalIndex.X;
                float v = x[i];
                v = MathF.Exp(v) + MathF.Log(v) + MathF.Log2(v) + MathF.Sqrt(v) + MathF.Tanh(v) + MathF.Pow(v, 2f) + MathF.Abs(v);
                v = MathF.Min(v, 1f) + MathF.Max(v, 0f) + MathF.Floor(v) + MathF.Ceiling(v) + MathF.Round(v) + MathF.Truncate(v);
                v = MathF.FusedMultiplyAdd(v, v, 1f) + MathF.Sin(v) + MathF.Cos(v) + KernelMath.Rsqrt(v) + KernelMath.Erf(v);
                double e = d[i];
                e = Math.Exp(e) + Math.Log(e) + Math.Log2(e) + Math.Sqrt(e) + Math.Tanh(e) + Math.Pow(e, 2.0) + Math.Abs(e);
                e = Math.Min(e, 1.0) + Math.Max(e, 0.0) + Math.Floor(e) + Math.Ceiling(e) + Math.Round(e) + Math.Truncate(e);
                e = Math.FusedMultiplyAdd(e, e, 1.0) + Math.Sin(e) + Math.Cos(e) + MathF.PI + Math.E;
                y[i] = Math.Min(y[i], 3) + Math.Max(y[i], -3) + Math.Abs(y[i]);
                z[i] = Math.Min(z[i], 3L) + Math.Max(z[i], 4L) + Math.Abs(z[i]);
                w[i] = Math.Min(w[i], 3u) + Math.Max(w[i], 4u);
                x[i] = v;
                d[i] = e;
            }
        }
        """);

    [Fact]
    public void ViewsIndicesAndHelpers() => ExpectNone(Header + """
        public static partial class Kernels
        {
            [Kernel]
            public static void Views(ArrayView<float> a, ArrayView2D<float> m, ArrayView3D<int> c, ArrayView<Pair> pairs, int width)
            {
                int x = Grid.GlobalIndex.X, y = Grid.GlobalIndex.Y, z = Grid.GlobalIndex.Z;
                int sx = Grid.GlobalSize.X + Grid.GlobalSize.Y + Grid.GlobalSize.Z;
                int gx = Grid.GroupIndex.X + Grid.GroupIndex.Y + Grid.GroupIndex.Z + Grid.GroupCount.X + Grid.GroupCount.Y + Grid.GroupCount.Z;
                int lx = Group.Index.X + Group.Index.Y + Group.Index.Z + Group.Size.X + Group.Size.Y + Group.Size.Z + Group.LinearIndex;
                var sub = a.SubView(1, a.Length - 1);
                var grid = a.As2D(width, 2);
                var strided = a.As2D(width, 2, width);
                var cube = a.As3D(2, 2, 2);
                ArrayView<float> row = m.Row(y);
                float v = m[y, x] + row[0] + grid[0, 1] + strided[1, 0] + cube[1, 1, 1] + m.Width + m.Height + m.Stride + m.Data.Length;
                c[z, y, x] = c.Width + c.Height + c.Depth + c.RowStride + c.SliceStride + c.Data.Length + sx + gx + lx;
                sub[0] = Helpers.Square(v) + Twice(v);
                pairs[x].Key = Bump(pairs[x]).Key;
                pairs[x].Value += 1f;
                Helpers.Fill(a, 0, 1f);
            }

            private static float Twice(float v) => Helpers.Square(v) > 0f ? v * 2f : 0f;

            internal static Pair Bump(Pair p)
            {
                p.Key++;
                return p;
            }
        }

        public static class Helpers
        {
            public static float Square(float v) => v * v;

            public static void Fill(ArrayView<float> view, int at, float value)
            {
                if (at < view.Length)
                {
                    view[at] = value;
                }
            }
        }
        """);

    [Fact]
    public void SharedMemoryBarriersAndAtomics() => ExpectNone(Header + """
        public static partial class Kernels
        {
            private const int TileSize = 16;

            /// <summary>Tiled matrix multiply with barriers inside a loop.</summary>
            [Kernel]
            public static void Gemm(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int n)
            {
                var tileA = SharedMemory.Allocate<float>(TileSize * TileSize);
                var tileB = SharedMemory.Allocate<float>(Tuning.Tile * Tuning.Tile);
                int tx = Group.Index.X, ty = Group.Index.Y;
                int row = Grid.GlobalIndex.Y, col = Grid.GlobalIndex.X;
                float sum = 0f;
                for (int t = 0; t < (n + TileSize - 1) / TileSize; t++)
                {
                    int ac = t * TileSize + tx, br = t * TileSize + ty;
                    tileA[ty * TileSize + tx] = row < n && ac < n ? a[row * n + ac] : 0f;
                    tileB[ty * TileSize + tx] = br < n && col < n ? b[br * n + col] : 0f;
                    Group.Barrier();
                    for (int k = 0; k < TileSize; k++)
                    {
                        sum += tileA[ty * TileSize + k] * tileB[k * TileSize + tx];
                    }
                    Group.Barrier();
                }
                if (row < n && col < n)
                {
                    c[row * n + col] = sum;
                }
            }

            /// <summary>Tree reduction in shared memory, then atomics.</summary>
            [Kernel]
            public static void Reduce(ArrayView<float> input, ArrayView<float> total, ArrayView<int> counts, int n)
            {
                var partial = SharedMemory.Allocate<float>(256);
                var keys = SharedMemory.Allocate<Pair>(8);
                int lid = Group.Index.X;
                int gid = Grid.GlobalIndex.X;
                partial[lid] = gid < n ? input[gid] : 0f;
                keys[lid % 8].Key = lid;
                Group.Barrier();
                for (int stride = Group.Size.X / 2; stride > 0; stride >>= 1)
                {
                    if (lid < stride)
                    {
                        partial[lid] += partial[lid + stride];
                    }
                    Group.Barrier();
                }
                if (lid == 0)
                {
                    Atomic.Add(ref total[0], partial[0]);
                    int old = Atomic.Add(ref counts[0], 1);
                    Atomic.Min(ref counts[1], old);
                    Atomic.Max(ref counts[2], old);
                    Atomic.Exchange(ref counts[3], keys[0].Key);
                    Atomic.CompareExchange(ref counts[4], 0, partial.Length);
                }
                if (gid >= n)
                {
                    return;
                }
                var shared = SharedMemory.Allocate<int>(4);
                Atomic.Add(ref shared[0], 1);
            }
        }
        """);

    [Fact]
    public void VectorTypes() => ExpectNone(Header + """
        public static partial class Kernels
        {
            [Kernel]
            public static void Vectors(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int n)
            {
                int i = Grid.GlobalIndex.X * Float16.Count;
                var tile = SharedMemory.Allocate<float>(64);
                Float4 x = Float4.Load(a, i);
                Float4 y = new Float4(2f);
                Float4 z = Float4.Zero;
                z = Float4.Fma(x, y, z) + x - y * x / y;
                z = -z + 1f - 2f;
                z = z * 3f / 4f;
                z = 2f * z + (1f + z);
                z = Float4.Add(z, Float4.Subtract(x, Float4.Multiply(x, Float4.Divide(x, Float4.Negate(y)))));
                z = Float4.Max(Float4.Min(z, x), y);
                z += x;
                z *= 2f;
                z.Store(c, i);
                z.Store(tile, 0);
                var s4 = Float4.Load(tile, 0);
                Float8 e = Float8.Load(b, i) * new Float8(0.5f);
                e = Float8.Fma(e, e, Float8.Zero);
                e.Store(c, i);
                Float16 h = Float16.Load(a, i);
                h = Float16.Max(h, new Float16(0f));
                h.Store(c, i);
                c[i] = x[0] + z.Sum() + e.Sum() + h[15] + s4[1] + Float8.Count + Float4.Count + Dot(x, y);
            }

            private static float Dot(Float4 p, Float4 q) => (p * q).Sum();

            private static Float8 Widen(float v) => new Float8(v);
        }
        """);

    [Fact]
    public void KernelWithoutParametersAndExpressionBody() => ExpectNone(Header + """
        public static partial class Kernels
        {
            [Kernel]
            internal static void Nothing() { }

            [Kernel]
            public static void Store(ArrayView<int> b) => b[Grid.GlobalIndex.X] = Grid.GlobalIndex.X;

            [Kernel]
            public static void Loop(ArrayView<int> b, int n)
            {
                for (;;)
                {
                    if (n-- <= 0) break;
                }
                for (int k = 0; k < b.Length; k += 1) b[k] = k;
            }
        }
        """);

    [Fact]
    public void HelpersInAnotherFileAreFine() => ExpectNone(Header + """
        public static partial class Kernels
        {
            [Kernel]
            public static void UsesOther(ArrayView<int> b) => b[0] = Other.Value(3);
        }
        """, "namespace Valid; public static class Other { public static int Value(int x) => x * Tuning.Tile + Deeper.One(); }",
        "namespace Valid; public static class Deeper { public static int One() => 1; }");
}
