using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hilo.Ilgpu.Compute;

/// <summary>
/// 4 packed floats: OpenCL <c>float4</c>, a small struct on CUDA, <see cref="Vector128{T}"/> on the managed CPU
/// backend. Use it to write CPU-style kernels (wide registers, group size 1) that the CPU backends run at
/// near peak; every operation is element-wise except <see cref="Sum"/>.
/// </summary>
public readonly struct Float4
{
    /// <summary>Number of lanes.</summary>
    public const int Count = 4;

    internal readonly Vector128<float> Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Float4(Vector128<float> value) => Value = value;

    /// <summary>All lanes set to <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Float4(float value) => Value = Vector128.Create(value);

    /// <summary>All lanes zero.</summary>
    public static Float4 Zero => default;

    /// <summary>Lane <paramref name="lane"/> (0 ≤ lane &lt; 4).</summary>
    public float this[int lane] => Value.GetElement(lane);

    /// <summary>Loads 4 consecutive elements starting at <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Float4 Load(ArrayView<float> view, int index)
    {
        CheckRange(view.Length, index, view.Pointer);
        return new Float4(Vector128.Load((float*)view.Pointer + index));
    }

    /// <summary>Loads 4 consecutive elements of group-shared memory starting at <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Float4 Load(SharedView<float> view, int index)
    {
        CheckRange(view.Length, index, view.Pointer);
        return new Float4(Vector128.Load((float*)view.Pointer + index));
    }

    /// <summary>Stores the lanes to 4 consecutive elements starting at <paramref name="index"/>.</summary>
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
    public static Float4 Fma(Float4 a, Float4 b, Float4 c) => new(Vector128.FusedMultiplyAdd(a.Value, b.Value, c.Value));

    /// <summary>Lane-wise maximum (NaN propagates, as <see cref="MathF.Max(float, float)"/>).</summary>
    public static Float4 Max(Float4 a, Float4 b) => new(Vector128.Max(a.Value, b.Value));

    /// <summary>Lane-wise minimum (NaN propagates, as <see cref="MathF.Min(float, float)"/>).</summary>
    public static Float4 Min(Float4 a, Float4 b) => new(Vector128.Min(a.Value, b.Value));

    /// <summary>Sum of all lanes.</summary>
    public float Sum() => Vector128.Sum(Value);

    /// <summary>Lane-wise sum.</summary>
    public static Float4 operator +(Float4 a, Float4 b) => new(a.Value + b.Value);

    /// <summary>Lane-wise difference.</summary>
    public static Float4 operator -(Float4 a, Float4 b) => new(a.Value - b.Value);

    /// <summary>Lane-wise product.</summary>
    public static Float4 operator *(Float4 a, Float4 b) => new(a.Value * b.Value);

    /// <summary>Lane-wise quotient.</summary>
    public static Float4 operator /(Float4 a, Float4 b) => new(a.Value / b.Value);

    /// <summary>Adds a scalar to every lane.</summary>
    public static Float4 operator +(Float4 a, float b) => new(a.Value + Vector128.Create(b));

    /// <summary>Subtracts a scalar from every lane.</summary>
    public static Float4 operator -(Float4 a, float b) => new(a.Value - Vector128.Create(b));

    /// <summary>Multiplies every lane by a scalar.</summary>
    public static Float4 operator *(Float4 a, float b) => new(a.Value * b);

    /// <summary>Divides every lane by a scalar.</summary>
    public static Float4 operator /(Float4 a, float b) => new(a.Value / b);

    /// <summary>Multiplies a scalar by every lane.</summary>
    public static Float4 operator *(float a, Float4 b) => new(a * b.Value);

    /// <summary>Adds a scalar to every lane.</summary>
    public static Float4 operator +(float a, Float4 b) => new(Vector128.Create(a) + b.Value);

    /// <summary>Lane-wise negation.</summary>
    public static Float4 operator -(Float4 a) => new(-a.Value);

    /// <summary>Lane-wise sum (named alternative to <c>+</c>).</summary>
    public static Float4 Add(Float4 a, Float4 b) => a + b;

    /// <summary>Lane-wise difference (named alternative to <c>-</c>).</summary>
    public static Float4 Subtract(Float4 a, Float4 b) => a - b;

    /// <summary>Lane-wise product (named alternative to <c>*</c>).</summary>
    public static Float4 Multiply(Float4 a, Float4 b) => a * b;

    /// <summary>Lane-wise quotient (named alternative to <c>/</c>).</summary>
    public static Float4 Divide(Float4 a, Float4 b) => a / b;

    /// <summary>Lane-wise negation (named alternative to unary <c>-</c>).</summary>
    public static Float4 Negate(Float4 a) => -a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckRange(int length, int index, nint pointer)
    {
        if (index < 0 || index > length - 4 || pointer == 0)
        {
            Throw(length, index, pointer);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Throw(int length, int index, nint pointer) =>
        throw (pointer == 0 && length > 0
            ? new InvalidOperationException("This view's memory is not addressable from the host.")
            : new IndexOutOfRangeException($"Float4 at index {index} reaches outside a view of length {length}."));
}
