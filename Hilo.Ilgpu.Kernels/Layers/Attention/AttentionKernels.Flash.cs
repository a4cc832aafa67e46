using System.Runtime.CompilerServices;
using Hilo.Ilgpu.Kernels.Gemm;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>Global attention for head dim 32 with everything a thread owns in registers (FlashAttention's loop).</summary>
public static partial class AttentionKernels
{
    /// <summary>Queries (threads) per group of <see cref="GlobalAttentionFlash32"/>: one warp, and lane j also copies channel j.</summary>
    public const int FlashQueries = 32;

    /// <summary>Keys (and values) per tile <see cref="GlobalAttentionFlash32"/> stages in shared memory (2 × 32 × 32 floats = 8 KiB).</summary>
    public const int FlashKeyTile = 32;

    /// <summary>Keys whose logits <see cref="GlobalAttentionFlash32"/> holds at once: one softmax rescale per chunk.</summary>
    public const int FlashChunk = 4;

    /// <summary>
    /// Global attention for head dim 32 (LITv2's), FlashAttention's way, with nothing in local memory: one group of
    /// <see cref="FlashQueries"/> threads per (32 queries, head, batch item), a thread per query. The group copies
    /// <see cref="FlashKeyTile"/> keys and values of its head at a time into shared memory (lane j reads channel j of
    /// every key row: one coalesced 128-byte read a row), and each thread keeps its q, its running maximum and sum and
    /// its output row in registers (<see cref="Row32"/>: the head dim written out, since ILGPU does not unroll loops).
    /// Keys are taken 4 at a time: 4 logits, one rescale of the accumulator by exp(old max − new max), 4 weighted adds
    /// of v; the output is written once. Rows of the last tile past the last key are zeros with logit −∞ (weight 0).
    /// The result of <see cref="GlobalAttention"/>. Grid: ⌈N/32⌉ × Heads × B groups, folded (<see cref="Configs.Folded"/>).
    /// </summary>
    [IlgpuKernel("attention")]
    public static void GlobalAttentionFlash32(ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs a)
    {
        const int d = Row32.Length;
        // Tiles of 16-byte words (read 4 floats at a time, ld.shared.v4), written as floats.
        var keys = SharedMemory.Allocate<BlockGemmKernels.Quad>(FlashKeyTile * d / 4);
        var values = SharedMemory.Allocate<BlockGemmKernels.Quad>(FlashKeyTile * d / 4);
        var keyFloats = keys.Cast<float>();
        var valueFloats = values.Cast<float>();
        Configs.Unfold((a.Queries + FlashQueries - 1) / FlashQueries, a.Heads, out int groupX, out int head, out int item);
        int lane = Group.IdxX;
        int query = groupX * FlashQueries + lane;
        // Threads past the last query stage tiles like the others (every thread reaches every barrier) but store nothing.
        int row = item * a.Queries + Math.Min(query, a.Queries - 1);
        int headOffset = head * d;
        var qv = Row32.Load(q, row * a.QStride + a.QOffset + headOffset);
        var acc = default(Row32);
        int kvBase = item * a.Keys * a.KvStride + headOffset + lane;
        float best = float.NegativeInfinity;
        float sum = 0f;
        for (int t0 = 0; t0 < a.Keys; t0 += FlashKeyTile)
        {
            int count = Math.Min(FlashKeyTile, a.Keys - t0);
            int rows = (count + FlashChunk - 1) / FlashChunk * FlashChunk;
            for (int m = 0; m < rows; m++)
            {
                // The address stays inside the view for the padding rows; their value is replaced by zero.
                int at = kvBase + Math.Min(t0 + m, a.Keys - 1) * a.KvStride;
                bool real = m < count;
                keyFloats[m * d + lane] = real ? kv[at + a.KOffset] : 0f;
                valueFloats[m * d + lane] = real ? kv[at + a.VOffset] : 0f;
            }
            SharedBarrier.Sync();
            for (int m = 0; m < count; m += FlashChunk)
            {
                Chunk4(qv, ref acc, ref best, ref sum, keys, values, m, count, a.Scale);
            }
            SharedBarrier.Sync();
        }
        if (query < a.Queries)
        {
            acc.StoreScaled(output, row * a.OutStride + a.OutOffset + headOffset, 1f / sum);
        }
    }

    // Keys m .. m + 3 of the staged tile (those at or past `count` weigh 0): their logits, one rescale of the running
    // sum and accumulator to the new maximum, then their weighted values. The chunk holds at least one real key, so
    // the new maximum is finite and exp(old − new) is 0 on the first chunk (old = −∞), where nothing is accumulated yet.
    // Four keys, not eight: with eight (and the logits as selects) ptxas took 255 registers and spilled on sm_80.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Chunk4(in Row32 qv, ref Row32 acc, ref float best, ref float sum, ArrayView<BlockGemmKernels.Quad> keys, ArrayView<BlockGemmKernels.Quad> values, int m, int count, float scale)
    {
        const int w = Row32.Length / 4; // 16-byte words a row
        float l0 = Logit(qv, keys, m, count, scale);
        float l1 = Logit(qv, keys, m + 1, count, scale);
        float l2 = Logit(qv, keys, m + 2, count, scale);
        float l3 = Logit(qv, keys, m + 3, count, scale);
        float next = MathF.Max(MathF.Max(best, l0), MathF.Max(MathF.Max(l1, l2), l3));
        if (next > best)
        {
            // Skipped when the maximum stays (the factor would be exp(0) = 1).
            float rescale = MathF.Exp(best - next);
            acc.Scale(rescale);
            sum *= rescale;
            best = next;
        }
        float p0 = MathF.Exp(l0 - next), p1 = MathF.Exp(l1 - next), p2 = MathF.Exp(l2 - next), p3 = MathF.Exp(l3 - next);
        sum += (p0 + p1) + (p2 + p3);
        acc.AddScaled(p0, values, m * w);
        acc.AddScaled(p1, values, (m + 1) * w);
        acc.AddScaled(p2, values, (m + 2) * w);
        acc.AddScaled(p3, values, (m + 3) * w);
    }

    // (q·k)·scale of staged key m, −∞ past the tile's last key. A branch, not a select: it skips the padding rows,
    // and each dot product is a basic block of its own, so ptxas does not hoist the shared loads of all four keys
    // at once (with a select it did, and used 254 registers).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Logit(in Row32 qv, ArrayView<BlockGemmKernels.Quad> keys, int m, int count, float scale)
    {
        float logit = float.NegativeInfinity;
        if (m < count)
        {
            logit = qv.Dot(keys, m * (Row32.Length / 4)) * scale;
        }
        return logit;
    }

    /// <summary>Whether <see cref="GlobalAttentionFlash32"/> takes this geometry: head dim 32.</summary>
    public static bool FlashSupports(GlobalAttentionArgs args) => args.HeadDim == Row32.Length;

    /// <summary>Runs <see cref="GlobalAttentionFlash32"/> (head dim 32 only); the contract of <see cref="Global"/>.</summary>
    public static void GlobalFlash(KernelDevice device, ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        AttentionChecks.Require(FlashSupports(args), $"global attention (head dim 32 in registers): head dim {args.HeadDim} is not 32");
        if (AttentionChecks.Global(q, kv, output, args))
        {
            var config = Configs.Folded((args.Queries + FlashQueries - 1) / FlashQueries, args.Heads, args.Batch, FlashQueries);
            device.Launch(GlobalAttentionFlash32, config, q, kv, output, args);
        }
    }
}
