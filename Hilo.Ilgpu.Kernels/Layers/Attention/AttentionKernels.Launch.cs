using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>Host-side launchers of the attention kernels: check the geometry against the views, then queue.</summary>
public static partial class AttentionKernels
{
    /// <summary>
    /// Queues <see cref="WindowAttention"/>. <paramref name="bias"/> is read only when <c>HasBias</c> is 1 (any
    /// non-empty view otherwise); the output columns <c>[OutOffset, OutOffset + Heads·HeadDim)</c> of every real
    /// token row are written, nothing else.
    /// </summary>
    public static void Window(AcceleratorStream stream, ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, WindowAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (CheckWindow(qkv, padKv, bias, output, args))
        {
            stream.Launch(WindowAttentionKernel, new LaunchDims(new Index3D(args.Height * args.Width, args.Heads, args.Batch)), qkv, padKv, bias, output, args);
        }
    }

    // Checks the geometry against the views; false when there is nothing to compute.
    private static bool CheckWindow(ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, WindowAttentionArgs args)
    {
        long dim = (long)args.Heads * args.HeadDim;
        long tokens = (long)args.Batch * args.Height * args.Width;
        long area = (long)args.Window * args.Window;
        Require(args.Batch >= 0 && args.Height >= 0 && args.Width >= 0 && args.Window >= 1 && args.Heads >= 0 && args.HeadDim >= 0,
            $"window attention: bad geometry (B {args.Batch}, H {args.Height}, W {args.Width}, window {args.Window}, heads {args.Heads}, head dim {args.HeadDim})");
        Require(args.QkvStride >= 3 * dim && qkv.Length >= tokens * args.QkvStride,
            $"window attention: qkv view of {qkv.Length} elements with row stride {args.QkvStride} cannot hold {tokens} rows of 3·{dim}");
        Require(padKv.Length >= 2 * dim, $"window attention: the padding k/v view needs {2 * dim} values, has {padKv.Length}");
        Require(args.HasBias == 0 || bias.Length >= args.Heads * area * area,
            $"window attention: the relative position bias needs {args.Heads * area * area} values, has {bias.Length}");
        Require(args.OutOffset >= 0 && args.OutOffset + dim <= args.OutStride && output.Length >= tokens * args.OutStride,
            $"window attention: output view of {output.Length} elements with row stride {args.OutStride} cannot take columns {args.OutOffset}..{args.OutOffset + dim} of {tokens} rows");
        Require(tokens * Math.Max(args.QkvStride, args.OutStride) <= int.MaxValue, "window attention: tensors over 2^31 elements are not supported");
        return tokens != 0 && dim != 0;
    }

    /// <summary>
    /// Queues <see cref="GlobalAttention"/>; writes output columns <c>[OutOffset, OutOffset + Heads·HeadDim)</c>
    /// of every query row, nothing else.
    /// </summary>
    public static void Global(AcceleratorStream stream, ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (CheckGlobal(q, kv, output, args))
        {
            stream.Launch(GlobalAttentionKernel, new LaunchDims(new Index3D(args.Queries, args.Heads, args.Batch)), q, kv, output, args);
        }
    }

    // Checks the geometry against the views; false when there is nothing to compute.
    private static bool CheckGlobal(ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs args)
    {
        long dim = (long)args.Heads * args.HeadDim;
        long queries = (long)args.Batch * args.Queries;
        long keys = (long)args.Batch * args.Keys;
        Require(args.Batch >= 0 && args.Queries >= 0 && args.Keys >= 1 && args.Heads >= 0 && args.HeadDim >= 0,
            $"global attention: bad geometry (B {args.Batch}, N {args.Queries}, M {args.Keys}, heads {args.Heads}, head dim {args.HeadDim})");
        Require(args.QOffset >= 0 && args.QOffset + dim <= args.QStride && q.Length >= queries * args.QStride,
            $"global attention: q view of {q.Length} elements with row stride {args.QStride} cannot hold columns {args.QOffset}..{args.QOffset + dim} of {queries} rows");
        Require(args.KOffset >= 0 && args.VOffset >= 0 && args.KOffset + dim <= args.KvStride && args.VOffset + dim <= args.KvStride && kv.Length >= keys * args.KvStride,
            $"global attention: kv view of {kv.Length} elements with row stride {args.KvStride} cannot hold k at {args.KOffset} and v at {args.VOffset} ({dim} wide) for {keys} rows");
        Require(args.OutOffset >= 0 && args.OutOffset + dim <= args.OutStride && output.Length >= queries * args.OutStride,
            $"global attention: output view of {output.Length} elements with row stride {args.OutStride} cannot take columns {args.OutOffset}..{args.OutOffset + dim} of {queries} rows");
        Require(Math.Max(queries * Math.Max(args.QStride, args.OutStride), keys * args.KvStride) <= int.MaxValue, "global attention: tensors over 2^31 elements are not supported");
        return queries != 0 && dim != 0;
    }

