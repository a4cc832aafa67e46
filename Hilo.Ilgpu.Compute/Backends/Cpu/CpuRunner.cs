using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Hilo.Ilgpu.Compute.Cpu;

/// <summary>
/// Runs a kernel's C# body over a launch: groups are spread over all cores (dynamic chunks); inside a group
/// the work-items run one after another on one thread. Kernels with barriers run as phased iterators: every
/// work-item of the group runs to its next barrier before any continues, so a group of 256 needs one thread.
/// </summary>
internal static unsafe class CpuRunner
{
    public static void Run(KernelDescriptor kernel, Index3D global, Index3D group, object?[] args)
    {
        var body = kernel.CreateCpuBody(args);
        var count = new Index3D(Ceil(global.X, group.X), Ceil(global.Y, group.Y), Ceil(global.Z, group.Z));
        long total = count.Size;
        int workers = (int)Math.Min(Environment.ProcessorCount, total);
        long chunk = Math.Max(1, total / (workers * 8L));
        long next = 0;
        var launch = new Launch(kernel, body, global, group, count);

        void Worker()
        {
            using var state = new WorkerState(launch);
            long start;
            while ((start = Interlocked.Add(ref next, chunk) - chunk) < total)
            {
                long end = Math.Min(start + chunk, total);
                for (long g = start; g < end; g++)
                {
                    state.RunGroup(g);
                }
            }
        }

        if (workers <= 1)
        {
            Worker();
            return;
        }
        try
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ => Worker());
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }

    private static int Ceil(int a, int b) => (a + b - 1) / b;

    private sealed record Launch(KernelDescriptor Kernel, CpuKernelBody Body, Index3D Global, Index3D Group, Index3D Count);

    /// <summary>Per-thread state: the group context, its shared-memory arena and the work-item contexts.</summary>
    private sealed class WorkerState : IDisposable
    {
        private readonly Launch launch;
        private readonly CpuGroupState group;
        private readonly CpuWorkItem single;
        private readonly CpuWorkItem[]? items;
        private readonly IEnumerator<object?>[]? phases;

        public WorkerState(Launch launch)
        {
            this.launch = launch;
            int arenaBytes = launch.Kernel.SharedMemoryBytes;
            group = new CpuGroupState
            {
                GlobalSize = launch.Global,
                GroupSize = launch.Group,
                GroupCount = launch.Count,
                SharedArenaBytes = arenaBytes,
                SharedArena = arenaBytes > 0 ? (byte*)NativeMemory.AlignedAlloc((nuint)arenaBytes, SharedMemory.Alignment) : null,
            };
            single = new CpuWorkItem(group);
            if (launch.Kernel.UsesBarriers)
            {
                int n = (int)launch.Group.Size;
                items = new CpuWorkItem[n];
                for (int i = 0; i < n; i++)
                {
                    items[i] = new CpuWorkItem(group);
                }
                phases = new IEnumerator<object?>[n];
            }
        }

        public void RunGroup(long linear)
        {
            var count = launch.Count;
            int gx = (int)(linear % count.X);
            int gy = (int)(linear / count.X % count.Y);
            int gz = (int)(linear / ((long)count.X * count.Y));
            group.GroupIndex = new Index3D(gx, gy, gz);
            if (group.SharedArena != null)
            {
                NativeMemory.Clear(group.SharedArena, (nuint)group.SharedArenaBytes);
            }
            if (items is null)
            {
                RunSimple(gx, gy, gz);
            }
            else
            {
                RunPhased(gx, gy, gz);
            }
        }

        private void RunSimple(int gx, int gy, int gz)
        {
            var size = launch.Group;
            var global = launch.Global;
            CpuWorkItem.SetCurrent(single);
            try
            {
                for (int z = 0; z < size.Z; z++)
                {
                    int globalZ = gz * size.Z + z;
                    if (globalZ >= global.Z)
                    {
                        break;
                    }
                    for (int y = 0; y < size.Y; y++)
                    {
                        int globalY = gy * size.Y + y;
                        if (globalY >= global.Y)
                        {
                            break;
                        }
                        for (int x = 0; x < size.X; x++)
                        {
                            int globalX = gx * size.X + x;
                            if (globalX >= global.X)
                            {
                                break;
                            }
                            single.LocalIndex = new Index3D(x, y, z);
                            single.GlobalIndex = new Index3D(globalX, globalY, globalZ);
                            single.SharedCursor = 0;
                            launch.Body.Run();
                        }
                    }
                }
            }
            finally
            {
                CpuWorkItem.SetCurrent(null);
            }
        }

        private void RunPhased(int gx, int gy, int gz)
        {
            var size = launch.Group;
            int n = items!.Length;
            try
            {
                for (int i = 0; i < n; i++)
                {
                    int x = i % size.X;
                    int y = i / size.X % size.Y;
                    int z = i / (size.X * size.Y);
                    var item = items[i];
                    item.LocalIndex = new Index3D(x, y, z);
                    item.GlobalIndex = new Index3D(gx * size.X + x, gy * size.Y + y, gz * size.Z + z);
                    item.SharedCursor = 0;
                    CpuWorkItem.SetCurrent(item);
                    phases![i] = launch.Body.RunPhased();
                }
                for (int phase = 0; ; phase++)
                {
                    bool first = false;
                    for (int i = 0; i < n; i++)
                    {
                        CpuWorkItem.SetCurrent(items[i]);
                        bool more = phases![i].MoveNext();
                        if (i == 0)
                        {
                            first = more;
                        }
                        else if (more != first)
                        {
                            throw new InvalidOperationException(
                                $"Kernel {launch.Kernel.Name}: in group {group.GroupIndex}, work-item {items[0].LocalIndex} " +
                                $"{(first ? "waits at barrier" : "finished")} #{phase + 1} while work-item {items[i].LocalIndex} " +
                                $"{(more ? "waits at a barrier" : "finished")}; every work-item of a group must reach the same barriers.");
                        }
                    }
                    if (!first)
                    {
                        break;
                    }
                }
            }
            finally
            {
                for (int i = 0; i < n; i++)
                {
                    phases![i]?.Dispose();
                    phases[i] = null!;
                }
                CpuWorkItem.SetCurrent(null);
            }
        }

        public void Dispose()
        {
            if (group.SharedArena != null)
            {
                NativeMemory.AlignedFree(group.SharedArena);
                group.SharedArena = null;
            }
        }
    }
}
