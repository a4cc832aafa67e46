using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hilo.Ilgpu.Compute.Cuda;

/// <summary>
/// Lays a launch's arguments out for <c>cuLaunchKernel</c>'s <c>kernelParams</c>: one slot per native
/// parameter (kernel-abi.md §2), each 8-byte aligned in one buffer; <see cref="Offsets"/> says where.
/// A view becomes its allocation's <c>CUdeviceptr</c> (8 bytes), then its int offset and length (and the 2D/3D
/// extents); a scalar or struct is copied by value with its C# size (structs of primitives have the C layout).
/// </summary>
internal sealed class CudaArgumentPacker(Func<DeviceMemory?, ulong> pointerOf) : IKernelArgumentWriter
{
    private byte[] buffer = new byte[128];
    private readonly List<int> offsets = [];
    private int used;

    /// <summary>The device pointer of a CUDA allocation (0 for the empty default view).</summary>
    public static ulong PointerOf(DeviceMemory? memory) => memory switch
    {
        null => 0,
        CudaMemory m => m.Pointer,
        _ => throw new KernelArgumentException($"A view of a buffer on {memory.Accelerator.Device.Id} was passed to a CUDA launch."),
    };

    /// <summary>The argument bytes (longer than used).</summary>
    public byte[] Buffer => buffer;

    /// <summary>Byte offset of each argument in <see cref="Buffer"/>.</summary>
    public IReadOnlyList<int> Offsets => offsets;

    /// <summary>Number of native arguments written.</summary>
    public int Count => offsets.Count;

    /// <summary>Size in bytes of each argument, for tests and diagnostics.</summary>
    public List<int> Sizes { get; } = [];

    public void View<T>(ArrayView<T> view) where T : unmanaged
    {
        Scalar(pointerOf(view.Memory));
        Scalar(view.Offset);
        Scalar(view.Length);
    }

    public void View2D<T>(ArrayView2D<T> view) where T : unmanaged
    {
        View(view.Data);
        Scalar(view.Width);
        Scalar(view.Height);
        Scalar(view.Stride);
    }

    public void View3D<T>(ArrayView3D<T> view) where T : unmanaged
    {
        View(view.Data);
        Scalar(view.Width);
        Scalar(view.Height);
        Scalar(view.Depth);
        Scalar(view.RowStride);
        Scalar(view.SliceStride);
    }

    public void Scalar<T>(T value) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        int offset = (used + 7) & ~7;
        if (offset + size > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, offset + size));
        }
        MemoryMarshal.Write(buffer.AsSpan(offset, size), in value);
        offsets.Add(offset);
        Sizes.Add(size);
        used = offset + size;
    }
}

/// <summary>How a fill pattern maps onto the driver's memset calls.</summary>
internal static class CudaFillPlan
{
    /// <summary>Largest host staging chunk for patterns that no memset covers.</summary>
    public const int StagingBytes = 64 * 1024;

    /// <summary>
    /// The smallest unit (1, 2 or 4 bytes) the pattern repeats with and that unit's little-endian value; unit 0
    /// when none does (e.g. an 8-byte double 1.0, a 12-byte struct). A pattern of 8 equal bytes is unit 1.
    /// </summary>
    public static (int Unit, uint Value) For(ReadOnlySpan<byte> pattern)
    {
        foreach (int unit in (ReadOnlySpan<int>)[1, 2, 4])
        {
            if (pattern.Length % unit != 0 || !Repeats(pattern, unit))
            {
                continue;
            }
            uint value = unit switch
            {
                1 => pattern[0],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(pattern),
                _ => BinaryPrimitives.ReadUInt32LittleEndian(pattern),
            };
            return (unit, value);
        }
        return (0, 0);
    }

    /// <summary>The first chunk to copy in: whole patterns, at most <see cref="StagingBytes"/> (at least one pattern) and at most <paramref name="bytes"/>.</summary>
    public static byte[] Staging(ReadOnlySpan<byte> pattern, long bytes)
    {
        long whole = Math.Max(1, StagingBytes / pattern.Length) * pattern.Length;
        var chunk = new byte[Math.Min(whole, bytes)];
        for (int i = 0; i < chunk.Length; i += pattern.Length)
        {
            pattern.CopyTo(chunk.AsSpan(i));
        }
        return chunk;
    }

    private static bool Repeats(ReadOnlySpan<byte> pattern, int unit)
    {
        for (int i = unit; i < pattern.Length; i++)
        {
            if (pattern[i] != pattern[i - unit])
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>Launch-shape arithmetic for CUDA: blocks per grid dimension and the device's limits.</summary>
internal static class CudaLaunchShape
{
    /// <summary>
    /// Blocks per dimension, ceil(global / group), after checking the group against the block limits and the
    /// result against the grid limits; a violation is a <see cref="KernelArgumentException"/> before anything is queued.
    /// </summary>
    public static Index3D Grid(Index3D global, Index3D group, Index3D maxBlock, Index3D maxGrid, string kernel, string device)
    {
        if (group.X > maxBlock.X || group.Y > maxBlock.Y || group.Z > maxBlock.Z)
        {
            throw new KernelArgumentException(
                $"Group size {group} of kernel {kernel} exceeds the block limits {maxBlock} of {device}.");
        }
        var grid = new Index3D(Ceil(global.X, group.X), Ceil(global.Y, group.Y), Ceil(global.Z, group.Z));
        if (grid.X > maxGrid.X || grid.Y > maxGrid.Y || grid.Z > maxGrid.Z)
        {
            throw new KernelArgumentException(
                $"Launch of kernel {kernel} needs {grid} blocks, more than the grid limits {maxGrid} of {device}; use larger groups.");
        }
        return grid;
    }

    private static int Ceil(int a, int b) => (int)(((long)a + b - 1) / b);
}
