using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>
/// Softmax attention as ILGPU kernels on channels-last token tensors, one thread per (query, head, batch item),
/// reading q, k and v straight from the projection outputs (no transposes, no concatenation copies). Logits are
/// <c>(q·k)·scale</c>; the softmax is the stable one (the maximum subtracted before <c>exp</c>), computed online in one
/// pass over the keys: when a larger logit arrives, the running sum and the output accumulated so far are rescaled.
/// The weighted sum accumulates in the thread's own output row. Float64 references: <see cref="AttentionReference"/>.
/// </summary>
public static partial class AttentionKernels
{
    /// <summary>Threads per group along the queries.</summary>
    public const int QueryGroup = 64;

    /// <summary>
    /// Window attention (HiLo Hi-Fi, Swin W-MSA): the H×W map is padded at bottom/right to multiples of s and cut into
    /// s×s windows; each real query attends to the s² keys of its window. A key at a padded position is a zero input
    /// token, so its k and v are the projection bias: they are read from <paramref name="padKv"/> (<c>[k bias | v bias]</c>,
    /// 2·Heads·HeadDim values; zeros without bias). Queries at padded positions would be cropped, so they are not
    /// computed. Optional relative position bias <paramref name="bias"/> [Heads, s², s²]. Grid: (⌈H·W/64⌉, Heads, B).
    /// </summary>
    [IlgpuKernel("attention")]
    public static void WindowAttention(ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, WindowAttentionArgs a)
    {
        Configs.Unfold((a.Height * a.Width + Group.DimX - 1) / Group.DimX, a.Heads, out int groupX, out int head, out int item);
        int token = groupX * Group.DimX + Group.IdxX;
        int tokens = a.Height * a.Width;
        if (token >= tokens)
        {
            return;
        }
        int y = token / a.Width;
        int x = token - y * a.Width;
        int y0 = y / a.Window * a.Window;
        int x0 = x / a.Window * a.Window;
        int dim = a.Heads * a.HeadDim;
        int headOffset = head * a.HeadDim;
        int rowBase = item * tokens;
        int q = (rowBase + token) * a.QkvStride + headOffset;
        int area = a.Window * a.Window;
        int biasRow = (head * area + (y - y0) * a.Window + (x - x0)) * area;
        int o = (rowBase + token) * a.OutStride + a.OutOffset + headOffset;
        for (int j = 0; j < a.HeadDim; j++)
        {
            output[o + j] = 0f;
        }
        float best = float.NegativeInfinity;
        float sum = 0f;
        for (int ky = 0; ky < a.Window; ky++)
        {
            for (int kx = 0; kx < a.Window; kx++)
            {
                int ty = y0 + ky;
                int tx = x0 + kx;
                bool real = ty < a.Height && tx < a.Width;
                int key = real ? (rowBase + ty * a.Width + tx) * a.QkvStride + dim + headOffset : headOffset;
                float dot = 0f;
                for (int j = 0; j < a.HeadDim; j++)
                {
                    dot += qkv[q + j] * (real ? qkv[key + j] : padKv[key + j]);
                }
                float logit = dot * a.Scale;
                if (a.HasBias != 0)
                {
                    logit += bias[biasRow + ky * a.Window + kx];
                }
                int value = key + dim;
                Accumulate(output, o, real ? qkv : padKv, value, logit, ref best, ref sum, a.HeadDim);
            }
        }
        Normalize(output, o, sum, a.HeadDim);
    }

    /// <summary>Largest s²·d (keys × head dim) <see cref="WindowAttentionGrouped"/> stages in shared memory (its k and v: 2 × 16 KiB).</summary>
    public const int MaxGroupedWindowElements = 4096;

    /// <summary>Threads per group of <see cref="WindowAttentionGrouped"/>.</summary>
    public const int WindowGroup = 64;

