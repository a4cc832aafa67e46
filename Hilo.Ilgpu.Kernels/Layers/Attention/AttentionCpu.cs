using System.Runtime.CompilerServices;
using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Kernels.Runtime;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>
/// CPU-style variants of the attention kernels (work-group size 1, wide registers; DESIGN.md §6), for head dims
/// that are multiples of 16, same softmax as the scalar kernels (logits scaled, maximum subtracted).
/// <see cref="GlobalAttentionCpu"/> (HiLo's Lo-Fi branch: ~49 keys) works like a small GEMM: keys transposed into
/// scratch so that logits of 16 keys fill one vector, four queries per pass, a vector exp, and the weighted sum of
/// values with broadcast weights. <see cref="WindowAttentionCpu"/> (s² keys, 4 for HiLo) computes each logit as a
/// vector dot product and one horizontal sum, scalar <c>exp</c>, and the weighted sum 16 channels at a time.
/// Both use a scratch buffer (the caller's; the layers keep one across calls), each work-item its own slice.
/// </summary>
public static partial class AttentionCpu
{
    /// <summary>Keys rounded up to whole <see cref="Float16"/> vectors: the lane count of the transposed keys.</summary>
    public static int PaddedKeys(int keys) => (keys + Float16.Count - 1) / Float16.Count * Float16.Count;

    /// <summary>
    /// Global attention, CPU style: one work-item per (head, batch item) computes all N queries. It first copies
    /// this head's keys transposed into its scratch (<c>kt[j·P + m]</c> for channel j &lt; d, key m &lt; P =
    /// <see cref="PaddedKeys"/>, plus a row j = d holding 0 for real keys and −∞ for the padding), so that a query's
    /// logits are P/16 vectors of keys computed by broadcasting q's channels (no horizontal sums); the softmax runs
    /// on those vectors with <see cref="VectorMath.ExpNonPositive"/>, and the weighted sum of values broadcasts each weight.
    /// Grid: (1, Heads, B), group size 1; work-item (0, y, z) uses <c>scratch[(z·Heads + y)·(d + 5)·P ..]</c>
    /// (the transposed keys and the weights of four queries).
    /// </summary>
    [CpuKernel("attention")]
    internal static void GlobalAttentionCpu(HostView q, HostView kv, HostView output, HostView scratch, GlobalAttentionArgs a, int gx, int gy, int gz)
    {
        int head = gy;
        int item = gz;
        int d = a.HeadDim;
        int keys = a.Keys;
        int padded = PaddedKeys(keys);
        int headOffset = head * d;
        int kt = (item * a.Heads + head) * (d + 5) * padded;
        int weights = kt + (d + 1) * padded;
        int kvBase = item * keys * a.KvStride;
        int k0 = kvBase + a.KOffset + headOffset;
        int v0 = kvBase + a.VOffset + headOffset;
        for (int m = 0; m < padded; m++)
        {
            bool real = m < keys;
            for (int j = 0; j < d; j++)
            {
                scratch[kt + j * padded + m] = real ? kv[k0 + m * a.KvStride + j] : 0f;
            }
            scratch[kt + d * padded + m] = real ? 0f : float.NegativeInfinity;
        }
        // Four queries at a time: every transposed key vector and every value vector loaded serves four FMAs.
        // Past the last query the block repeats query N−1 and does not store it.
        int last = a.Queries - 1;
        int qBase = item * a.Queries;
        for (int query = 0; query < a.Queries; query += 4)
        {
            int q0 = (qBase + query) * a.QStride + a.QOffset + headOffset;
            int q1 = (qBase + Math.Min(query + 1, last)) * a.QStride + a.QOffset + headOffset;
            int q2 = (qBase + Math.Min(query + 2, last)) * a.QStride + a.QOffset + headOffset;
            int q3 = (qBase + Math.Min(query + 3, last)) * a.QStride + a.QOffset + headOffset;
            // Logits, 16 keys per vector, and each query's maximum.
            Float16 best0 = new Float16(float.NegativeInfinity), best1 = best0, best2 = best0, best3 = best0;
            for (int c = 0; c < padded; c += Float16.Count)
            {
                Float16 s0 = Float16.Zero, s1 = Float16.Zero, s2 = Float16.Zero, s3 = Float16.Zero;
                int at = kt + c;
                for (int j = 0; j < d; j++)
                {
                    Float16 k = Float16.Load(scratch, at);
                    s0 = Float16.Fma(new Float16(q[q0 + j]), k, s0);
                    s1 = Float16.Fma(new Float16(q[q1 + j]), k, s1);
                    s2 = Float16.Fma(new Float16(q[q2 + j]), k, s2);
                    s3 = Float16.Fma(new Float16(q[q3 + j]), k, s3);
                    at += padded;
                }
                Float16 mask = Float16.Load(scratch, at);
                s0 = s0 * a.Scale + mask;
                s1 = s1 * a.Scale + mask;
                s2 = s2 * a.Scale + mask;
                s3 = s3 * a.Scale + mask;
                s0.Store(scratch, weights + c);
                s1.Store(scratch, weights + padded + c);
                s2.Store(scratch, weights + 2 * padded + c);
                s3.Store(scratch, weights + 3 * padded + c);
                best0 = Float16.Max(best0, s0);
                best1 = Float16.Max(best1, s1);
                best2 = Float16.Max(best2, s2);
                best3 = Float16.Max(best3, s3);
            }
            float inv0 = 1f / Softmax(scratch, weights, padded, MaxLane(best0));
            float inv1 = 1f / Softmax(scratch, weights + padded, padded, MaxLane(best1));
            float inv2 = 1f / Softmax(scratch, weights + 2 * padded, padded, MaxLane(best2));
            float inv3 = 1f / Softmax(scratch, weights + 3 * padded, padded, MaxLane(best3));
            for (int j = 0; j < d; j += Float16.Count)
            {
                Float16 acc0 = Float16.Zero, acc1 = Float16.Zero, acc2 = Float16.Zero, acc3 = Float16.Zero;
                int v = v0 + j;
                for (int m = 0; m < keys; m++)
                {
                    Float16 value = Float16.Load(kv, v);
                    acc0 = Float16.Fma(new Float16(scratch[weights + m]), value, acc0);
                    acc1 = Float16.Fma(new Float16(scratch[weights + padded + m]), value, acc1);
                    acc2 = Float16.Fma(new Float16(scratch[weights + 2 * padded + m]), value, acc2);
                    acc3 = Float16.Fma(new Float16(scratch[weights + 3 * padded + m]), value, acc3);
                    v += a.KvStride;
                }
                int o = (qBase + query) * a.OutStride + a.OutOffset + headOffset + j;
                (acc0 * inv0).Store(output, o);
                if (query + 1 <= last)
                {
                    (acc1 * inv1).Store(output, o + a.OutStride);
                }
                if (query + 2 <= last)
                {
                    (acc2 * inv2).Store(output, o + 2 * a.OutStride);
                }
                if (query + 3 <= last)
                {
                    (acc3 * inv3).Store(output, o + 3 * a.OutStride);
                }
            }
        }
    }

