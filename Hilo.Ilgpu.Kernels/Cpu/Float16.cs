using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hilo.Ilgpu.Kernels.Cpu;

/// <summary>
/// 16 floats in one <see cref="Vector512{T}"/>: the register type of the CPU family's kernels. With AVX-512 it is one
/// zmm register; without, .NET runs each operation on two 256-bit halves or, without SIMD, lane by lane, so the same
/// kernels run everywhere. Every operation is element-wise except <see cref="Sum"/>.
/// </summary>
public readonly struct Float16
{
    /// <summary>Number of lanes.</summary>
    public const int Count = 16;

    /// <summary>The lanes.</summary>
    public readonly Vector512<float> Value;

    /// <summary>Wraps a vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Float16(Vector512<float> value) => Value = value;

    /// <summary>All lanes set to <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Float16(float value) => Value = Vector512.Create(value);

    /// <summary>All lanes zero.</summary>
    public static Float16 Zero => default;

    /// <summary>Lane <paramref name="lane"/> (0 ≤ lane &lt; 16).</summary>
    public float this[int lane] => Value.GetElement(lane);

    /// <summary>Loads 16 consecutive elements of <paramref name="view"/> from <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Float16 Load(HostView view, int index) => new(Vector512.Load(view.At(index, Count)));

    /// <summary>Loads 16 consecutive floats at <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Float16 Load(float* address) => new(Vector512.Load(address));

    /// <summary>Stores the lanes to 16 consecutive elements of <paramref name="view"/> from <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Store(HostView view, int index) => Value.Store(view.At(index, Count));

    /// <summary>Stores the lanes to 16 consecutive floats at <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Store(float* address) => Value.Store(address);

    /// <summary>Fused multiply-add per lane: <c>a * b + c</c> with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float16 Fma(Float16 a, Float16 b, Float16 c) => new(Vector512.FusedMultiplyAdd(a.Value, b.Value, c.Value));

    /// <summary>Lane-wise maximum (as <see cref="Vector512.Max{T}(Vector512{T}, Vector512{T})"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float16 Max(Float16 a, Float16 b) => new(Vector512.Max(a.Value, b.Value));

    /// <summary>Lane-wise minimum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float16 Min(Float16 a, Float16 b) => new(Vector512.Min(a.Value, b.Value));

    /// <summary>Sum of all lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Sum() => Vector512.Sum(Value);

    /// <summary>Largest lane.</summary>
    public float MaxLane()
    {
        var v = Vector256.Max(Value.GetLower(), Value.GetUpper());
        var w = Vector128.Max(v.GetLower(), v.GetUpper());
        float m = w.GetElement(0);
        for (int i = 1; i < 4; i++)
        {
            m = MathF.Max(m, w.GetElement(i));
        }
        return m;
    }

    /// <summary>Lane-wise sum.</summary>
    public static Float16 operator +(Float16 a, Float16 b) => new(a.Value + b.Value);

    /// <summary>Lane-wise difference.</summary>
    public static Float16 operator -(Float16 a, Float16 b) => new(a.Value - b.Value);

    /// <summary>Lane-wise product.</summary>
    public static Float16 operator *(Float16 a, Float16 b) => new(a.Value * b.Value);

    /// <summary>Lane-wise quotient.</summary>
    public static Float16 operator /(Float16 a, Float16 b) => new(a.Value / b.Value);

    /// <summary>Adds a scalar to every lane.</summary>
    public static Float16 operator +(Float16 a, float b) => new(a.Value + Vector512.Create(b));

    /// <summary>Subtracts a scalar from every lane.</summary>
    public static Float16 operator -(Float16 a, float b) => new(a.Value - Vector512.Create(b));

    /// <summary>Multiplies every lane by a scalar.</summary>
    public static Float16 operator *(Float16 a, float b) => new(a.Value * b);

    /// <summary>Divides every lane by a scalar.</summary>
    public static Float16 operator /(Float16 a, float b) => new(a.Value / b);

    /// <summary>Multiplies a scalar by every lane.</summary>
    public static Float16 operator *(float a, Float16 b) => new(a * b.Value);

    /// <summary>Adds a scalar to every lane.</summary>
    public static Float16 operator +(float a, Float16 b) => new(Vector512.Create(a) + b.Value);

    /// <summary>Lane-wise negation.</summary>
    public static Float16 operator -(Float16 a) => new(-a.Value);

    /// <summary>Lane-wise sum (named alternative to <c>+</c>).</summary>
    public static Float16 Add(Float16 a, Float16 b) => a + b;

    /// <summary>Lane-wise difference (named alternative to <c>-</c>).</summary>
    public static Float16 Subtract(Float16 a, Float16 b) => a - b;

    /// <summary>Lane-wise product (named alternative to <c>*</c>).</summary>
    public static Float16 Multiply(Float16 a, Float16 b) => a * b;

    /// <summary>Lane-wise quotient (named alternative to <c>/</c>).</summary>
    public static Float16 Divide(Float16 a, Float16 b) => a / b;

    /// <summary>Lane-wise negation (named alternative to unary <c>-</c>).</summary>
    public static Float16 Negate(Float16 a) => -a;
}