    /// <summary>
    /// Window attention with one group per (window, head, batch item): the group first stages the window's s² keys and
    /// values of this head in shared memory (reading each once from global memory, coalesced, padded positions from
    /// <paramref name="padKv"/>), then its threads take the window's queries (thread t the queries t, t + 64, …) and run
    /// the online softmax over the staged keys. The same result as <see cref="WindowAttention"/>, which reads every
    /// key once per query. Needs s²·HeadDim ≤ <see cref="MaxGroupedWindowElements"/>. Grid: (windows, Heads, B).
    /// </summary>
    [IlgpuKernel("attention")]
    public static void WindowAttentionGrouped(ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, WindowAttentionArgs a)
    {
        var keys = SharedMemory.Allocate<float>(MaxGroupedWindowElements);
        var values = SharedMemory.Allocate<float>(MaxGroupedWindowElements);
        int s = a.Window;
        int across = (a.Width + s - 1) / s;
        Configs.Unfold(across * ((a.Height + s - 1) / s), a.Heads, out int window, out int head, out int item);
        int wy = window / across;
        int y0 = wy * s;
        int x0 = (window - wy * across) * s;
        int area = s * s;
        int d = a.HeadDim;
        int dim = a.Heads * d;
        int headOffset = head * d;
        int rowBase = item * a.Height * a.Width;
        for (int e = Group.IdxX; e < area * d; e += Group.DimX)
        {
            int m = e / d;
            int j = e - m * d;
            int ty = y0 + m / s;
            int tx = x0 + m - m / s * s;
            if (ty < a.Height && tx < a.Width)
            {
                int row = (rowBase + ty * a.Width + tx) * a.QkvStride + headOffset + j;
                keys[e] = qkv[row + dim];
                values[e] = qkv[row + 2 * dim];
            }
            else
            {
                keys[e] = padKv[headOffset + j];
                values[e] = padKv[dim + headOffset + j];
            }
        }
        SharedBarrier.Sync();
        for (int qi = Group.IdxX; qi < area; qi += Group.DimX)
        {
            int qy = y0 + qi / s;
            int qx = x0 + qi - qi / s * s;
            if (qy >= a.Height || qx >= a.Width)
            {
                continue;
            }
            int token = rowBase + qy * a.Width + qx;
            int q = token * a.QkvStride + headOffset;
            int o = token * a.OutStride + a.OutOffset + headOffset;
            for (int j = 0; j < d; j++)
            {
                output[o + j] = 0f;
            }
            float best = float.NegativeInfinity;
            float sum = 0f;
            int biasRow = (head * area + qi) * area;
            for (int m = 0; m < area; m++)
            {
                float dot = 0f;
                for (int j = 0; j < d; j++)
                {
                    dot += qkv[q + j] * keys[m * d + j];
                }
                float logit = dot * a.Scale;
                if (a.HasBias != 0)
                {
                    logit += bias[biasRow + m];
                }
                if (logit > best)
                {
                    float rescale = MathF.Exp(best - logit);
                    sum *= rescale;
                    for (int j = 0; j < d; j++)
                    {
                        output[o + j] *= rescale;
                    }
                    best = logit;
                }
                float p = MathF.Exp(logit - best);
                sum += p;
                for (int j = 0; j < d; j++)
                {
                    output[o + j] += p * values[m * d + j];
                }
            }
            Normalize(output, o, sum, d);
        }
    }

    /// <summary>
    /// Global attention (ViT MSA, HiLo Lo-Fi, PVT SRA): every query attends to all M keys of its batch item.
    /// <paramref name="q"/> and <paramref name="kv"/> may be the same view (MSA's packed qkv). Grid: (⌈N/64⌉, Heads, B).
    /// </summary>
    [IlgpuKernel("attention")]
    public static void GlobalAttention(ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs a)
    {
        Configs.Unfold((a.Queries + Group.DimX - 1) / Group.DimX, a.Heads, out int groupX, out int head, out int item);
        int query = groupX * Group.DimX + Group.IdxX;
        if (query >= a.Queries)
        {
            return;
        }
        int headOffset = head * a.HeadDim;
        int qRow = (item * a.Queries + query) * a.QStride + a.QOffset + headOffset;
        int kvBase = item * a.Keys * a.KvStride;
        int k0 = kvBase + a.KOffset + headOffset;
        int v0 = kvBase + a.VOffset + headOffset;
        int o = (item * a.Queries + query) * a.OutStride + a.OutOffset + headOffset;
        for (int j = 0; j < a.HeadDim; j++)
        {
            output[o + j] = 0f;
        }
        float best = float.NegativeInfinity;
        float sum = 0f;
        for (int m = 0; m < a.Keys; m++)
        {
            int key = k0 + m * a.KvStride;
            float dot = 0f;
            for (int j = 0; j < a.HeadDim; j++)
            {
                dot += q[qRow + j] * kv[key + j];
            }
            Accumulate(output, o, kv, v0 + m * a.KvStride, dot * a.Scale, ref best, ref sum, a.HeadDim);
        }
        Normalize(output, o, sum, a.HeadDim);
    }

