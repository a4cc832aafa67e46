using System.Runtime.CompilerServices;
using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Kernels.Runtime;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>
/// The two products of CPU-style attention as register-blocked micro-kernels, like the panel GEMM's 8×32 block:
/// eight queries at a time, 32 lanes (two <see cref="Float16"/>) per step, sixteen accumulators, so that every
/// vector loaded serves eight FMAs (the four-query kernels serve four, and on the managed CPU backend their scalar
/// loads and range checks, not the FMAs, set the pace). Used by <see cref="GlobalAttentionBlockedCpu"/> and
/// <see cref="WindowAttentionTransposedCpu"/>. Rows of a block past the last query repeat a real row (offsets
/// chosen by the caller) and are not stored.
/// </summary>
public static partial class AttentionCpu
{
    /// <summary>Queries per block of the blocked CPU-style attention kernels.</summary>
    public const int QueryBlock = 8;

    // Logits of eight queries (q[o0 ..][0 .. d) … q[o7 ..]) against the transposed keys at scratch[kt ..] (rows of
    // `padded` lanes, row d the mask), scaled and masked, stored as eight rows of `padded` at scratch[w ..].
    // Keys go 32 at a time, then a last 16 when `padded` is an odd number of vectors.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LogitBlock(HostView q, int o0, int o1, int o2, int o3, int o4, int o5, int o6, int o7, HostView scratch, int kt, int padded, int d, int w, float scale)
    {
        HostView q0 = q.Slice(o0, d);
        HostView q1 = q.Slice(o1, d);
        HostView q2 = q.Slice(o2, d);
        HostView q3 = q.Slice(o3, d);
        HostView q4 = q.Slice(o4, d);
        HostView q5 = q.Slice(o5, d);
        HostView q6 = q.Slice(o6, d);
        HostView q7 = q.Slice(o7, d);
        int c = 0;
        for (; c + 2 * Float16.Count <= padded; c += 2 * Float16.Count)
        {
            Float16 s00 = Float16.Zero, s01 = Float16.Zero, s10 = Float16.Zero, s11 = Float16.Zero;
            Float16 s20 = Float16.Zero, s21 = Float16.Zero, s30 = Float16.Zero, s31 = Float16.Zero;
            Float16 s40 = Float16.Zero, s41 = Float16.Zero, s50 = Float16.Zero, s51 = Float16.Zero;
            Float16 s60 = Float16.Zero, s61 = Float16.Zero, s70 = Float16.Zero, s71 = Float16.Zero;
            int at = kt + c;
            for (int j = 0; j < d; j++)
            {
                Float16 k0 = Float16.Load(scratch, at);
                Float16 k1 = Float16.Load(scratch, at + Float16.Count);
                at += padded;
                Float16 b = new Float16(q0[j]);
                s00 = Float16.Fma(b, k0, s00);
                s01 = Float16.Fma(b, k1, s01);
                b = new Float16(q1[j]);
                s10 = Float16.Fma(b, k0, s10);
                s11 = Float16.Fma(b, k1, s11);
                b = new Float16(q2[j]);
                s20 = Float16.Fma(b, k0, s20);
                s21 = Float16.Fma(b, k1, s21);
                b = new Float16(q3[j]);
                s30 = Float16.Fma(b, k0, s30);
                s31 = Float16.Fma(b, k1, s31);
                b = new Float16(q4[j]);
                s40 = Float16.Fma(b, k0, s40);
                s41 = Float16.Fma(b, k1, s41);
                b = new Float16(q5[j]);
                s50 = Float16.Fma(b, k0, s50);
                s51 = Float16.Fma(b, k1, s51);
                b = new Float16(q6[j]);
                s60 = Float16.Fma(b, k0, s60);
                s61 = Float16.Fma(b, k1, s61);
                b = new Float16(q7[j]);
                s70 = Float16.Fma(b, k0, s70);
                s71 = Float16.Fma(b, k1, s71);
            }
            Float16 m0 = Float16.Load(scratch, at);
            Float16 m1 = Float16.Load(scratch, at + Float16.Count);
            int r = w + c;
            (s00 * scale + m0).Store(scratch, r);
            (s01 * scale + m1).Store(scratch, r + Float16.Count);
            (s10 * scale + m0).Store(scratch, r + padded);
            (s11 * scale + m1).Store(scratch, r + padded + Float16.Count);
            (s20 * scale + m0).Store(scratch, r + 2 * padded);
            (s21 * scale + m1).Store(scratch, r + 2 * padded + Float16.Count);
            (s30 * scale + m0).Store(scratch, r + 3 * padded);
            (s31 * scale + m1).Store(scratch, r + 3 * padded + Float16.Count);
            (s40 * scale + m0).Store(scratch, r + 4 * padded);
            (s41 * scale + m1).Store(scratch, r + 4 * padded + Float16.Count);
            (s50 * scale + m0).Store(scratch, r + 5 * padded);
            (s51 * scale + m1).Store(scratch, r + 5 * padded + Float16.Count);
            (s60 * scale + m0).Store(scratch, r + 6 * padded);
            (s61 * scale + m1).Store(scratch, r + 6 * padded + Float16.Count);
            (s70 * scale + m0).Store(scratch, r + 7 * padded);
            (s71 * scale + m1).Store(scratch, r + 7 * padded + Float16.Count);
        }
        if (c < padded)
        {
            Float16 s0 = Float16.Zero, s1 = Float16.Zero, s2 = Float16.Zero, s3 = Float16.Zero;
            Float16 s4 = Float16.Zero, s5 = Float16.Zero, s6 = Float16.Zero, s7 = Float16.Zero;
            int at = kt + c;
            for (int j = 0; j < d; j++)
            {
                Float16 k0 = Float16.Load(scratch, at);
                at += padded;
                s0 = Float16.Fma(new Float16(q0[j]), k0, s0);
                s1 = Float16.Fma(new Float16(q1[j]), k0, s1);
                s2 = Float16.Fma(new Float16(q2[j]), k0, s2);
                s3 = Float16.Fma(new Float16(q3[j]), k0, s3);
                s4 = Float16.Fma(new Float16(q4[j]), k0, s4);
                s5 = Float16.Fma(new Float16(q5[j]), k0, s5);
                s6 = Float16.Fma(new Float16(q6[j]), k0, s6);
                s7 = Float16.Fma(new Float16(q7[j]), k0, s7);
            }
            Float16 m0 = Float16.Load(scratch, at);
            int r = w + c;
            (s0 * scale + m0).Store(scratch, r);
            (s1 * scale + m0).Store(scratch, r + padded);
            (s2 * scale + m0).Store(scratch, r + 2 * padded);
            (s3 * scale + m0).Store(scratch, r + 3 * padded);
            (s4 * scale + m0).Store(scratch, r + 4 * padded);
            (s5 * scale + m0).Store(scratch, r + 5 * padded);
            (s6 * scale + m0).Store(scratch, r + 6 * padded);
            (s7 * scale + m0).Store(scratch, r + 7 * padded);
        }
    }

