using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>Launchers of the CPU family's attention kernels: check the geometry against the views, then run over the cores.</summary>
public static partial class AttentionCpu
{
    /// <summary>
    /// Work items the kernels that split their work into chunks aim for: enough to keep every core busy with dynamic
    /// scheduling, few enough that their scratch slices stay small.
    /// </summary>
    public const int CpuWorkItems = 256;

    /// <summary>Whether the vector kernels handle this head dim (a positive multiple of 16); the scalar ones take any.</summary>
    public static bool VectorSupports(int headDim) => headDim > 0 && headDim % Float16.Count == 0;

    /// <summary>Scratch elements <see cref="GlobalCpu"/> needs.</summary>
    public static long GlobalCpuScratchLength(GlobalAttentionArgs args) =>
        (long)args.Batch * args.Heads * (Math.Max(args.HeadDim, 0) + 5) * PaddedKeys(Math.Max(args.Keys, 0));

    /// <summary>Scratch elements <see cref="WindowCpu"/> needs.</summary>
    public static long WindowCpuScratchLength(WindowAttentionArgs args) =>
        (long)args.Batch * args.Heads * AttentionChecks.WindowCount(args) * args.Window * args.Window;

    /// <summary>Global attention, scalar (any head dim), one work item per (query, head, batch item).</summary>
    public static void GlobalScalar(KernelDevice device, ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (AttentionChecks.Global(q, kv, output, args))
        {
            device.RunCpu(nameof(GlobalAttentionScalar), () =>
            {
                HostView hq = HostView.Of(q), hkv = HostView.Of(kv), ho = HostView.Of(output);
                CpuParallel.For(args.Queries, args.Heads, args.Batch, (x, y, z) => GlobalAttentionScalar(hq, hkv, ho, args, x, y, z));
            });
        }
    }

    /// <summary>Window attention, scalar (any head dim), one work item per (token, head, batch item).</summary>
    public static void WindowScalar(KernelDevice device, ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, WindowAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (AttentionChecks.Window(qkv, padKv, bias, output, args))
        {
            device.RunCpu(nameof(WindowAttentionScalar), () =>
            {
                HostView hqkv = HostView.Of(qkv), hpad = HostView.Of(padKv), hb = HostView.Of(bias), ho = HostView.Of(output);
                CpuParallel.For(args.Height * args.Width, args.Heads, args.Batch, (x, y, z) => WindowAttentionScalar(hqkv, hpad, hb, ho, args, x, y, z));
            });
        }
    }

    /// <summary>
    /// <see cref="GlobalAttentionCpu"/>: the same result as <see cref="AttentionKernels.Global"/>, 16 lanes at a time
    /// (head dim a multiple of 16), with <paramref name="scratch"/> of at least <see cref="GlobalCpuScratchLength"/> elements.
    /// </summary>
    public static void GlobalCpu(KernelDevice device, ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, ArrayView<float> scratch, GlobalAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        AttentionChecks.Require(VectorSupports(args.HeadDim), $"global attention (CPU family): head dim {args.HeadDim} is not a positive multiple of 16");
        AttentionChecks.Require(scratch.Length >= GlobalCpuScratchLength(args) && GlobalCpuScratchLength(args) <= int.MaxValue, $"global attention (CPU family): scratch of {scratch.Length} elements, needs {GlobalCpuScratchLength(args)} (at most 2^31)");
        if (AttentionChecks.Global(q, kv, output, args))
        {
            device.RunCpu(nameof(GlobalAttentionCpu), () =>
            {
                HostView hq = HostView.Of(q), hkv = HostView.Of(kv), ho = HostView.Of(output), hs = HostView.Of(scratch);
                CpuParallel.For(1, args.Heads, args.Batch, (x, y, z) => GlobalAttentionCpu(hq, hkv, ho, hs, args, x, y, z));
            });
        }
    }

    /// <summary>
    /// <see cref="WindowAttentionCpu"/>: the same result as <see cref="AttentionKernels.Window"/>, 16 lanes at a time
    /// (head dim a multiple of 16), with <paramref name="scratch"/> of at least <see cref="WindowCpuScratchLength"/> elements.
    /// </summary>
    public static void WindowCpu(KernelDevice device, ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, ArrayView<float> scratch, WindowAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        AttentionChecks.Require(VectorSupports(args.HeadDim), $"window attention (CPU family): head dim {args.HeadDim} is not a positive multiple of 16");
        AttentionChecks.Require(scratch.Length >= WindowCpuScratchLength(args) && WindowCpuScratchLength(args) <= int.MaxValue, $"window attention (CPU family): scratch of {scratch.Length} elements, needs {WindowCpuScratchLength(args)} (at most 2^31)");
        if (AttentionChecks.Window(qkv, padKv, bias, output, args))
        {
            device.RunCpu(nameof(WindowAttentionCpu), () =>
            {
                HostView hqkv = HostView.Of(qkv), hpad = HostView.Of(padKv), hb = HostView.Of(bias), ho = HostView.Of(output), hs = HostView.Of(scratch);
                CpuParallel.For(AttentionChecks.WindowCount(args), args.Heads, args.Batch, (x, y, z) => WindowAttentionCpu(hqkv, hpad, hb, ho, hs, args, x, y, z));
            });
        }
    }