    // One step of the online softmax: a logit above the running maximum rescales what was accumulated so far.
    private static void Accumulate(ArrayView<float> output, int o, ArrayView<float> v, int iv, float logit, ref float best, ref float sum, int n)
    {
        if (logit > best)
        {
            float rescale = MathF.Exp(best - logit);
            sum *= rescale;
            for (int j = 0; j < n; j++)
            {
                output[o + j] *= rescale;
            }
            best = logit;
        }
        float p = MathF.Exp(logit - best);
        sum += p;
        for (int j = 0; j < n; j++)
        {
            output[o + j] += p * v[iv + j];
        }
    }

    private static void Normalize(ArrayView<float> output, int o, float sum, int n)
    {
        float inv = 1f / sum;
        for (int j = 0; j < n; j++)
        {
            output[o + j] *= inv;
        }
    }

    /// <summary>
    /// Runs <see cref="WindowAttention"/>. <paramref name="bias"/> is read only when <c>HasBias</c> is 1 (any
    /// non-empty view otherwise); the output columns <c>[OutOffset, OutOffset + Heads·HeadDim)</c> of every real token
    /// row are written, nothing else.
    /// </summary>
    public static void Window(KernelDevice device, ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, WindowAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (AttentionChecks.Window(qkv, padKv, bias, output, args))
        {
            var config = Configs.Folded((args.Height * args.Width + QueryGroup - 1) / QueryGroup, args.Heads, args.Batch, QueryGroup);
            device.Launch(WindowAttention, config, qkv, padKv, bias.Length > 0 ? bias : padKv, output, args);
        }
    }

    /// <summary>Whether <see cref="WindowGrouped"/> takes this geometry: the window's keys and values of one head fit its shared memory.</summary>
    public static bool GroupedSupports(WindowAttentionArgs args) => args.Window >= 1 && args.HeadDim >= 1 && (long)args.Window * args.Window * args.HeadDim <= MaxGroupedWindowElements;

    /// <summary>Runs <see cref="WindowAttentionGrouped"/> (one group per window and head); the same contract as <see cref="Window"/>.</summary>
    public static void WindowGrouped(KernelDevice device, ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, WindowAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        AttentionChecks.Require(GroupedSupports(args), $"window attention (one group per window): s²·d = {(long)args.Window * args.Window * args.HeadDim} is over {MaxGroupedWindowElements}");
        if (AttentionChecks.Window(qkv, padKv, bias, output, args))
        {
            var config = Configs.Folded(AttentionChecks.WindowCount(args), args.Heads, args.Batch, WindowGroup);
            device.Launch(WindowAttentionGrouped, config, qkv, padKv, bias.Length > 0 ? bias : padKv, output, args);
        }
    }

    /// <summary>
    /// Global attention: <see cref="GlobalFlash"/> for head dim 32 (everything a thread owns in registers),
    /// <see cref="GlobalTiled"/> for other head dims up to <see cref="MaxTiledHeadDim"/>, else
    /// <see cref="GlobalPerQuery"/>; writes output columns <c>[OutOffset, OutOffset + Heads·HeadDim)</c> of every query
    /// row, nothing else.
    /// </summary>
    public static void Global(KernelDevice device, ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs args)
    {
        if (FlashSupports(args))
        {
            GlobalFlash(device, q, kv, output, args);
        }
        else if (TiledSupports(args))
        {
            GlobalTiled(device, q, kv, output, args);
        }
        else
        {
            GlobalPerQuery(device, q, kv, output, args);
        }
    }

    /// <summary>Runs <see cref="GlobalAttention"/> (one thread per query, no shared memory; any head dim); the contract of <see cref="Global"/>.</summary>
    public static void GlobalPerQuery(KernelDevice device, ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (AttentionChecks.Global(q, kv, output, args))
        {
            var config = Configs.Folded((args.Queries + QueryGroup - 1) / QueryGroup, args.Heads, args.Batch, QueryGroup);
            device.Launch(GlobalAttention, config, q, kv, output, args);
        }
    }
}
