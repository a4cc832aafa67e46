using System.Runtime.CompilerServices;
using Hilo.Ilgpu.Kernels.Gemm;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>Window attention for head dim 32 with several windows per group and a thread per query (HiLo Hi-Fi).</summary>
public static partial class AttentionKernels
{
    /// <summary>Threads per group of <see cref="WindowAttentionPacked32"/> (two warps).</summary>
    public const int PackedWindowThreads = 64;

    /// <summary>Smallest window side <see cref="WindowAttentionPacked32"/> takes (s = 1 is one key: the grouped kernel).</summary>
    public const int PackedMinWindow = 2;

    /// <summary>Largest window side <see cref="WindowAttentionPacked32"/> takes (s² ≤ <see cref="PackedWindowThreads"/> queries a group).</summary>
    public const int PackedMaxWindow = 8;

    // Key slots staged per group: ⌊64/s²⌋ windows of s² keys, each padded to a multiple of 4 (the chunk); the most
    // over s = 2..8 is 84 (s = 3: 7 windows of 12 slots). 2 × 84 × 32 floats = 21 KiB.
    private const int PackedWindowSlots = 84;

    /// <summary>
    /// Window attention for head dim 32: one group of <see cref="PackedWindowThreads"/> threads per ⌊64/s²⌋ windows of
    /// one head and batch item (16 windows of 2×2 — HiLo's Hi-Fi — so every lane has a query; one 7×7 window uses 49
    /// lanes), a thread per query. The group first copies its windows' keys and values of this head into shared
    /// memory, 32 lanes to a key row (one coalesced 128-byte read a row; padded positions from
    /// <paramref name="padKv"/>, slots past a window's s² keys zeros), then every thread keeps its q, running maximum
    /// and sum and output row in registers (<see cref="Row32"/>) and takes its window's keys 4 at a time (one softmax
    /// rescale per 4), adding the relative position bias when <c>HasBias</c> is 1; the output is written once.
    /// Queries at padded positions are not computed. The result of <see cref="WindowAttention"/> for head dim 32 and
    /// s from <see cref="PackedMinWindow"/> to <see cref="PackedMaxWindow"/>. Grid: ⌈windows/⌊64/s²⌋⌉ × Heads × B groups, folded.
    /// </summary>
    [IlgpuKernel("attention")]
    public static void WindowAttentionPacked32(ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, WindowAttentionArgs a)
    {
        const int d = Row32.Length;
        // Slots of 16-byte words (read 4 floats at a time, ld.shared.v4), written as floats.
        var keys = SharedMemory.Allocate<BlockGemmKernels.Quad>(PackedWindowSlots * d / 4);
        var values = SharedMemory.Allocate<BlockGemmKernels.Quad>(PackedWindowSlots * d / 4);
        var keyFloats = keys.Cast<float>();
        var valueFloats = values.Cast<float>();
        int s = a.Window;
        int area = s * s;
        int per = PackedWindowThreads / area;
        int stride = (area + 3) / 4 * 4;
        int across = (a.Width + s - 1) / s;
        int windows = across * ((a.Height + s - 1) / s);
        Configs.Unfold((windows + per - 1) / per, a.Heads, out int groupX, out int head, out int item);
        int first = groupX * per;
        int dim = a.Heads * d;
        int headOffset = head * d;
        int rowBase = item * a.Height * a.Width;
        int lane = Group.IdxX % d;
        for (int slot = Group.IdxX / d; slot < per * stride; slot += PackedWindowThreads / d)
        {
            int w = slot / stride;
            int key = slot - w * stride;
            int window = first + w;
            int wy = window / across;
            int ky = key / s;
            int ty = wy * s + ky;
            // key − ky·s rather than key % s: with both / and % of one pair, clang inserts a `freeze` that oclgrind's
            // uninitialised-value checker cannot run (tools/oclgrind-check.sh).
            int tx = (window - wy * across) * s + key - ky * s;
            float k = 0f, v = 0f;
            if (key < area && window < windows)
            {
                if (ty < a.Height && tx < a.Width)
                {
                    int at = (rowBase + ty * a.Width + tx) * a.QkvStride + dim + headOffset + lane;
                    k = qkv[at];
                    v = qkv[at + dim];
                }
                else
                {
                    k = padKv[headOffset + lane];
                    v = padKv[dim + headOffset + lane];
                }
            }
            keyFloats[slot * d + lane] = k;
            valueFloats[slot * d + lane] = v;
        }
        SharedBarrier.Sync();
        int mine = Group.IdxX / area;
        int qi = Group.IdxX - mine * area;
        int qWindow = first + mine;
        int qwy = qWindow / across;
        int qRow = qi / s;
        int qy = qwy * s + qRow;
        int qx = (qWindow - qwy * across) * s + qi - qRow * s;
        if (mine >= per || qWindow >= windows || qy >= a.Height || qx >= a.Width)
        {
            return; // no query: a lane past the group's windows, or a padded position (cropped)
        }
        int token = rowBase + qy * a.Width + qx;
        var qv = Row32.Load(qkv, token * a.QkvStride + headOffset);
        var acc = default(Row32);
        float best = float.NegativeInfinity;
        float sum = 0f;
        int slot0 = mine * stride;
        int biasRow = (head * area + qi) * area;
        for (int m = 0; m < area; m += 4)
        {
            float l0 = WindowLogit(qv, keys, bias, slot0, m, area, biasRow, a);
            float l1 = WindowLogit(qv, keys, bias, slot0, m + 1, area, biasRow, a);
            float l2 = WindowLogit(qv, keys, bias, slot0, m + 2, area, biasRow, a);
            float l3 = WindowLogit(qv, keys, bias, slot0, m + 3, area, biasRow, a);
            float next = MathF.Max(MathF.Max(best, l0), MathF.Max(MathF.Max(l1, l2), l3));
            float rescale = MathF.Exp(best - next);
            acc.Scale(rescale);
            float p0 = MathF.Exp(l0 - next), p1 = MathF.Exp(l1 - next), p2 = MathF.Exp(l2 - next), p3 = MathF.Exp(l3 - next);
            sum = sum * rescale + (p0 + p1) + (p2 + p3);
            acc.AddScaled(p0, values, (slot0 + m) * (d / 4));
            acc.AddScaled(p1, values, (slot0 + m + 1) * (d / 4));
            acc.AddScaled(p2, values, (slot0 + m + 2) * (d / 4));
            acc.AddScaled(p3, values, (slot0 + m + 3) * (d / 4));
            best = next;
        }
        acc.StoreScaled(output, token * a.OutStride + a.OutOffset + headOffset, 1f / sum);
    }

