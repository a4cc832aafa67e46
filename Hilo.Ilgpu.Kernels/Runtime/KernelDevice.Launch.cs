// The launch overloads, one per kernel arity (ILGPU's loaders are typed by the kernel's parameters).
using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;

namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>Launching ILGPU kernels: one overload per number of kernel parameters.</summary>
public sealed partial class KernelDevice
{
    private static bool IsEmpty(in KernelConfig config)
    {
        var (grid, group) = config;
        return grid.Size == 0 || group.Size == 0;
    }

    // Every launch inside the limits every GPU has (Configs.OverLimits): a shape that only the CPU accelerator or PoCL
    // would run is an error here, not a failed launch on someone's GPU.
    private static void CheckLimits(Delegate kernel, in KernelConfig config)
    {
        if (Configs.OverLimits(config) is { } over)
        {
            throw new ArgumentException($"Kernel {KernelCatalog.NameOf(kernel.Method)}: {over} (CUDA's and OpenCL's portable launch limits).");
        }
    }

    private long BeginProfile()
    {
        if (Profiler is null)
        {
            return 0;
        }
        Stream.Synchronize();
        return Stopwatch.GetTimestamp();
    }

    private void EndProfile(Delegate kernel, in KernelConfig config, long start)
    {
        var profiler = Profiler;
        if (profiler is null || start == 0)
        {
            return;
        }
        Stream.Synchronize();
        long elapsed = Stopwatch.GetTimestamp() - start;
        var (grid, group) = config;
        profiler.Record(KernelCatalog.NameOf(kernel.Method), KernelFamily.Ilgpu, elapsed, profiler.ByLaunchShape ? $"{grid}x{group}" : null);
    }