    // Replaces the n (a multiple of 16) logits at scratch[at ..] by exp(logit − best) and returns their sum.
    private static float Softmax(HostView scratch, int at, int n, float best)
    {
        Float16 sum = Float16.Zero;
        for (int c = 0; c < n; c += Float16.Count)
        {
            Float16 e = VectorMath.ExpNonPositive(Float16.Load(scratch, at + c) - best);
            e.Store(scratch, at + c);
            sum += e;
        }
        return sum.Sum();
    }

    private static float MaxLane(Float16 v)
    {
        float m = MathF.Max(MathF.Max(MathF.Max(v[0], v[1]), MathF.Max(v[2], v[3])), MathF.Max(MathF.Max(v[4], v[5]), MathF.Max(v[6], v[7])));
        float n = MathF.Max(MathF.Max(MathF.Max(v[8], v[9]), MathF.Max(v[10], v[11])), MathF.Max(MathF.Max(v[12], v[13]), MathF.Max(v[14], v[15])));
        return MathF.Max(m, n);
    }

    /// <summary>
    /// Window attention, CPU style: one work-item per (window, head, batch item) computes the window's real
    /// queries against its s² keys (padded keys from <paramref name="padKv"/>, as <see cref="AttentionKernels.WindowAttention"/>).
    /// Grid: (windows across · windows down, Heads, B), group size 1; work-item (x, y, z) uses
    /// <c>scratch[((z·Heads + y)·windows + x)·s² ..][0 .. s²)</c>.
    /// </summary>
    [CpuKernel("attention")]
    internal static void WindowAttentionCpu(HostView qkv, HostView padKv, HostView bias, HostView output, HostView scratch, WindowAttentionArgs a, int gx, int gy, int gz)
    {
        int window = gx;
        int head = gy;
        int item = gz;
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
    private static float DotVector(HostView a, int ia, HostView b, int ib, int n)
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
    private static float ExpInPlace(HostView scratch, int at, int n, float best)
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
