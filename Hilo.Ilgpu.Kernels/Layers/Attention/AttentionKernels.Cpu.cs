using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>
/// CPU-style variants of the attention kernels (work-group size 1, wide registers; DESIGN.md §6), for head dims
/// that are multiples of 16. Each work-item handles a block of queries of one head; per query it runs three
/// tight loops: logits (q·k in <see cref="Float16"/> registers, then one horizontal sum per key) written to the
/// work-item's own slice of a scratch buffer together with their maximum; the exponentials, in place, and their
/// sum (scalar <c>exp</c>: no vector registers are live across the calls); and the weighted sum of values,
/// 16 channels at a time with four independent accumulators, normalised once and stored. Same softmax as the
/// scalar kernels (logits scaled, maximum subtracted).
/// </summary>
public static partial class AttentionKernels
{
    /// <summary>Queries per work-item of <see cref="GlobalAttentionCpu"/>.</summary>
    public const int CpuQueriesPerItem = 16;

    /// <summary>
    /// Global attention, CPU style. Grid: (⌈N / <see cref="CpuQueriesPerItem"/>⌉, Heads, B), group size 1;
    /// work-item (x, y, z) uses <c>scratch[((z·Heads + y)·blocks + x)·M ..][0 .. M)</c>.
    /// </summary>
    [Kernel]
    public static void GlobalAttentionCpu(ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, ArrayView<float> scratch, GlobalAttentionArgs a, int blocks)
    {
        int block = Grid.GlobalIndex.X;
        int head = Grid.GlobalIndex.Y;
        int item = Grid.GlobalIndex.Z;
        int d = a.HeadDim;
        int headOffset = head * d;
        int slot = ((item * a.Heads + head) * blocks + block) * a.Keys;
        int kvBase = item * a.Keys * a.KvStride;
        int k0 = kvBase + a.KOffset + headOffset;
        int v0 = kvBase + a.VOffset + headOffset;
        int first = block * CpuQueriesPerItem;
        int last = Math.Min(first + CpuQueriesPerItem, a.Queries);
        for (int query = first; query < last; query++)
        {
            int qRow = (item * a.Queries + query) * a.QStride + a.QOffset + headOffset;
            float best = float.NegativeInfinity;
            for (int m = 0; m < a.Keys; m++)
            {
                float logit = DotVector(q, qRow, kv, k0 + m * a.KvStride, d) * a.Scale;
                scratch[slot + m] = logit;
                best = MathF.Max(best, logit);
            }
            float inv = 1f / ExpInPlace(scratch, slot, a.Keys, best);
            int o = (item * a.Queries + query) * a.OutStride + a.OutOffset + headOffset;
            for (int j = 0; j < d; j += Float16.Count)
            {
                Float16 acc0 = Float16.Zero, acc1 = Float16.Zero, acc2 = Float16.Zero, acc3 = Float16.Zero;
                int v = v0 + j;
                int m = 0;
                for (; m + 4 <= a.Keys; m += 4)
                {
                    acc0 = Float16.Fma(new Float16(scratch[slot + m]), Float16.Load(kv, v), acc0);
                    acc1 = Float16.Fma(new Float16(scratch[slot + m + 1]), Float16.Load(kv, v + a.KvStride), acc1);
                    acc2 = Float16.Fma(new Float16(scratch[slot + m + 2]), Float16.Load(kv, v + 2 * a.KvStride), acc2);
                    acc3 = Float16.Fma(new Float16(scratch[slot + m + 3]), Float16.Load(kv, v + 3 * a.KvStride), acc3);
                    v += 4 * a.KvStride;
                }
                for (; m < a.Keys; m++)
                {
                    acc0 = Float16.Fma(new Float16(scratch[slot + m]), Float16.Load(kv, v), acc0);
                    v += a.KvStride;
                }
                ((acc0 + acc1 + (acc2 + acc3)) * inv).Store(output, o + j);
            }
        }
    }