    /// <summary>
    /// (Head, window) pairs per work item of <see cref="WindowTransposedCpu"/>: the pairs of a batch item split so that
    /// there are about <see cref="CpuWorkItems"/> work items (at least one pair each).
    /// </summary>
    public static int WindowTransposedPerItem(WindowAttentionArgs args)
    {
        long units = (long)AttentionChecks.WindowCount(args) * Math.Max(args.Heads, 0);
        if (units <= 0 || args.Batch <= 0)
        {
            return 1;
        }
        long chunks = Math.Clamp((CpuWorkItems + args.Batch - 1) / args.Batch, 1, units);
        return (int)((units + chunks - 1) / chunks);
    }

    /// <summary>Scratch elements <see cref="WindowTransposedCpu"/> needs.</summary>
    public static long WindowTransposedScratchLength(WindowAttentionArgs args)
    {
        long units = (long)AttentionChecks.WindowCount(args) * Math.Max(args.Heads, 0);
        int perItem = WindowTransposedPerItem(args);
        return (long)Math.Max(args.Batch, 0) * ((units + perItem - 1) / perItem) * WindowTransposedSlot(Math.Max(args.HeadDim, 0), Math.Max(args.Window, 1));
    }

    /// <summary>
    /// <see cref="WindowAttentionTransposedCpu"/>: the same result as <see cref="AttentionKernels.Window"/>, for windows of
    /// many keys (head dim a multiple of 16), with <paramref name="scratch"/> of at least <see cref="WindowTransposedScratchLength"/> elements.
    /// </summary>
    public static void WindowTransposedCpu(KernelDevice device, ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, ArrayView<float> scratch, WindowAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        AttentionChecks.Require(VectorSupports(args.HeadDim), $"window attention (CPU family): head dim {args.HeadDim} is not a positive multiple of 16");
        long need = WindowTransposedScratchLength(args);
        AttentionChecks.Require(scratch.Length >= need && need <= int.MaxValue, $"window attention (CPU family): scratch of {scratch.Length} elements, needs {need} (at most 2^31)");
        if (AttentionChecks.Window(qkv, padKv, bias, output, args))
        {
            int perItem = WindowTransposedPerItem(args);
            int chunks = (AttentionChecks.WindowCount(args) * args.Heads + perItem - 1) / perItem;
            device.RunCpu(nameof(WindowAttentionTransposedCpu), () =>
            {
                HostView hqkv = HostView.Of(qkv), hpad = HostView.Of(padKv), hb = HostView.Of(bias), ho = HostView.Of(output), hs = HostView.Of(scratch);
                CpuParallel.For(chunks, 1, args.Batch, (x, y, z) => WindowAttentionTransposedCpu(hqkv, hpad, hb, ho, hs, args, perItem, x, y, z));
            });
        }
    }

    /// <summary>
    /// Heads per work item of <see cref="GlobalBlockedCpu"/>: the heads of a batch item split so that there are about
    /// <see cref="CpuWorkItems"/> work items (at least one head each).
    /// </summary>
    public static int GlobalBlockedPerItem(GlobalAttentionArgs args)
    {
        if (args.Heads <= 0 || args.Batch <= 0)
        {
            return 1;
        }
        int chunks = Math.Clamp((CpuWorkItems + args.Batch - 1) / args.Batch, 1, args.Heads);
        return (args.Heads + chunks - 1) / chunks;
    }

    /// <summary>Scratch elements <see cref="GlobalBlockedCpu"/> needs.</summary>
    public static long GlobalBlockedScratchLength(GlobalAttentionArgs args)
    {
        int perItem = GlobalBlockedPerItem(args);
        return (long)Math.Max(args.Batch, 0) * ((Math.Max(args.Heads, 0) + perItem - 1) / perItem) * GlobalBlockedSlot(Math.Max(args.HeadDim, 0), Math.Max(args.Keys, 0));
    }

    /// <summary>
    /// <see cref="GlobalAttentionBlockedCpu"/>: the same result as <see cref="AttentionKernels.Global"/>, with 8-query
    /// register blocks (head dim a multiple of 16), with <paramref name="scratch"/> of at least <see cref="GlobalBlockedScratchLength"/> elements.
    /// </summary>
    public static void GlobalBlockedCpu(KernelDevice device, ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, ArrayView<float> scratch, GlobalAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        AttentionChecks.Require(VectorSupports(args.HeadDim), $"global attention (CPU family): head dim {args.HeadDim} is not a positive multiple of 16");
        long need = GlobalBlockedScratchLength(args);
        AttentionChecks.Require(scratch.Length >= need && need <= int.MaxValue, $"global attention (CPU family): scratch of {scratch.Length} elements, needs {need} (at most 2^31)");
        if (AttentionChecks.Global(q, kv, output, args))
        {
            int perItem = GlobalBlockedPerItem(args);
            int chunks = (args.Heads + perItem - 1) / perItem;
            device.RunCpu(nameof(GlobalAttentionBlockedCpu), () =>
            {
                HostView hq = HostView.Of(q), hkv = HostView.Of(kv), ho = HostView.Of(output), hs = HostView.Of(scratch);
                CpuParallel.For(chunks, 1, args.Batch, (x, y, z) => GlobalAttentionBlockedCpu(hq, hkv, ho, hs, args, perItem, x, y, z));
            });
        }
    }
}