    /// <summary>Whether the CPU-style kernels (<see cref="GlobalAttentionCpu"/>, <see cref="WindowAttentionCpu"/>) handle this head dim: a positive multiple of 16.</summary>
    public static bool CpuStyleSupports(int headDim) => headDim > 0 && headDim % Float16.Count == 0;

    /// <summary>Scratch elements <see cref="GlobalCpu"/> needs for <paramref name="args"/>.</summary>
    public static long GlobalCpuScratchLength(GlobalAttentionArgs args) =>
        (long)args.Batch * args.Heads * (Math.Max(args.HeadDim, 0) + 5) * PaddedKeys(Math.Max(args.Keys, 0));

    /// <summary>Scratch elements <see cref="WindowCpu"/> needs for <paramref name="args"/>.</summary>
    public static long WindowCpuScratchLength(WindowAttentionArgs args) =>
        (long)args.Batch * args.Heads * WindowCount(args) * args.Window * args.Window;

    /// <summary>
    /// Queues <see cref="GlobalAttentionCpu"/>: the same result as <see cref="Global"/>, CPU style (head dim a
    /// multiple of 16), with <paramref name="scratch"/> of at least <see cref="GlobalCpuScratchLength"/> elements.
    /// </summary>
    public static void GlobalCpu(AcceleratorStream stream, ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, ArrayView<float> scratch, GlobalAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Require(CpuStyleSupports(args.HeadDim), $"global attention (CPU style): head dim {args.HeadDim} is not a positive multiple of 16");
        Require(scratch.Length >= GlobalCpuScratchLength(args) && GlobalCpuScratchLength(args) <= int.MaxValue, $"global attention (CPU style): scratch of {scratch.Length} elements, needs {GlobalCpuScratchLength(args)} (at most 2^31)");
        if (CheckGlobal(q, kv, output, args))
        {
            stream.Launch(GlobalAttentionCpuKernel, new LaunchDims(new Index3D(1, args.Heads, args.Batch), new Index3D(1, 1, 1)), q, kv, output, scratch, args);
        }
    }

    /// <summary>
    /// Queues <see cref="WindowAttentionCpu"/>: the same result as <see cref="Window"/>, CPU style (head dim a
    /// multiple of 16), with <paramref name="scratch"/> of at least <see cref="WindowCpuScratchLength"/> elements.
    /// </summary>
    public static void WindowCpu(AcceleratorStream stream, ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, ArrayView<float> scratch, WindowAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Require(CpuStyleSupports(args.HeadDim), $"window attention (CPU style): head dim {args.HeadDim} is not a positive multiple of 16");
        Require(scratch.Length >= WindowCpuScratchLength(args) && WindowCpuScratchLength(args) <= int.MaxValue, $"window attention (CPU style): scratch of {scratch.Length} elements, needs {WindowCpuScratchLength(args)} (at most 2^31)");
        if (CheckWindow(qkv, padKv, bias, output, args))
        {
            stream.Launch(WindowAttentionCpuKernel, new LaunchDims(new Index3D(WindowCount(args), args.Heads, args.Batch), new Index3D(1, 1, 1)), qkv, padKv, bias, output, scratch, args);
        }
    }

    /// <summary>
    /// Work-items the CPU-style kernels that split their work into chunks aim for: enough to keep every core of a
    /// CPU device busy with dynamic scheduling, few enough that their scratch slices stay small.
    /// </summary>
    public const int CpuWorkItems = 256;

