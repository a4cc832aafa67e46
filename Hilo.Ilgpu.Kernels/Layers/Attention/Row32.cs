using System.Runtime.CompilerServices;
using Hilo.Ilgpu.Kernels.Gemm;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>
/// Eight floats as named fields, the building block of <see cref="Row32"/>. ILGPU 1.5.3 does not unroll loops, so a
/// private array indexed by a loop variable lands in local memory (a stack frame); fields named in straight-line code
/// stay in registers. Every member is inlined into the kernel (a call taking the struct by reference would need its
/// address, which only memory has).
/// </summary>
internal struct Row8
{
    public float A0, A1, A2, A3, A4, A5, A6, A7;

    /// <summary>The eight values at <c>view[at .. at + 8)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Row8 Load(ArrayView<float> view, int at) => new()
    {
        A0 = view[at], A1 = view[at + 1], A2 = view[at + 2], A3 = view[at + 3],
        A4 = view[at + 4], A5 = view[at + 5], A6 = view[at + 6], A7 = view[at + 7],
    };

    /// <summary>The dot product with <c>view[at .. at + 8)</c>, summed left to right.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly float Dot(ArrayView<float> view, int at, float sum)
    {
        sum += A0 * view[at];
        sum += A1 * view[at + 1];
        sum += A2 * view[at + 2];
        sum += A3 * view[at + 3];
        sum += A4 * view[at + 4];
        sum += A5 * view[at + 5];
        sum += A6 * view[at + 6];
        sum += A7 * view[at + 7];
        return sum;
    }

    /// <summary>The dot product with the 8 floats of words <c>q</c> and <c>q + 1</c> of a 16-byte-word view (two <c>ld.shared.v4</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly float Dot(ArrayView<BlockGemmKernels.Quad> view, int q, float sum)
    {
        var a = view[q];
        var b = view[q + 1];
        sum += A0 * a.X;
        sum += A1 * a.Y;
        sum += A2 * a.Z;
        sum += A3 * a.W;
        sum += A4 * b.X;
        sum += A5 * b.Y;
        sum += A6 * b.Z;
        sum += A7 * b.W;
        return sum;
    }

    /// <summary>Adds <paramref name="p"/> times the 8 floats of words <c>q</c> and <c>q + 1</c> of a 16-byte-word view.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddScaled(float p, ArrayView<BlockGemmKernels.Quad> view, int q)
    {
        var a = view[q];
        var b = view[q + 1];
        A0 += p * a.X; A1 += p * a.Y; A2 += p * a.Z; A3 += p * a.W;
        A4 += p * b.X; A5 += p * b.Y; A6 += p * b.Z; A7 += p * b.W;
    }

    /// <summary>Every value times <paramref name="factor"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Scale(float factor)
    {
        A0 *= factor; A1 *= factor; A2 *= factor; A3 *= factor;
        A4 *= factor; A5 *= factor; A6 *= factor; A7 *= factor;
    }

    /// <summary>Adds <paramref name="p"/> times <c>view[at .. at + 8)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddScaled(float p, ArrayView<float> view, int at)
    {
        A0 += p * view[at]; A1 += p * view[at + 1]; A2 += p * view[at + 2]; A3 += p * view[at + 3];
        A4 += p * view[at + 4]; A5 += p * view[at + 5]; A6 += p * view[at + 6]; A7 += p * view[at + 7];
    }

    /// <summary>Writes every value times <paramref name="factor"/> to <c>view[at .. at + 8)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void StoreScaled(ArrayView<float> view, int at, float factor)
    {
        view[at] = A0 * factor; view[at + 1] = A1 * factor; view[at + 2] = A2 * factor; view[at + 3] = A3 * factor;
        view[at + 4] = A4 * factor; view[at + 5] = A5 * factor; view[at + 6] = A6 * factor; view[at + 7] = A7 * factor;
    }
}

/// <summary>
/// A head-dim-32 row (a query, an output accumulator) in 32 registers: four <see cref="Row8"/>, every loop over the
/// head dim written out. The kernels that hold q and the output row of one query per thread use it.
/// </summary>
internal struct Row32
{
    /// <summary>The head dim this row holds.</summary>
    public const int Length = 32;

    public Row8 R0, R1, R2, R3;

    /// <summary>The 32 values at <c>view[at .. at + 32)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Row32 Load(ArrayView<float> view, int at) => new()
    {
        R0 = Row8.Load(view, at), R1 = Row8.Load(view, at + 8), R2 = Row8.Load(view, at + 16), R3 = Row8.Load(view, at + 24),
    };

    /// <summary>The dot product with <c>view[at .. at + 32)</c>, summed left to right (the reference's order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly float Dot(ArrayView<float> view, int at) =>
        R3.Dot(view, at + 24, R2.Dot(view, at + 16, R1.Dot(view, at + 8, R0.Dot(view, at, 0f))));

    /// <summary>
    /// The dot product with the row of 8 16-byte words starting at word <paramref name="q"/> (shared K tiles: 8
    /// <c>ld.shared.v4</c> instead of 32 scalar loads), summed left to right.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly float Dot(ArrayView<BlockGemmKernels.Quad> view, int q) =>
        R3.Dot(view, q + 6, R2.Dot(view, q + 4, R1.Dot(view, q + 2, R0.Dot(view, q, 0f))));

    /// <summary>Adds <paramref name="p"/> times the row of 8 16-byte words starting at word <paramref name="q"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddScaled(float p, ArrayView<BlockGemmKernels.Quad> view, int q)
    {
        R0.AddScaled(p, view, q); R1.AddScaled(p, view, q + 2); R2.AddScaled(p, view, q + 4); R3.AddScaled(p, view, q + 6);
    }

    /// <summary>Every value times <paramref name="factor"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Scale(float factor)
    {
        R0.Scale(factor); R1.Scale(factor); R2.Scale(factor); R3.Scale(factor);
    }

    /// <summary>Adds <paramref name="p"/> times <c>view[at .. at + 32)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddScaled(float p, ArrayView<float> view, int at)
    {
        R0.AddScaled(p, view, at); R1.AddScaled(p, view, at + 8); R2.AddScaled(p, view, at + 16); R3.AddScaled(p, view, at + 24);
    }

    /// <summary>Writes every value times <paramref name="factor"/> to <c>view[at .. at + 32)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void StoreScaled(ArrayView<float> view, int at, float factor)
    {
        R0.StoreScaled(view, at, factor); R1.StoreScaled(view, at + 8, factor); R2.StoreScaled(view, at + 16, factor); R3.StoreScaled(view, at + 24, factor);
    }
}