    /// <summary>
    /// Queues an explicitly grouped ILGPU kernel of 1 parameter on <see cref="Stream"/> with <paramref name="config"/>
    /// (grid and group dimensions); compiles it on first use. An empty grid or group queues nothing.
    /// </summary>
    public void Launch<T1>(Action<T1> kernel, KernelConfig config, T1 a1)
        where T1 : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (IsEmpty(config))
        {
            return;
        }
        CheckLimits(kernel, config);
        var run = Load(kernel, static (acc, k) => acc.LoadKernel((Action<T1>)k));
        long start = BeginProfile();
        run(Stream, config, a1);
        EndProfile(kernel, config, start);
    }

    /// <summary>
    /// Queues an explicitly grouped ILGPU kernel of 2 parameters on <see cref="Stream"/> with <paramref name="config"/>
    /// (grid and group dimensions); compiles it on first use. An empty grid or group queues nothing.
    /// </summary>
    public void Launch<T1, T2>(Action<T1, T2> kernel, KernelConfig config, T1 a1, T2 a2)
        where T1 : struct where T2 : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (IsEmpty(config))
        {
            return;
        }
        CheckLimits(kernel, config);
        var run = Load(kernel, static (acc, k) => acc.LoadKernel((Action<T1, T2>)k));
        long start = BeginProfile();
        run(Stream, config, a1, a2);
        EndProfile(kernel, config, start);
    }

    /// <summary>
    /// Queues an explicitly grouped ILGPU kernel of 3 parameters on <see cref="Stream"/> with <paramref name="config"/>
    /// (grid and group dimensions); compiles it on first use. An empty grid or group queues nothing.
    /// </summary>
    public void Launch<T1, T2, T3>(Action<T1, T2, T3> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3)
        where T1 : struct where T2 : struct where T3 : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (IsEmpty(config))
        {
            return;
        }
        CheckLimits(kernel, config);
        var run = Load(kernel, static (acc, k) => acc.LoadKernel((Action<T1, T2, T3>)k));
        long start = BeginProfile();
        run(Stream, config, a1, a2, a3);
        EndProfile(kernel, config, start);
    }

    /// <summary>
    /// Queues an explicitly grouped ILGPU kernel of 4 parameters on <see cref="Stream"/> with <paramref name="config"/>
    /// (grid and group dimensions); compiles it on first use. An empty grid or group queues nothing.
    /// </summary>
    public void Launch<T1, T2, T3, T4>(Action<T1, T2, T3, T4> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3, T4 a4)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (IsEmpty(config))
        {
            return;
        }
        CheckLimits(kernel, config);
        var run = Load(kernel, static (acc, k) => acc.LoadKernel((Action<T1, T2, T3, T4>)k));
        long start = BeginProfile();
        run(Stream, config, a1, a2, a3, a4);
        EndProfile(kernel, config, start);
    }

    /// <summary>
    /// Queues an explicitly grouped ILGPU kernel of 5 parameters on <see cref="Stream"/> with <paramref name="config"/>
    /// (grid and group dimensions); compiles it on first use. An empty grid or group queues nothing.
    /// </summary>
    public void Launch<T1, T2, T3, T4, T5>(Action<T1, T2, T3, T4, T5> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (IsEmpty(config))
        {
            return;
        }
        CheckLimits(kernel, config);
        var run = Load(kernel, static (acc, k) => acc.LoadKernel((Action<T1, T2, T3, T4, T5>)k));
        long start = BeginProfile();
        run(Stream, config, a1, a2, a3, a4, a5);
        EndProfile(kernel, config, start);
    }

    /// <summary>
    /// Queues an explicitly grouped ILGPU kernel of 6 parameters on <see cref="Stream"/> with <paramref name="config"/>
    /// (grid and group dimensions); compiles it on first use. An empty grid or group queues nothing.
    /// </summary>
    public void Launch<T1, T2, T3, T4, T5, T6>(Action<T1, T2, T3, T4, T5, T6> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (IsEmpty(config))
        {
            return;
        }
        CheckLimits(kernel, config);
        var run = Load(kernel, static (acc, k) => acc.LoadKernel((Action<T1, T2, T3, T4, T5, T6>)k));
        long start = BeginProfile();
        run(Stream, config, a1, a2, a3, a4, a5, a6);
        EndProfile(kernel, config, start);
    }

    /// <summary>
    /// Queues an explicitly grouped ILGPU kernel of 7 parameters on <see cref="Stream"/> with <paramref name="config"/>
    /// (grid and group dimensions); compiles it on first use. An empty grid or group queues nothing.
    /// </summary>
    public void Launch<T1, T2, T3, T4, T5, T6, T7>(Action<T1, T2, T3, T4, T5, T6, T7> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (IsEmpty(config))
        {
            return;
        }
        CheckLimits(kernel, config);
        var run = Load(kernel, static (acc, k) => acc.LoadKernel((Action<T1, T2, T3, T4, T5, T6, T7>)k));
        long start = BeginProfile();
        run(Stream, config, a1, a2, a3, a4, a5, a6, a7);
        EndProfile(kernel, config, start);
    }

    /// <summary>
    /// Queues an explicitly grouped ILGPU kernel of 8 parameters on <see cref="Stream"/> with <paramref name="config"/>
    /// (grid and group dimensions); compiles it on first use. An empty grid or group queues nothing.
    /// </summary>
    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8>(Action<T1, T2, T3, T4, T5, T6, T7, T8> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (IsEmpty(config))
        {
            return;
        }
        CheckLimits(kernel, config);
        var run = Load(kernel, static (acc, k) => acc.LoadKernel((Action<T1, T2, T3, T4, T5, T6, T7, T8>)k));
        long start = BeginProfile();
        run(Stream, config, a1, a2, a3, a4, a5, a6, a7, a8);
        EndProfile(kernel, config, start);
    }

    /// <summary>
    /// Queues an explicitly grouped ILGPU kernel of 9 parameters on <see cref="Stream"/> with <paramref name="config"/>
    /// (grid and group dimensions); compiles it on first use. An empty grid or group queues nothing.
    /// </summary>
    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8, T9>(Action<T1, T2, T3, T4, T5, T6, T7, T8, T9> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (IsEmpty(config))
        {
            return;
        }
        CheckLimits(kernel, config);
        var run = Load(kernel, static (acc, k) => acc.LoadKernel((Action<T1, T2, T3, T4, T5, T6, T7, T8, T9>)k));
        long start = BeginProfile();
        run(Stream, config, a1, a2, a3, a4, a5, a6, a7, a8, a9);
        EndProfile(kernel, config, start);
    }

    /// <summary>
    /// Queues an explicitly grouped ILGPU kernel of 10 parameters on <see cref="Stream"/> with <paramref name="config"/>
    /// (grid and group dimensions); compiles it on first use. An empty grid or group queues nothing.
    /// </summary>
    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10>(Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (IsEmpty(config))
        {
            return;
        }
        CheckLimits(kernel, config);
        var run = Load(kernel, static (acc, k) => acc.LoadKernel((Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10>)k));
        long start = BeginProfile();
        run(Stream, config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
        EndProfile(kernel, config, start);
    }

    /// <summary>
    /// Queues an explicitly grouped ILGPU kernel of 11 parameters on <see cref="Stream"/> with <paramref name="config"/>
    /// (grid and group dimensions); compiles it on first use. An empty grid or group queues nothing.
    /// </summary>
    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11>(Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (IsEmpty(config))
        {
            return;
        }
        CheckLimits(kernel, config);
        var run = Load(kernel, static (acc, k) => acc.LoadKernel((Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11>)k));
        long start = BeginProfile();
        run(Stream, config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
        EndProfile(kernel, config, start);
    }

    /// <summary>
    /// Queues an explicitly grouped ILGPU kernel of 12 parameters on <see cref="Stream"/> with <paramref name="config"/>
    /// (grid and group dimensions); compiles it on first use. An empty grid or group queues nothing.
    /// </summary>
    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12>(Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> kernel, KernelConfig config, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct where T12 : struct
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (IsEmpty(config))
        {
            return;
        }
        CheckLimits(kernel, config);
        var run = Load(kernel, static (acc, k) => acc.LoadKernel((Action<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12>)k));
        long start = BeginProfile();
        run(Stream, config, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12);
        EndProfile(kernel, config, start);
    }
}
