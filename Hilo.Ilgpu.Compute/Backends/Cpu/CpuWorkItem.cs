using System.Runtime.CompilerServices;

namespace Hilo.Ilgpu.Compute.Cpu;

/// <summary>
/// State shared by the work-items of one group while the managed CPU backend runs it: launch extents,
/// the group's index and its shared-memory arena.
/// </summary>
internal sealed unsafe class CpuGroupState
{
    public Index3D GlobalSize;
    public Index3D GroupSize;
    public Index3D GroupCount;
    public Index3D GroupIndex;
    public byte* SharedArena;
    public int SharedArenaBytes;
}

/// <summary>
/// The work-item the current thread is executing. <see cref="Grid"/>, <see cref="Group"/> and
/// <see cref="SharedMemory"/> read it when a kernel runs as C# on the managed CPU backend.
/// </summary>
internal sealed class CpuWorkItem
{
    [ThreadStatic]
    private static CpuWorkItem? current;

    public CpuWorkItem(CpuGroupState group) => Group = group;

    public CpuGroupState Group;
    public Index3D LocalIndex;
    public Index3D GlobalIndex;

    /// <summary>Bytes of the group arena handed out to this work-item so far (each work-item replays the same allocations).</summary>
    public int SharedCursor;

    public static CpuWorkItem Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => current ?? ThrowNotInKernel();
    }

    public static void SetCurrent(CpuWorkItem? item) => current = item;

    public unsafe SharedView<T> AllocateShared<T>(int length) where T : unmanaged
    {
        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "Shared memory length must not be negative.");
        }
        int start = SharedCursor;
        int bytes = checked(length * sizeof(T));
        int end = start + (bytes + SharedMemory.Alignment - 1) / SharedMemory.Alignment * SharedMemory.Alignment;
        if (end > Group.SharedArenaBytes)
        {
            throw new InvalidOperationException(
                $"The kernel allocated more shared memory ({end} bytes) than its descriptor declares ({Group.SharedArenaBytes}).");
        }
        SharedCursor = end;
        return new SharedView<T>((nint)(Group.SharedArena + start), length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CpuWorkItem ThrowNotInKernel() =>
        throw new InvalidOperationException(
            "Grid, Group and SharedMemory are only valid inside a kernel launched on an accelerator.");
}
