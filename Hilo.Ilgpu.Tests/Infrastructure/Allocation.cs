namespace Hilo.Ilgpu.Tests.Infrastructure;

/// <summary>
/// Managed bytes allocated by one piece of work on the calling thread (<see cref="GC.GetAllocatedBytesForCurrentThread"/>):
/// exact, and blind to other tests running in parallel. Only for readers whose memory is managed — the checkpoint,
/// array, label and config readers (zlib's native window is a few hundred KiB); work that allocates unmanaged memory
/// (image decoders) must be measured on the whole process. Work run on another thread must be measured there.
/// </summary>
public static class Allocation
{
    public static long OnThisThread(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        long before = GC.GetAllocatedBytesForCurrentThread();
        work();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    public static (T Result, long Bytes) OnThisThread<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        long before = GC.GetAllocatedBytesForCurrentThread();
        T result = work();
        return (result, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