    // Softmax of the eight logit rows at scratch[w ..] in place (unnormalised exp(logit − max)); the reciprocals
    // of the row sums go to scratch[w + 8·padded ..][0 .. 8).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SoftmaxBlock(HostView scratch, int w, int padded)
    {
        for (int i = 0; i < QueryBlock; i++)
        {
            int row = w + i * padded;
            scratch[w + QueryBlock * padded + i] = 1f / Softmax(scratch, row, padded, RowMax(scratch, row, padded));
        }
    }

    // out row i = (Σ_m weight[i, m]·v[v0 + m·vStride ..]) / sum_i for the eight rows of weights at scratch[w ..]
    // (reciprocal sums after them), d channels 32 at a time (then a last 16), `keys` keys. Stores rows i < valid
    // at output[oi + j].
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WeightedSumBlock(HostView scratch, int w, int padded, HostView v, int v0, int vStride, int keys, int d, HostView output, int o0, int o1, int o2, int o3, int o4, int o5, int o6, int o7, int valid)
    {
        HostView w0 = scratch.Slice(w, keys);
        HostView w1 = scratch.Slice(w + padded, keys);
        HostView w2 = scratch.Slice(w + 2 * padded, keys);
        HostView w3 = scratch.Slice(w + 3 * padded, keys);
        HostView w4 = scratch.Slice(w + 4 * padded, keys);
        HostView w5 = scratch.Slice(w + 5 * padded, keys);
        HostView w6 = scratch.Slice(w + 6 * padded, keys);
        HostView w7 = scratch.Slice(w + 7 * padded, keys);
        int sums = w + QueryBlock * padded;
        int j = 0;
        for (; j + 2 * Float16.Count <= d; j += 2 * Float16.Count)
        {
            Float16 a00 = Float16.Zero, a01 = Float16.Zero, a10 = Float16.Zero, a11 = Float16.Zero;
            Float16 a20 = Float16.Zero, a21 = Float16.Zero, a30 = Float16.Zero, a31 = Float16.Zero;
            Float16 a40 = Float16.Zero, a41 = Float16.Zero, a50 = Float16.Zero, a51 = Float16.Zero;
            Float16 a60 = Float16.Zero, a61 = Float16.Zero, a70 = Float16.Zero, a71 = Float16.Zero;
            int at = v0 + j;
            for (int m = 0; m < keys; m++)
            {
                Float16 x0 = Float16.Load(v, at);
                Float16 x1 = Float16.Load(v, at + Float16.Count);
                at += vStride;
                Float16 b = new Float16(w0[m]);
                a00 = Float16.Fma(b, x0, a00);
                a01 = Float16.Fma(b, x1, a01);
                b = new Float16(w1[m]);
                a10 = Float16.Fma(b, x0, a10);
                a11 = Float16.Fma(b, x1, a11);
                b = new Float16(w2[m]);
                a20 = Float16.Fma(b, x0, a20);
                a21 = Float16.Fma(b, x1, a21);
                b = new Float16(w3[m]);
                a30 = Float16.Fma(b, x0, a30);
                a31 = Float16.Fma(b, x1, a31);
                b = new Float16(w4[m]);
                a40 = Float16.Fma(b, x0, a40);
                a41 = Float16.Fma(b, x1, a41);
                b = new Float16(w5[m]);
                a50 = Float16.Fma(b, x0, a50);
                a51 = Float16.Fma(b, x1, a51);
                b = new Float16(w6[m]);
                a60 = Float16.Fma(b, x0, a60);
                a61 = Float16.Fma(b, x1, a61);
                b = new Float16(w7[m]);
                a70 = Float16.Fma(b, x0, a70);
                a71 = Float16.Fma(b, x1, a71);
            }
            StoreScaledPair(output, o0 + j, a00, a01, scratch[sums], valid > 0);
            StoreScaledPair(output, o1 + j, a10, a11, scratch[sums + 1], valid > 1);
            StoreScaledPair(output, o2 + j, a20, a21, scratch[sums + 2], valid > 2);
            StoreScaledPair(output, o3 + j, a30, a31, scratch[sums + 3], valid > 3);
            StoreScaledPair(output, o4 + j, a40, a41, scratch[sums + 4], valid > 4);
            StoreScaledPair(output, o5 + j, a50, a51, scratch[sums + 5], valid > 5);
            StoreScaledPair(output, o6 + j, a60, a61, scratch[sums + 6], valid > 6);
            StoreScaledPair(output, o7 + j, a70, a71, scratch[sums + 7], valid > 7);
        }
        if (j < d)
        {
            Float16 a0 = Float16.Zero, a1 = Float16.Zero, a2 = Float16.Zero, a3 = Float16.Zero;
            Float16 a4 = Float16.Zero, a5 = Float16.Zero, a6 = Float16.Zero, a7 = Float16.Zero;
            int at = v0 + j;
            for (int m = 0; m < keys; m++)
            {
                Float16 x0 = Float16.Load(v, at);
                at += vStride;
                a0 = Float16.Fma(new Float16(w0[m]), x0, a0);
                a1 = Float16.Fma(new Float16(w1[m]), x0, a1);
                a2 = Float16.Fma(new Float16(w2[m]), x0, a2);
                a3 = Float16.Fma(new Float16(w3[m]), x0, a3);
                a4 = Float16.Fma(new Float16(w4[m]), x0, a4);
                a5 = Float16.Fma(new Float16(w5[m]), x0, a5);
                a6 = Float16.Fma(new Float16(w6[m]), x0, a6);
                a7 = Float16.Fma(new Float16(w7[m]), x0, a7);
            }
            StoreScaled(output, o0 + j, a0, scratch[sums], valid > 0);
            StoreScaled(output, o1 + j, a1, scratch[sums + 1], valid > 1);
            StoreScaled(output, o2 + j, a2, scratch[sums + 2], valid > 2);
            StoreScaled(output, o3 + j, a3, scratch[sums + 3], valid > 3);
            StoreScaled(output, o4 + j, a4, scratch[sums + 4], valid > 4);
            StoreScaled(output, o5 + j, a5, scratch[sums + 5], valid > 5);
            StoreScaled(output, o6 + j, a6, scratch[sums + 6], valid > 6);
            StoreScaled(output, o7 + j, a7, scratch[sums + 7], valid > 7);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreScaledPair(HostView output, int at, Float16 low, Float16 high, float scale, bool store)
    {
        if (store)
        {
            (low * scale).Store(output, at);
            (high * scale).Store(output, at + Float16.Count);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreScaled(HostView output, int at, Float16 value, float scale, bool store)
    {
        if (store)
        {
            (value * scale).Store(output, at);
        }
    }
}

/// <summary>Global attention with the blocked micro-kernels (MSA, SRA: tens to hundreds of keys).</summary>
public static partial class AttentionCpu
{
    /// <summary>Scratch floats one work-item of <see cref="GlobalAttentionBlockedCpu"/> uses: (d + 9)·P + 8, P = keys rounded up to 16.</summary>
    public static int GlobalBlockedSlot(int headDim, int keys) => (headDim + 1 + QueryBlock) * PaddedKeys(keys) + QueryBlock;

    /// <summary>
    /// Global attention, CPU style, register-blocked (the result of <see cref="AttentionKernels.GlobalAttention"/>). The heads of a
    /// batch item are split into chunks of <paramref name="perItem"/>; work-item (x, 0, z) computes the heads of
    /// chunk x for batch item z one after another in its scratch slice <c>scratch[(z·X + x)·</c>
    /// <see cref="GlobalBlockedSlot"/><c> ..]</c>, X = ⌈Heads / perItem⌉: the head's keys transposed
    /// (<c>kt[j·P + m]</c>, row d the mask: 0 for keys, −∞ for padding lanes), then for eight queries at a time
    /// their logits, softmax and weighted sum of values (read in place). Grid: (X, 1, B), group size 1.
    /// </summary>
    [CpuKernel("attention")]
    internal static void GlobalAttentionBlockedCpu(HostView q, HostView kv, HostView output, HostView scratch, GlobalAttentionArgs a, int perItem, int gx, int gy, int gz)
    {
        int chunk = gx;
        int item = gz;
        int chunks = (a.Heads + perItem - 1) / perItem;
        int d = a.HeadDim;
        int keys = a.Keys;
        int padded = PaddedKeys(keys);
        int kt = (item * chunks + chunk) * GlobalBlockedSlot(d, keys);
        int w = kt + (d + 1) * padded;
        int kvBase = item * keys * a.KvStride;
        int last = a.Queries - 1;
        int qBase = item * a.Queries;
        int end = Math.Min(a.Heads, (chunk + 1) * perItem);
        for (int head = chunk * perItem; head < end; head++)
        {
            int headOffset = head * d;
            int k0 = kvBase + a.KOffset + headOffset;
            for (int m = 0; m < padded; m++)
            {
                bool real = m < keys;
                for (int j = 0; j < d; j++)
                {
                    scratch[kt + j * padded + m] = real ? kv[k0 + m * a.KvStride + j] : 0f;
                }
                scratch[kt + d * padded + m] = real ? 0f : float.NegativeInfinity;
            }
            int qc = a.QOffset + headOffset;
            int oc = a.OutOffset + headOffset;
            for (int query = 0; query < a.Queries; query += QueryBlock)
            {
                int r0 = qBase + query;
                int r1 = qBase + Math.Min(query + 1, last);
                int r2 = qBase + Math.Min(query + 2, last);
                int r3 = qBase + Math.Min(query + 3, last);
                int r4 = qBase + Math.Min(query + 4, last);
                int r5 = qBase + Math.Min(query + 5, last);
                int r6 = qBase + Math.Min(query + 6, last);
                int r7 = qBase + Math.Min(query + 7, last);
                LogitBlock(q, r0 * a.QStride + qc, r1 * a.QStride + qc, r2 * a.QStride + qc, r3 * a.QStride + qc,
                    r4 * a.QStride + qc, r5 * a.QStride + qc, r6 * a.QStride + qc, r7 * a.QStride + qc, scratch, kt, padded, d, w, a.Scale);
                SoftmaxBlock(scratch, w, padded);
                WeightedSumBlock(scratch, w, padded, kv, kvBase + a.VOffset + headOffset, a.KvStride, keys, d, output,
                    r0 * a.OutStride + oc, r1 * a.OutStride + oc, r2 * a.OutStride + oc, r3 * a.OutStride + oc,
                    r4 * a.OutStride + oc, r5 * a.OutStride + oc, r6 * a.OutStride + oc, r7 * a.OutStride + oc, a.Queries - query);
            }
        }
    }
}
