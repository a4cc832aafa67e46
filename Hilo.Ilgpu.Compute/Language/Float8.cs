using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hilo.Ilgpu.Compute;

/// <summary>
/// 8 packed floats: OpenCL <c>float8</c>, a small struct on CUDA, <see cref="Vector256{T}"/> on the managed CPU
/// backend. Use it to write CPU-style kernels (wide registers, group size 1) that the CPU backends run at
/// near peak; every operation is element-wise except <see cref="Sum"/>.
/// </summary>
public readonly struct Float8
{
    /// <summary>Number of lanes.</summary>
    public const int Count = 8;

    internal readonly Vector256<float> Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Float8(Vector256<float> value) => Value = value;

    /// <summary>All lanes set to <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Float8(float value) => Value = Vector256.Create(value);

    /// <summary>All lanes zero.</summary>
    public static Float8 Zero => default;

    /// <summary>Lane <paramref name="lane"/> (0 ≤ lane &lt; 8).</summary>
    public float this[int lane] => Value.GetElement(lane);

    /// <summary>Loads 8 consecutive elements starting at <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Float8 Load(ArrayView<float> view, int index)
    {
        CheckRange(view.Length, index, view.Pointer);
        return new Float8(Vector256.Load((float*)view.Pointer + index));
    }

    /// <summary>Loads 8 consecutive elements of group-shared memory starting at <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Float8 Load(SharedView<float> view, int index)
    {
        CheckRange(view.Length, index, view.Pointer);
        return new Float8(Vector256.Load((float*)view.Pointer + index));
    }

    /// <summary>Stores the lanes to 8 consecutive elements starting at <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Store(ArrayView<float> view, int index)
    {
        CheckRange(view.Length, index, view.Pointer);
        Value.Store((float*)view.Pointer + index);
    }

    /// <summary>Stores the lanes to group-shared memory starting at <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Store(SharedView<float> view, int index)
    {
        CheckRange(view.Length, index, view.Pointer);
        Value.Store((float*)view.Pointer + index);
    }

    /// <summary>Fused multiply-add per lane: <c>a * b + c</c> with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float8 Fma(Float8 a, Float8 b, Float8 c) => new(Vector256.FusedMultiplyAdd(a.Value, b.Value, c.Value));

    /// <summary>Lane-wise maximum (NaN propagates, as <see cref="MathF.Max(float, float)"/>).</summary>
    public static Float8 Max(Float8 a, Float8 b) => new(Vector256.Max(a.Value, b.Value));

    /// <summary>Lane-wise minimum (NaN propagates, as <see cref="MathF.Min(float, float)"/>).</summary>
    public static Float8 Min(Float8 a, Float8 b) => new(Vector256.Min(a.Value, b.Value));

    /// <summary>Sum of all lanes.</summary>
    public float Sum() => Vector256.Sum(Value);

    /// <summary>Lane-wise sum.</summary>
    public static Float8 operator +(Float8 a, Float8 b) => new(a.Value + b.Value);

    /// <summary>Lane-wise difference.</summary>
    public static Float8 operator -(Float8 a, Float8 b) => new(a.Value - b.Value);

    /// <summary>Lane-wise product.</summary>
    public static Float8 operator *(Float8 a, Float8 b) => new(a.Value * b.Value);

    /// <summary>Lane-wise quotient.</summary>
    public static Float8 operator /(Float8 a, Float8 b) => new(a.Value / b.Value);

    /// <summary>Adds a scalar to every lane.</summary>
    public static Float8 operator +(Float8 a, float b) => new(a.Value + Vector256.Create(b));

    /// <summary>Subtracts a scalar from every lane.</summary>
    public static Float8 operator -(Float8 a, float b) => new(a.Value - Vector256.Create(b));

    /// <summary>Multiplies every lane by a scalar.</summary>
    public static Float8 operator *(Float8 a, float b) => new(a.Value * b);

    /// <summary>Divides every lane by a scalar.</summary>
    public static Float8 operator /(Float8 a, float b) => new(a.Value / b);

    /// <summary>Multiplies a scalar by every lane.</summary>
    public static Float8 operator *(float a, Float8 b) => new(a * b.Value);

    /// <summary>Adds a scalar to every lane.</summary>
    public static Float8 operator +(float a, Float8 b) => new(Vector256.Create(a) + b.Value);

    /// <summary>Lane-wise negation.</summary>
    public static Float8 operator -(Float8 a) => new(-a.Value);

    /// <summary>Lane-wise sum (named alternative to <c>+</c>).</summary>
    public static Float8 Add(Float8 a, Float8 b) => a + b;

    /// <summary>Lane-wise difference (named alternative to <c>-</c>).</summary>
    public static Float8 Subtract(Float8 a, Float8 b) => a - b;

    /// <summary>Lane-wise product (named alternative to <c>*</c>).</summary>
    public static Float8 Multiply(Float8 a, Float8 b) => a * b;

    /// <summary>Lane-wise quotient (named alternative to <c>/</c>).</summary>
    public static Float8 Divide(Float8 a, Float8 b) => a / b;

    /// <summary>Lane-wise negation (named alternative to unary <c>-</c>).</summary>
    public static Float8 Negate(Float8 a) => -a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckRange(int length, int index, nint pointer)
    {
        if (index < 0 || index > length - 8 || pointer == 0)
        {
            Throw(length, index, pointer);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Throw(int length, int index, nint pointer) =>
        throw (pointer == 0 && length > 0
            ? new InvalidOperationException("This view's memory is not addressable from the host.")
            : new IndexOutOfRangeException($"Float8 at index {index} reaches outside a view of length {length}."));
}
