using System.Runtime.CompilerServices;
using Hilo.Ilgpu.Compute.Cpu;

namespace Hilo.Ilgpu.Compute;

/// <summary>
/// Group-shared (OpenCL <c>__local</c>, CUDA <c>__shared__</c>) memory. Each allocation is one array per
/// work-group, shared by its work-items, uninitialised at kernel start.
/// </summary>
public static class SharedMemory
{
    /// <summary>Alignment, in bytes, of every shared allocation (the CPU backend's arena layout and the generator agree on it).</summary>
    public const int Alignment = 64;

    /// <summary>
    /// Allocates <paramref name="length"/> elements of group-shared memory. Must appear as the initializer
    /// of a local declaration at the top level of a kernel body, with a compile-time constant length.
    /// </summary>
    public static SharedView<T> Allocate<T>(int length) where T : unmanaged =>
        CpuWorkItem.Current.AllocateShared<T>(length);
}

/// <summary>A view of group-shared memory, obtained from <see cref="SharedMemory.Allocate{T}(int)"/>.</summary>
/// <typeparam name="T">Element type.</typeparam>
public readonly unsafe struct SharedView<T> where T : unmanaged
{
    internal readonly nint Pointer;

    internal SharedView(nint pointer, int length)
    {
        Pointer = pointer;
        Length = length;
    }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>Element <paramref name="index"/>.</summary>
    public ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index >= (uint)Length)
            {
                ThrowIndex(index, Length);
            }
            return ref ((T*)Pointer)[index];
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowIndex(int index, int length) =>
        throw new IndexOutOfRangeException($"Index {index} is outside a shared view of length {length}.");
}