    /// <summary>
    /// (Head, window) pairs per work-item of <see cref="WindowTransposedCpu"/>: the pairs of a batch item split so
    /// that the launch has about <see cref="CpuWorkItems"/> work-items (at least one pair each).
    /// </summary>
    public static int WindowTransposedPerItem(WindowAttentionArgs args)
    {
        long units = (long)WindowCount(args) * Math.Max(args.Heads, 0);
        if (units <= 0 || args.Batch <= 0)
        {
            return 1;
        }
        long chunks = Math.Clamp((CpuWorkItems + args.Batch - 1) / args.Batch, 1, units);
        return (int)((units + chunks - 1) / chunks);
    }

    /// <summary>Scratch elements <see cref="WindowTransposedCpu"/> needs for <paramref name="args"/>.</summary>
    public static long WindowTransposedScratchLength(WindowAttentionArgs args)
    {
        long units = (long)WindowCount(args) * Math.Max(args.Heads, 0);
        int perItem = WindowTransposedPerItem(args);
        return (long)Math.Max(args.Batch, 0) * ((units + perItem - 1) / perItem) * WindowTransposedSlot(Math.Max(args.HeadDim, 0), Math.Max(args.Window, 1));
    }

    /// <summary>
    /// Queues <see cref="WindowAttentionTransposedCpu"/>: the same result as <see cref="Window"/>, CPU style for
    /// windows of many keys (head dim a multiple of 16), with <paramref name="scratch"/> of at least
    /// <see cref="WindowTransposedScratchLength"/> elements.
    /// </summary>
    public static void WindowTransposedCpu(AcceleratorStream stream, ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, ArrayView<float> scratch, WindowAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Require(CpuStyleSupports(args.HeadDim), $"window attention (CPU style): head dim {args.HeadDim} is not a positive multiple of 16");
        long need = WindowTransposedScratchLength(args);
        Require(scratch.Length >= need && need <= int.MaxValue, $"window attention (CPU style): scratch of {scratch.Length} elements, needs {need} (at most 2^31)");
        if (CheckWindow(qkv, padKv, bias, output, args))
        {
            int perItem = WindowTransposedPerItem(args);
            int chunks = (WindowCount(args) * args.Heads + perItem - 1) / perItem;
            stream.Launch(WindowAttentionTransposedCpuKernel, new LaunchDims(new Index3D(chunks, 1, args.Batch), new Index3D(1, 1, 1)), qkv, padKv, bias, output, scratch, args, perItem);
        }
    }

    /// <summary>
    /// Heads per work-item of <see cref="GlobalBlockedCpu"/>: the heads of a batch item split so that the launch has
    /// about <see cref="CpuWorkItems"/> work-items (at least one head each).
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

    /// <summary>Scratch elements <see cref="GlobalBlockedCpu"/> needs for <paramref name="args"/>.</summary>
    public static long GlobalBlockedScratchLength(GlobalAttentionArgs args)
    {
        int perItem = GlobalBlockedPerItem(args);
        return (long)Math.Max(args.Batch, 0) * ((Math.Max(args.Heads, 0) + perItem - 1) / perItem) * GlobalBlockedSlot(Math.Max(args.HeadDim, 0), Math.Max(args.Keys, 0));
    }

    /// <summary>
    /// Queues <see cref="GlobalAttentionBlockedCpu"/>: the same result as <see cref="Global"/>, CPU style with
    /// 8-query register blocks (head dim a multiple of 16), with <paramref name="scratch"/> of at least
    /// <see cref="GlobalBlockedScratchLength"/> elements.
    /// </summary>
    public static void GlobalBlockedCpu(AcceleratorStream stream, ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, ArrayView<float> scratch, GlobalAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Require(CpuStyleSupports(args.HeadDim), $"global attention (CPU style): head dim {args.HeadDim} is not a positive multiple of 16");
        long need = GlobalBlockedScratchLength(args);
        Require(scratch.Length >= need && need <= int.MaxValue, $"global attention (CPU style): scratch of {scratch.Length} elements, needs {need} (at most 2^31)");
        if (CheckGlobal(q, kv, output, args))
        {
            int perItem = GlobalBlockedPerItem(args);
            int chunks = (args.Heads + perItem - 1) / perItem;
            stream.Launch(GlobalAttentionBlockedCpuKernel, new LaunchDims(new Index3D(chunks, 1, args.Batch), new Index3D(1, 1, 1)), q, kv, output, scratch, args, perItem);
        }
    }

    private static int WindowCount(WindowAttentionArgs args) =>
        args.Window < 1 ? 0 : (args.Height + args.Window - 1) / args.Window * ((args.Width + args.Window - 1) / args.Window);

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
