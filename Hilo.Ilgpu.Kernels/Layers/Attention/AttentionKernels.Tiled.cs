using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>Global attention for any head dim up to 64: key/value tiles in shared memory, accumulators in private arrays.</summary>
public static partial class AttentionKernels
{
    /// <summary>Keys (and values) per tile staged in shared memory by <see cref="GlobalAttentionTiled"/>.</summary>
    public const int KeyTile = 64;

    /// <summary>Largest head dim <see cref="GlobalAttentionTiled"/> takes (its tiles: 2 × 64 × 64 floats = 32 KiB).</summary>
    public const int MaxTiledHeadDim = 64;

    /// <summary>
    /// Global attention with one group of 64 threads per (64 queries, head, batch item), a thread per query: the
    /// group stages 64 keys and values of its head at a time in shared memory (each read once from global memory per
    /// group, coalesced, instead of once per query), and every thread keeps its scaled q, its 64 logits and its output
    /// row in private memory (registers on GPUs) and runs the online softmax per tile: one rescale per tile, the output
    /// written once at the end. The result of <see cref="GlobalAttention"/>, for head dims up to
    /// <see cref="MaxTiledHeadDim"/>; head dim 32 runs <see cref="GlobalAttentionFlash32"/> instead. The private
    /// arrays are indexed by loop variables (ILGPU 1.5.3 does not unroll loops), so they live in local memory (a
    /// 768-byte stack frame in ptxas): this is the general path, not the fast one. Grid: ⌈N/64⌉ × Heads × B groups, folded (<see cref="Configs.Folded"/>).
    /// </summary>
    [IlgpuKernel("attention")]
    public static void GlobalAttentionTiled(ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs a) =>
        TiledCore(q, kv, output, a, a.HeadDim);

    private static void TiledCore(ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs a, int d)
    {
        var keys = SharedMemory.Allocate<float>(KeyTile * MaxTiledHeadDim);
        var values = SharedMemory.Allocate<float>(KeyTile * MaxTiledHeadDim);
        var qv = LocalMemory.Allocate<float>(MaxTiledHeadDim);
        var acc = LocalMemory.Allocate<float>(MaxTiledHeadDim);
        var logits = LocalMemory.Allocate<float>(KeyTile);
        Configs.Unfold((a.Queries + KeyTile - 1) / KeyTile, a.Heads, out int groupX, out int head, out int item);
        int query = groupX * KeyTile + Group.IdxX;
        // Threads past the last query stage tiles like the others (every thread reaches every barrier) but store nothing.
        int row = item * a.Queries + Math.Min(query, a.Queries - 1);
        int headOffset = head * d;
        int qRow = row * a.QStride + a.QOffset + headOffset;
        for (int j = 0; j < d; j++)
        {
            qv[j] = q[qRow + j];
            acc[j] = 0f;
        }
        int kvBase = item * a.Keys * a.KvStride;
        int k0 = kvBase + a.KOffset + headOffset;
        int v0 = kvBase + a.VOffset + headOffset;
        float best = float.NegativeInfinity;
        float sum = 0f;
        for (int t0 = 0; t0 < a.Keys; t0 += KeyTile)
        {
            int count = Math.Min(KeyTile, a.Keys - t0);
            // Consecutive threads read consecutive channels of a key row (coalesced).
            for (int e = Group.IdxX; e < count * d; e += Group.DimX)
            {
                int m = e / d;
                int j = e - m * d;
                int at = (t0 + m) * a.KvStride + j;
                keys[e] = kv[k0 + at];
                values[e] = kv[v0 + at];
            }
            SharedBarrier.Sync();
            // Every thread reads the same key at once: a shared-memory broadcast, no bank conflicts.
            float tileBest = float.NegativeInfinity;
            for (int m = 0; m < count; m++)
            {
                float dot = 0f;
                for (int j = 0; j < d; j++)
                {
                    dot += qv[j] * keys[m * d + j];
                }
                float logit = dot * a.Scale;
                logits[m] = logit;
                tileBest = MathF.Max(tileBest, logit);
            }
            float next = MathF.Max(best, tileBest);
            float rescale = MathF.Exp(best - next);
            sum *= rescale;
            for (int j = 0; j < d; j++)
            {
                acc[j] *= rescale;
            }
            for (int m = 0; m < count; m++)
            {
                float p = MathF.Exp(logits[m] - next);
                sum += p;
                for (int j = 0; j < d; j++)
                {
                    acc[j] += p * values[m * d + j];
                }
            }
            best = next;
            SharedBarrier.Sync();
        }
        if (query >= a.Queries)
        {
            return;
        }
        int o = row * a.OutStride + a.OutOffset + headOffset;
        float inv = 1f / sum;
        for (int j = 0; j < d; j++)
        {
            output[o + j] = acc[j] * inv;
        }
    }

    /// <summary>Whether <see cref="GlobalAttentionTiled"/> takes this geometry (head dim 1 to <see cref="MaxTiledHeadDim"/>).</summary>
    public static bool TiledSupports(GlobalAttentionArgs args) => args.HeadDim is >= 1 and <= MaxTiledHeadDim;

    /// <summary>
    /// Runs <see cref="GlobalAttentionTiled"/> (any head dim up to <see cref="MaxTiledHeadDim"/>); the same contract as
    /// <see cref="Global"/>, which calls it for those head dims other than 32.
    /// </summary>
    public static void GlobalTiled(KernelDevice device, ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        AttentionChecks.Require(TiledSupports(args), $"global attention (key tiles in shared memory): head dim {args.HeadDim} is over {MaxTiledHeadDim}");
        if (AttentionChecks.Global(q, kv, output, args))
        {
            var config = Configs.Folded((args.Queries + KeyTile - 1) / KeyTile, args.Heads, args.Batch, KeyTile);
            device.Launch(GlobalAttentionTiled, config, q, kv, output, args);
        }
    }
}
