using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace Hilo.Ilgpu.Kernels.Cpu;

/// <summary>
/// The CPU family's view of a CPU-accelerator buffer: its host address and length. Indexing is a plain pointer
/// access; with <c>HILO_CPU_CHECKS=1</c> in the environment (the tests set it) every access is bounds-checked and an
/// out-of-range index throws <see cref="IndexOutOfRangeException"/>. Launchers check every geometry against the views
/// before they run, so release runs pay nothing per access.
/// </summary>
public readonly unsafe struct HostView
{
    /// <summary>Whether accesses are checked (<c>HILO_CPU_CHECKS=1</c>), read once per process.</summary>
    public static readonly bool BoundsChecks = Environment.GetEnvironmentVariable("HILO_CPU_CHECKS") is "1" or "true";

    /// <summary>Address of element 0.</summary>
    public readonly float* Pointer;

    /// <summary>Number of elements.</summary>
    public readonly int Length;

    /// <summary>A view of <paramref name="length"/> floats at <paramref name="pointer"/>.</summary>
    public HostView(float* pointer, int length)
    {
        Pointer = pointer;
        Length = length;
    }

    /// <summary>The host view of an ILGPU view on the CPU accelerator (its memory is host memory).</summary>
    /// <exception cref="InvalidOperationException">The view belongs to another accelerator (its memory is not host memory).</exception>
    public static HostView Of(ArrayView<float> view)
    {
        if (view.Length == 0)
        {
            return default;
        }
        if (view.GetAcceleratorType() != AcceleratorType.CPU)
        {
            throw new InvalidOperationException($"The CPU kernel family needs a view of the CPU accelerator's memory; this one is on a {view.GetAcceleratorType()} accelerator.");
        }
        if (view.Length > int.MaxValue)
        {
            throw new ArgumentException($"The CPU kernel family handles views of at most 2^31 - 1 elements; this one has {view.Length}.", nameof(view));
        }
        return new HostView((float*)view.LoadEffectiveAddressAsPtr(), (int)view.Length);
    }

    /// <summary>Element <paramref name="index"/>.</summary>
    public ref float this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (BoundsChecks && (uint)index >= (uint)Length)
            {
                ThrowOutside(index, 1);
            }
            return ref Pointer[index];
        }
    }

    /// <summary>The address of element <paramref name="index"/>, with <paramref name="count"/> elements from there inside the view (checked like the indexer).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* At(int index, int count = 1)
    {
        if (BoundsChecks && (index < 0 || count < 0 || index > Length - count))
        {
            ThrowOutside(index, count);
        }
        return Pointer + index;
    }

    /// <summary>The view of <paramref name="length"/> elements from <paramref name="offset"/> (always checked).</summary>
    public HostView Slice(int offset, int length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Slice({offset}, {length}) is outside a view of length {Length}.");
        }
        return new HostView(Pointer + offset, length);
    }

    [DoesNotReturn]
    private void ThrowOutside(int index, int count) =>
        throw new IndexOutOfRangeException($"Elements {index}..{(long)index + count - 1} reach outside a view of length {Length}.");
}