    /// <summary>
    /// Window attention, CPU style: one work-item per (window, head, batch item) computes the window's real
    /// queries against its s² keys (padded keys from <paramref name="padKv"/>, as <see cref="WindowAttention"/>).
    /// Grid: (windows across · windows down, Heads, B), group size 1; work-item (x, y, z) uses
    /// <c>scratch[((z·Heads + y)·windows + x)·s² ..][0 .. s²)</c>.
    /// </summary>
    [Kernel]
    public static void WindowAttentionCpu(ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, ArrayView<float> scratch, WindowAttentionArgs a)
    {
        int window = Grid.GlobalIndex.X;
        int head = Grid.GlobalIndex.Y;
        int item = Grid.GlobalIndex.Z;
        int s = a.Window;
        int across = (a.Width + s - 1) / s;
        int windows = across * ((a.Height + s - 1) / s);
        int wy = window / across;
        int y0 = wy * s;
        int x0 = (window - wy * across) * s;
        int d = a.HeadDim;
        int dim = a.Heads * d;
        int headOffset = head * d;
        int area = s * s;
        int rowBase = item * a.Height * a.Width;
        int slot = ((item * a.Heads + head) * windows + window) * area;
        for (int qi = 0; qi < area; qi++)
        {
            int qy = y0 + qi / s;
            int qx = x0 + qi - qi / s * s;
            if (qy >= a.Height || qx >= a.Width)
            {
                continue;
            }
            int qRow = (rowBase + qy * a.Width + qx) * a.QkvStride + headOffset;
            float best = float.NegativeInfinity;
            for (int ki = 0; ki < area; ki++)
            {
                int ky = y0 + ki / s;
                int kx = x0 + ki - ki / s * s;
                float dot;
                if (ky < a.Height && kx < a.Width)
                {
                    dot = DotVector(qkv, qRow, qkv, (rowBase + ky * a.Width + kx) * a.QkvStride + dim + headOffset, d);
                }
                else
                {
                    dot = DotVector(qkv, qRow, padKv, headOffset, d);
                }
                float logit = dot * a.Scale;
                if (a.HasBias != 0)
                {
                    logit += bias[(head * area + qi) * area + ki];
                }
                scratch[slot + ki] = logit;
                best = MathF.Max(best, logit);
            }
            float inv = 1f / ExpInPlace(scratch, slot, area, best);
            int o = (rowBase + qy * a.Width + qx) * a.OutStride + a.OutOffset + headOffset;
            for (int j = 0; j < d; j += Float16.Count)
            {
                Float16 acc = Float16.Zero;
                for (int ki = 0; ki < area; ki++)
                {
                    int ky = y0 + ki / s;
                    int kx = x0 + ki - ki / s * s;
                    var p = new Float16(scratch[slot + ki]);
                    if (ky < a.Height && kx < a.Width)
                    {
                        acc = Float16.Fma(p, Float16.Load(qkv, (rowBase + ky * a.Width + kx) * a.QkvStride + 2 * dim + headOffset + j), acc);
                    }
                    else
                    {
                        acc = Float16.Fma(p, Float16.Load(padKv, dim + headOffset + j), acc);
                    }
                }
                (acc * inv).Store(output, o + j);
            }
        }
    }

    // Σ a[ia + j]·b[ib + j] over j < n (n a multiple of 16), two accumulators.
    private static float DotVector(ArrayView<float> a, int ia, ArrayView<float> b, int ib, int n)
    {
        Float16 s0 = Float16.Zero;
        Float16 s1 = Float16.Zero;
        int j = 0;
        for (; j + 2 * Float16.Count <= n; j += 2 * Float16.Count)
        {
            s0 = Float16.Fma(Float16.Load(a, ia + j), Float16.Load(b, ib + j), s0);
            s1 = Float16.Fma(Float16.Load(a, ia + j + Float16.Count), Float16.Load(b, ib + j + Float16.Count), s1);
        }
        if (j < n)
        {
            s0 = Float16.Fma(Float16.Load(a, ia + j), Float16.Load(b, ib + j), s0);
        }
        return (s0 + s1).Sum();
    }

    // Replaces the n logits at scratch[at ..] by exp(logit − best) and returns their sum.
    private static float ExpInPlace(ArrayView<float> scratch, int at, int n, float best)
    {
        float sum = 0f;
        for (int m = 0; m < n; m++)
        {
            float e = MathF.Exp(scratch[at + m] - best);
            scratch[at + m] = e;
            sum += e;
        }
        return sum;
    }
}