    // (q·k)·scale (+ the relative position bias) of key m of the thread's window, −∞ for the padding slots past s²
    // (zero rows: weight 0). The bias index is clamped so that it stays inside the bias for those slots.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float WindowLogit(in Row32 qv, ArrayView<BlockGemmKernels.Quad> keys, ArrayView<float> bias, int slot0, int m, int area, int biasRow, WindowAttentionArgs a)
    {
        float logit = qv.Dot(keys, (slot0 + m) * (Row32.Length / 4)) * a.Scale;
        if (a.HasBias != 0)
        {
            logit += bias[biasRow + Math.Min(m, area - 1)];
        }
        return m < area ? logit : float.NegativeInfinity;
    }

    /// <summary>Whether <see cref="WindowPacked"/> takes this geometry: head dim 32, window side 2 to 8.</summary>
    public static bool PackedSupports(WindowAttentionArgs args) =>
        args.HeadDim == Row32.Length && args.Window is >= PackedMinWindow and <= PackedMaxWindow;

    /// <summary>Runs <see cref="WindowAttentionPacked32"/> (several windows per group); the same contract as <see cref="Window"/>.</summary>
    public static void WindowPacked(KernelDevice device, ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, WindowAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        AttentionChecks.Require(PackedSupports(args), $"window attention (several windows per group, head dim 32): head dim {args.HeadDim} and window {args.Window} are not 32 and {PackedMinWindow}..{PackedMaxWindow}");
        if (AttentionChecks.Window(qkv, padKv, bias, output, args))
        {
            int per = PackedWindowThreads / (args.Window * args.Window);
            var config = Configs.Folded((AttentionChecks.WindowCount(args) + per - 1) / per, args.Heads, args.Batch, PackedWindowThreads);
            device.Launch(WindowAttentionPacked32, config, qkv, padKv, bias.Length > 0 ? bias : padKv, output, args);
        }
    }

    /// <summary>Whether <see cref="WindowShared"/> takes this geometry: <see cref="PackedSupports"/> or <see cref="GroupedSupports"/>.</summary>
    public static bool SharedSupports(WindowAttentionArgs args) => PackedSupports(args) || GroupedSupports(args);

    /// <summary>
    /// Window attention with the window's keys staged in shared memory: <see cref="WindowPacked"/> for head dim 32 and
    /// s = 2..8, else <see cref="WindowGrouped"/>; the contract of <see cref="Window"/>.
    /// </summary>
    public static void WindowShared(KernelDevice device, ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, WindowAttentionArgs args)
    {
        if (PackedSupports(args))
        {
            WindowPacked(device, qkv, padKv, bias, output, args);
        }
        else
        {
            WindowGrouped(device, qkv, padKv, bias, output, args);
        }
    }
}
