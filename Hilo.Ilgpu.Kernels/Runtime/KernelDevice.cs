using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>
/// One opened device: the ILGPU <see cref="Accelerator"/> (owned), the <see cref="AcceleratorStream"/> every op is
/// queued on, the ILGPU kernels loaded for it (each compiled once, on first use), pooled buffers, and an optional
/// <see cref="KernelProfiler"/>. Kernel launchers of both families take one. Open one with <see cref="Devices.Open(string)"/>.
/// </summary>
public sealed partial class KernelDevice : IDisposable
{
    private readonly ConcurrentDictionary<MethodInfo, Lazy<Delegate>> kernels = new();
    private long compileTicks;
    private int disposed;

    internal KernelDevice(DeviceInfo info, Accelerator accelerator)
    {
        Info = info;
        Accelerator = accelerator;
        Stream = accelerator.DefaultStream;
        IsCpuAccelerator = accelerator is CPUAccelerator;
        pool = new BufferPool(this);
    }

    /// <summary>The device's properties.</summary>
    public DeviceInfo Info { get; }

    /// <summary>The ILGPU accelerator: allocate, load your own kernels, synchronise through it.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The in-order stream every op of this device is queued on.</summary>
    public AcceleratorStream Stream { get; }

    /// <summary>True on ILGPU's CPU accelerator: its buffers are host memory, and the CPU kernel family can run on them.</summary>
    public bool IsCpuAccelerator { get; }

    /// <summary>The kernel families that can run here: both on the CPU accelerator, ILGPU kernels elsewhere.</summary>
    public IReadOnlyList<KernelFamily> Families => IsCpuAccelerator ? [KernelFamily.Cpu, KernelFamily.Ilgpu] : [KernelFamily.Ilgpu];

    /// <summary>When set, every launch of either family is timed alone (see <see cref="KernelProfiler"/>).</summary>
    public KernelProfiler? Profiler { get; set; }

    /// <summary>ILGPU kernels compiled and loaded for this device so far.</summary>
    public int LoadedKernelCount => kernels.Count(k => k.Value.IsValueCreated);

    /// <summary>Seconds spent compiling and loading ILGPU kernels for this device so far (each kernel once).</summary>
    public double CompileSeconds => Interlocked.Read(ref compileTicks) / (double)Stopwatch.Frequency;

    /// <summary>Waits until every queued command finished.</summary>
    public void Synchronize() => Stream.Synchronize();

    /// <summary>
    /// The loaded form of an ILGPU kernel (compiled on first use, then reused). <paramref name="load"/> is ILGPU's
    /// loader for the kernel's signature; it runs at most once per kernel and device.
    /// </summary>
    internal TLauncher Load<TLauncher>(Delegate kernel, Func<Accelerator, Delegate, TLauncher> load) where TLauncher : Delegate
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        // The hot path (every launch after the first) allocates nothing.
        if (kernels.TryGetValue(kernel.Method, out var known) && known.IsValueCreated)
        {
            return (TLauncher)known.Value;
        }
        return LoadSlow(kernel, load);
    }

    private TLauncher LoadSlow<TLauncher>(Delegate kernel, Func<Accelerator, Delegate, TLauncher> load) where TLauncher : Delegate
    {
        var method = kernel.Method;
        var lazy = kernels.GetOrAdd(method, m => new Lazy<Delegate>(() => Compile(m, kernel, load), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return (TLauncher)lazy.Value;
        }
        catch
        {
            // A failed build is not kept: the next call reports the error again.
            kernels.TryRemove(new KeyValuePair<MethodInfo, Lazy<Delegate>>(method, lazy));
            throw;
        }
    }

    private TLauncher Compile<TLauncher>(MethodInfo method, Delegate kernel, Func<Accelerator, Delegate, TLauncher> load) where TLauncher : Delegate
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return load(Accelerator, kernel);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new KernelCompilationException(
                $"ILGPU could not build kernel {KernelCatalog.NameOf(method)} for {Info.Id} ({Info.Name}): {ex.GetType().Name}: {ex.Message}", ex);
        }
        finally
        {
            Interlocked.Add(ref compileTicks, Stopwatch.GetTimestamp() - start);
        }
    }

    /// <summary>Throws unless the CPU kernel family can run here (the CPU accelerator).</summary>
    public void RequireCpuFamily(string op)
    {
        if (!IsCpuAccelerator)
        {
            throw new InvalidOperationException($"{op}: the CPU kernel family runs only on ILGPU's CPU accelerator (device 'cpu'), not on {Info.Id} ({Info.Name}).");
        }
    }

    /// <summary>
    /// Runs one op of the CPU kernel family: synchronously on the calling thread (which fans out over the cores), in
    /// order with the CPU accelerator's ILGPU kernels (which also run synchronously). Timed alone under a profiler, which
    /// also gets the op's <paramref name="shape"/> (e.g. a GEMM's <c>M×K×N</c>) and <paramref name="flops"/> (its
    /// floating-point operations, an FMA counted as 2; 0 when not stated) for GFLOP/s per shape.
    /// </summary>
    public void RunCpu(string name, Action body, string? shape = null, double flops = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequireCpuFamily(name);
        var profiler = Profiler;
        if (profiler is null)
        {
            body();
            return;
        }
        long start = Stopwatch.GetTimestamp();
        body();
        profiler.Record(name, KernelFamily.Cpu, Stopwatch.GetTimestamp() - start, shape, flops);
    }

    /// <inheritdoc />
    public override string ToString() => Info.ToString();

    /// <summary>Frees every buffer, kernel and stream of the accelerator, then the accelerator.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        pool.Dispose();
        kernels.Clear();
        Accelerator.Dispose();
    }
}
