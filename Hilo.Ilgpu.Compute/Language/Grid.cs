using Hilo.Ilgpu.Compute.Cpu;

namespace Hilo.Ilgpu.Compute;

/// <summary>
/// Indices of the current work-item within the whole launch. Valid only inside a kernel.
/// On GPUs these map to <c>get_global_id</c> / <c>blockIdx*blockDim+threadIdx</c>; on the managed CPU
/// backend they read the current work-item's context.
/// </summary>
public static class Grid
{
    /// <summary>Global index of the current work-item.</summary>
    public static Index3D GlobalIndex => CpuWorkItem.Current.GlobalIndex;

    /// <summary>The global size the launch asked for (not rounded up to whole groups).</summary>
    public static Index3D GlobalSize => CpuWorkItem.Current.Group.GlobalSize;

    /// <summary>Index of the current work-group within the grid.</summary>
    public static Index3D GroupIndex => CpuWorkItem.Current.Group.GroupIndex;

    /// <summary>Number of work-groups in each dimension.</summary>
    public static Index3D GroupCount => CpuWorkItem.Current.Group.GroupCount;
}

/// <summary>Indices within the current work-group and the group barrier. Valid only inside a kernel.</summary>
public static class Group
{
    /// <summary>Index of the current work-item within its group (OpenCL <c>get_local_id</c>, CUDA <c>threadIdx</c>).</summary>
    public static Index3D Index => CpuWorkItem.Current.LocalIndex;

    /// <summary>Size of a work-group (OpenCL <c>get_local_size</c>, CUDA <c>blockDim</c>).</summary>
    public static Index3D Size => CpuWorkItem.Current.Group.GroupSize;

    /// <summary>Linear index within the group: <c>X + Size.X * (Y + Size.Y * Z)</c>.</summary>
    public static int LinearIndex
    {
        get
        {
            var w = CpuWorkItem.Current;
            var s = w.Group.GroupSize;
            return w.LocalIndex.X + s.X * (w.LocalIndex.Y + s.Y * w.LocalIndex.Z);
        }
    }

    /// <summary>
    /// Waits until every work-item of the group reached this barrier, and makes local and global memory
    /// writes before it visible to the group. Must be called as a statement directly in the kernel body,
    /// in control flow every work-item of the group takes the same way (checked at build time).
    /// </summary>
    public static void Barrier() =>
        throw new InvalidOperationException(
            "Group.Barrier() was called outside the phased CPU execution of a kernel; " +
            "launch the kernel through an Accelerator instead of calling the method directly.");
}
