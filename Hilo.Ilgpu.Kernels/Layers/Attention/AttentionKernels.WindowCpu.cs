using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>
/// Window attention, CPU style, for windows of many keys (Swin's 7×7: 49). <see cref="WindowAttentionCpu"/>
/// computes each logit as a dot product and one horizontal sum, which is fine for HiLo's 4 keys and slow for 49;
/// this variant works like <see cref="GlobalAttentionCpu"/>: the window's keys transposed into scratch so that the
/// logits of 16 keys fill one vector, four queries per pass, a vector exp, and the weighted sum of values (copied
/// next to the keys, so padded positions cost no branch in the inner loop) with broadcast weights.
/// </summary>
public static partial class AttentionKernels
{
    /// <summary>Scratch floats one work-item of <see cref="WindowAttentionTransposedCpu"/> uses: (2d + 5)·P, P = s² rounded up to 16.</summary>
    public static int WindowTransposedSlot(int headDim, int window) => (2 * headDim + 5) * PaddedKeys(window * window);

    /// <summary>
    /// Window attention, CPU style (the result of <see cref="WindowAttention"/>). The (head, window) pairs of a batch
    /// item, numbered u = head·windows + window (windows row-major over the padded map), are split into chunks of
    /// <paramref name="perItem"/>; work-item (x, 0, z) computes chunk x of batch item z, one pair after another in
    /// its scratch slice <c>scratch[(z·X + x)·</c><see cref="WindowTransposedSlot"/><c> ..]</c>, X = ⌈Heads·windows /
    /// perItem⌉: keys transposed (<c>kt[j·P + m]</c>, j &lt; d, plus a row j = d holding 0 for the s² keys and −∞ for
    /// the lanes past them), values row-major (<c>v[m·d + j]</c>), and the weights of four queries. Keys at padded
    /// positions come from <paramref name="padKv"/>; the relative position bias, when present, is added to the
    /// stored logits before the softmax. Grid: (X, 1, B), group size 1.
    /// </summary>
    [Kernel]
    public static void WindowAttentionTransposedCpu(ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, ArrayView<float> scratch, WindowAttentionArgs a, int perItem)
    {
        int chunk = Grid.GlobalIndex.X;
        int item = Grid.GlobalIndex.Z;
        int s = a.Window;
        int across = (a.Width + s - 1) / s;
        int windows = across * ((a.Height + s - 1) / s);
        int units = windows * a.Heads;
        int chunks = (units + perItem - 1) / perItem;
        int d = a.HeadDim;
        int dim = a.Heads * d;
        int area = s * s;
        int padded = PaddedKeys(area);
        int kt = (item * chunks + chunk) * WindowTransposedSlot(d, s);
        int vt = kt + (d + 1) * padded;
        int weights = vt + padded * d;
        int rowBase = item * a.Height * a.Width;
        int end = Math.Min(units, (chunk + 1) * perItem);
        for (int unit = chunk * perItem; unit < end; unit++)
        {
            int head = unit / windows;
            int window = unit - head * windows;
            int headOffset = head * d;
            int wy = window / across;
            int y0 = wy * s;
            int x0 = (window - wy * across) * s;
            // Real rows and columns of this window (the rest is padding at the bottom/right of the map).
            int rows = Math.Min(s, a.Height - y0);
            int cols = Math.Min(s, a.Width - x0);
            for (int m = 0; m < padded; m++)
            {
                int ky = m / s;
                int kx = m - ky * s;
                int kRow = kt + m;
                int vRow = vt + m * d;
                if (m < area && ky < rows && kx < cols)
                {
                    int src = (rowBase + (y0 + ky) * a.Width + x0 + kx) * a.QkvStride + dim + headOffset;
                    for (int j = 0; j < d; j++)
                    {
                        scratch[kRow + j * padded] = qkv[src + j];
                        scratch[vRow + j] = qkv[src + dim + j];
                    }
                }
                else if (m < area)
                {
                    for (int j = 0; j < d; j++)
                    {
                        scratch[kRow + j * padded] = padKv[headOffset + j];
                        scratch[vRow + j] = padKv[dim + headOffset + j];
                    }
                }
                else
                {
                    for (int j = 0; j < d; j++)
                    {
                        scratch[kRow + j * padded] = 0f;
                    }
                }
                scratch[kt + d * padded + m] = m < area ? 0f : float.NegativeInfinity;
            }
            // Four real queries at a time (past the last one the block repeats it and does not store it).
            int real = rows * cols;
            for (int r = 0; r < real; r += 4)
            {
                int i0 = WindowQuery(r, cols, s);
                int i1 = WindowQuery(Math.Min(r + 1, real - 1), cols, s);
                int i2 = WindowQuery(Math.Min(r + 2, real - 1), cols, s);
                int i3 = WindowQuery(Math.Min(r + 3, real - 1), cols, s);
                int t0 = rowBase + (y0 + i0 / s) * a.Width + x0 + i0 % s;
                int t1 = rowBase + (y0 + i1 / s) * a.Width + x0 + i1 % s;
                int t2 = rowBase + (y0 + i2 / s) * a.Width + x0 + i2 % s;
                int t3 = rowBase + (y0 + i3 / s) * a.Width + x0 + i3 % s;
                int q0 = t0 * a.QkvStride + headOffset;
                int q1 = t1 * a.QkvStride + headOffset;
                int q2 = t2 * a.QkvStride + headOffset;
                int q3 = t3 * a.QkvStride + headOffset;
                for (int c = 0; c < padded; c += Float16.Count)
                {
                    Float16 s0 = Float16.Zero, s1 = Float16.Zero, s2 = Float16.Zero, s3 = Float16.Zero;
                    int at = kt + c;
                    for (int j = 0; j < d; j++)
                    {
                        Float16 k = Float16.Load(scratch, at);
                        s0 = Float16.Fma(new Float16(qkv[q0 + j]), k, s0);
                        s1 = Float16.Fma(new Float16(qkv[q1 + j]), k, s1);
                        s2 = Float16.Fma(new Float16(qkv[q2 + j]), k, s2);
                        s3 = Float16.Fma(new Float16(qkv[q3 + j]), k, s3);
                        at += padded;
                    }
                    Float16 mask = Float16.Load(scratch, at);
                    (s0 * a.Scale + mask).Store(scratch, weights + c);
                    (s1 * a.Scale + mask).Store(scratch, weights + padded + c);
                    (s2 * a.Scale + mask).Store(scratch, weights + 2 * padded + c);
                    (s3 * a.Scale + mask).Store(scratch, weights + 3 * padded + c);
                }
                if (a.HasBias != 0)
                {
                    AddBiasRow(scratch, weights, bias, (head * area + i0) * area, area);
                    AddBiasRow(scratch, weights + padded, bias, (head * area + i1) * area, area);
                    AddBiasRow(scratch, weights + 2 * padded, bias, (head * area + i2) * area, area);
                    AddBiasRow(scratch, weights + 3 * padded, bias, (head * area + i3) * area, area);
                }
                float inv0 = 1f / Softmax(scratch, weights, padded, RowMax(scratch, weights, padded));
                float inv1 = 1f / Softmax(scratch, weights + padded, padded, RowMax(scratch, weights + padded, padded));
                float inv2 = 1f / Softmax(scratch, weights + 2 * padded, padded, RowMax(scratch, weights + 2 * padded, padded));
                float inv3 = 1f / Softmax(scratch, weights + 3 * padded, padded, RowMax(scratch, weights + 3 * padded, padded));
                for (int j = 0; j < d; j += Float16.Count)
                {
                    Float16 acc0 = Float16.Zero, acc1 = Float16.Zero, acc2 = Float16.Zero, acc3 = Float16.Zero;
                    int v = vt + j;
                    for (int m = 0; m < area; m++)
                    {
                        Float16 value = Float16.Load(scratch, v);
                        acc0 = Float16.Fma(new Float16(scratch[weights + m]), value, acc0);
                        acc1 = Float16.Fma(new Float16(scratch[weights + padded + m]), value, acc1);
                        acc2 = Float16.Fma(new Float16(scratch[weights + 2 * padded + m]), value, acc2);
                        acc3 = Float16.Fma(new Float16(scratch[weights + 3 * padded + m]), value, acc3);
                        v += d;
                    }
                    int o = a.OutOffset + headOffset + j;
                    (acc0 * inv0).Store(output, t0 * a.OutStride + o);
                    if (r + 1 < real)
                    {
                        (acc1 * inv1).Store(output, t1 * a.OutStride + o);
                    }
                    if (r + 2 < real)
                    {
                        (acc2 * inv2).Store(output, t2 * a.OutStride + o);
                    }
                    if (r + 3 < real)
                    {
                        (acc3 * inv3).Store(output, t3 * a.OutStride + o);
                    }
                }
            }
        }
    }

    // Position inside the window (row-major over s×s) of real query r when a window has cols real columns.
    private static int WindowQuery(int r, int cols, int s) => r / cols * s + r % cols;

    // Adds bias[at ..][0 .. n) to the logits at scratch[row ..].
    private static void AddBiasRow(ArrayView<float> scratch, int row, ArrayView<float> bias, int at, int n)
    {
        for (int m = 0; m < n; m++)
        {
            scratch[row + m] += bias[at + m];
        }
    }

    // Maximum of the n (a multiple of 16) values at scratch[at ..].
    private static float RowMax(ArrayView<float> scratch, int at, int n)
    {
        Float16 best = new Float16(float.NegativeInfinity);
        for (int c = 0; c < n; c += Float16.Count)
        {
            best = Float16.Max(best, Float16.Load(scratch, at + c));
        }
        return MaxLane(best);
    }
}
