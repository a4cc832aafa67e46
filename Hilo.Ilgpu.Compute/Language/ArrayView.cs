using System.Runtime.CompilerServices;

namespace Hilo.Ilgpu.Compute;

/// <summary>
/// A one-dimensional window (offset, length) onto a device buffer; the kernel-side view of global memory.
/// On the host it is a handle to pass to a launch; inside a kernel it is indexed like an array.
/// Element access from host code works only for buffers of the managed CPU backend.
/// </summary>
/// <typeparam name="T">An unmanaged element type (a primitive or a struct of primitives).</typeparam>
public readonly unsafe struct ArrayView<T> where T : unmanaged
{
    /// <summary>The allocation the view points into; null for the default (empty) view.</summary>
    internal readonly DeviceMemory? Memory;

    /// <summary>Host address of element 0 of the view on the managed CPU backend; 0 on other backends.</summary>
    internal readonly nint Pointer;

    /// <summary>
    /// <see cref="Length"/> when the view is addressable from the host (<see cref="Pointer"/> ≠ 0), else 0: the
    /// indexer then needs one unsigned comparison per access instead of two checks.
    /// </summary>
    private readonly int accessLength;

    internal ArrayView(DeviceMemory? memory, nint pointer, int offset, int length)
    {
        Memory = memory;
        Pointer = pointer;
        Offset = offset;
        Length = length;
        accessLength = pointer == 0 ? 0 : length;
    }

    /// <summary>Offset of element 0 of this view from the start of its buffer, in elements.</summary>
    public int Offset { get; }

    /// <summary>Number of elements in the view.</summary>
    public int Length { get; }

    /// <summary>True when the view has no elements.</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>Size of the view in bytes.</summary>
    public long LengthInBytes => (long)Length * sizeof(T);

    /// <summary>Element <paramref name="index"/> of the view (kernel code and CPU-backend host code).</summary>
    public ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index >= (uint)accessLength)
            {
                ThrowBadAccess(index);
            }
            return ref ((T*)Pointer)[index];
        }
    }

    /// <summary>A view of <paramref name="length"/> elements starting at <paramref name="offset"/> of this view.</summary>
    public ArrayView<T> SubView(int offset, int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"SubView({offset}, {length}) is outside a view of length {Length}.");
        }
        return new ArrayView<T>(Memory, Pointer == 0 ? 0 : Pointer + (nint)offset * sizeof(T), Offset + offset, length);
    }

    /// <summary>This view seen as a row-major 2D array of <paramref name="height"/> rows of <paramref name="width"/> elements, rows <paramref name="stride"/> elements apart.</summary>
    public ArrayView2D<T> As2D(int width, int height, int stride) => new(this, width, height, stride);

    /// <summary>This view seen as a dense row-major 2D array (stride = width).</summary>
    public ArrayView2D<T> As2D(int width, int height) => new(this, width, height, width);

    /// <summary>This view seen as a dense row-major 3D array (x fastest).</summary>
    public ArrayView3D<T> As3D(int width, int height, int depth) => new(this, width, height, depth, width, width * height);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private readonly void ThrowBadAccess(int index)
    {
        if (Pointer == 0 && Length > 0)
        {
            throw new InvalidOperationException(
                "This view belongs to a device buffer that is not addressable from the host; copy it to the host first.");
        }
        throw new IndexOutOfRangeException($"Index {index} is outside a view of length {Length}.");
    }

    /// <summary>Checks that the view still refers to live memory; used before a launch or copy.</summary>
    internal void EnsureAlive(string what)
    {
        if (Memory is { IsDisposed: true })
        {
            throw new ObjectDisposedException(what, $"{what} refers to a buffer that was disposed.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"ArrayView<{typeof(T).Name}>[offset {Offset}, length {Length}]";
}
