using static Hilo.Ilgpu.Compute.OpenCL.OpenCLNative;

namespace Hilo.Ilgpu.Compute.OpenCL;

/// <summary>
/// Sets a kernel's native arguments in ABI order (docs/internals/kernel-abi.md §2): a view becomes its whole
/// buffer's <c>cl_mem</c> plus element offset and length (no sub-buffers), 2D/3D views add their extents,
/// scalars and structs go by value. One instance per compiled kernel, used under its launch lock.
/// </summary>
internal sealed unsafe class OpenCLArgumentWriter(OpenCLKernel kernel) : IKernelArgumentWriter
{
    private uint index;

    /// <summary>Native arguments written since <see cref="Reset"/>.</summary>
    public int Count => (int)index;

    /// <summary>Starts a new launch.</summary>
    public void Reset() => index = 0;

    public void View<T>(ArrayView<T> view) where T : unmanaged
    {
        // A default (empty) view has no buffer: pass a null cl_mem, which OpenCL allows.
        nint mem = view.Memory is null ? 0 : OpenCLStream.Handle(view.Memory);
        Set(sizeof(nint), &mem);
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

    public void Scalar<T>(T value) where T : unmanaged => Set(sizeof(T), &value);

    private void Set(int size, void* value)
    {
        if (index >= kernel.ArgumentCount)
        {
            // Counted only: the launch reports the mismatch with both counts.
            index++;
            return;
        }
        int error = clSetKernelArg(kernel.Handle, index, (nuint)size, value);
        if (error != CL_SUCCESS)
        {
            throw new DeviceException(
                $"clSetKernelArg({kernel.Descriptor.Name}, argument {index}, {size} bytes) failed with {OpenCLLibrary.ErrorName(error)} ({error}); " +
                "the generated OpenCL signature does not match the descriptor's arguments (docs/internals/kernel-abi.md §2).");
        }
        index++;
    }

    /// <summary>Bytes of the distinct buffers a launch uses, for out-of-memory messages.</summary>
    public static long BufferBytes(KernelDescriptor descriptor, object?[] args)
    {
        var collector = new BufferCollector();
        descriptor.WriteArguments(args, collector);
        return collector.Buffers.Sum(b => b.SizeInBytes);
    }

    private sealed class BufferCollector : IKernelArgumentWriter
    {
        public HashSet<DeviceMemory> Buffers { get; } = [];

        public void View<T>(ArrayView<T> view) where T : unmanaged
        {
            if (view.Memory is not null)
            {
                Buffers.Add(view.Memory);
            }
        }

        public void View2D<T>(ArrayView2D<T> view) where T : unmanaged => View(view.Data);

        public void View3D<T>(ArrayView3D<T> view) where T : unmanaged => View(view.Data);

        public void Scalar<T>(T value) where T : unmanaged
        {
        }
    }
}
