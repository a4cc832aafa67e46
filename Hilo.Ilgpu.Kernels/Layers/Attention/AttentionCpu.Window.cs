using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Kernels.Runtime;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>
/// Window attention, CPU style, for windows of many keys (Swin's 7×7: 49). <see cref="WindowAttentionCpu"/>
/// computes each logit as a dot product and one horizontal sum, which is fine for HiLo's 4 keys and slow for 49;
/// this variant works like <see cref="GlobalAttentionBlockedCpu"/>: the window's keys transposed into scratch so
/// that the logits of 16 keys fill one vector, eight queries per pass, a vector exp, and the weighted sum of values (copied
/// next to the keys, so padded positions cost no branch in the inner loop) with broadcast weights.
/// </summary>
public static partial class AttentionCpu
{
    /// <summary>Scratch floats one work-item of <see cref="WindowAttentionTransposedCpu"/> uses: (2d + 9)·P + 8, P = s² rounded up to 16.</summary>
    public static int WindowTransposedSlot(int headDim, int window) => (2 * headDim + 1 + QueryBlock) * PaddedKeys(window * window) + QueryBlock;

    /// <summary>
    /// Window attention, CPU style (the result of <see cref="AttentionKernels.WindowAttention"/>). The (head, window) pairs of a batch
    /// item, numbered u = head·windows + window (windows row-major over the padded map), are split into chunks of
    /// <paramref name="perItem"/>; work-item (x, 0, z) computes chunk x of batch item z, one pair after another in
    /// its scratch slice <c>scratch[(z·X + x)·</c><see cref="WindowTransposedSlot"/><c> ..]</c>, X = ⌈Heads·windows /
    /// perItem⌉: keys transposed (<c>kt[j·P + m]</c>, j &lt; d, plus a row j = d holding 0 for the s² keys and −∞ for
    /// the lanes past them), values row-major (<c>v[m·d + j]</c>), and the weights of eight queries (the blocked micro-kernels of
    /// AttentionCpu.Blocked.cs). Keys at padded
    /// positions come from <paramref name="padKv"/>; the relative position bias, when present, is added to the
    /// stored logits before the softmax. Grid: (X, 1, B), group size 1.
    /// </summary>
    [CpuKernel("attention")]
    internal static void WindowAttentionTransposedCpu(HostView qkv, HostView padKv, HostView bias, HostView output, HostView scratch, WindowAttentionArgs a, int perItem, int gx, int gy, int gz)
    {
        int chunk = gx;
        int item = gz;
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
        // The lanes past the s² keys (zeros, masked by −∞) and the mask row are the same for every window.
        for (int m = 0; m < padded; m++)
        {
            for (int j = 0; j < d && m >= area; j++)
            {
                scratch[kt + j * padded + m] = 0f;
            }
            scratch[kt + d * padded + m] = m < area ? 0f : float.NegativeInfinity;
        }
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
            for (int m = 0; m < area; m++)
            {
                int ky = m / s;
                int kx = m - ky * s;
                int kRow = kt + m;
                int vRow = vt + m * d;
                if (ky < rows && kx < cols)
                {
                    int src = (rowBase + (y0 + ky) * a.Width + x0 + kx) * a.QkvStride + dim + headOffset;
                    for (int j = 0; j < d; j++)
                    {
                        scratch[kRow + j * padded] = qkv[src + j];
                    }
                    for (int j = 0; j < d; j += Float16.Count)
                    {
                        Float16.Load(qkv, src + dim + j).Store(scratch, vRow + j);
                    }
                }
                else
                {
                    for (int j = 0; j < d; j++)
                    {
                        scratch[kRow + j * padded] = padKv[headOffset + j];
                    }
                    for (int j = 0; j < d; j += Float16.Count)
                    {
                        Float16.Load(padKv, dim + headOffset + j).Store(scratch, vRow + j);
                    }
                }
            }
            // Eight real queries at a time (past the last one the block repeats it and does not store it).
            int real = rows * cols;
            for (int r = 0; r < real; r += QueryBlock)
            {
                int i0 = WindowQuery(r, cols, s);
                int i1 = WindowQuery(Math.Min(r + 1, real - 1), cols, s);
                int i2 = WindowQuery(Math.Min(r + 2, real - 1), cols, s);
                int i3 = WindowQuery(Math.Min(r + 3, real - 1), cols, s);
                int i4 = WindowQuery(Math.Min(r + 4, real - 1), cols, s);
                int i5 = WindowQuery(Math.Min(r + 5, real - 1), cols, s);
                int i6 = WindowQuery(Math.Min(r + 6, real - 1), cols, s);
                int i7 = WindowQuery(Math.Min(r + 7, real - 1), cols, s);
                int t0 = rowBase + (y0 + i0 / s) * a.Width + x0 + i0 % s;
                int t1 = rowBase + (y0 + i1 / s) * a.Width + x0 + i1 % s;
                int t2 = rowBase + (y0 + i2 / s) * a.Width + x0 + i2 % s;
                int t3 = rowBase + (y0 + i3 / s) * a.Width + x0 + i3 % s;
                int t4 = rowBase + (y0 + i4 / s) * a.Width + x0 + i4 % s;
                int t5 = rowBase + (y0 + i5 / s) * a.Width + x0 + i5 % s;
                int t6 = rowBase + (y0 + i6 / s) * a.Width + x0 + i6 % s;
                int t7 = rowBase + (y0 + i7 / s) * a.Width + x0 + i7 % s;
                LogitBlock(qkv, t0 * a.QkvStride + headOffset, t1 * a.QkvStride + headOffset, t2 * a.QkvStride + headOffset, t3 * a.QkvStride + headOffset,
                    t4 * a.QkvStride + headOffset, t5 * a.QkvStride + headOffset, t6 * a.QkvStride + headOffset, t7 * a.QkvStride + headOffset,
                    scratch, kt, padded, d, weights, a.Scale);
                if (a.HasBias != 0)
                {
                    int biasBase = head * area;
                    AddBiasRow(scratch, weights, bias, (biasBase + i0) * area, area);
                    AddBiasRow(scratch, weights + padded, bias, (biasBase + i1) * area, area);
                    AddBiasRow(scratch, weights + 2 * padded, bias, (biasBase + i2) * area, area);
                    AddBiasRow(scratch, weights + 3 * padded, bias, (biasBase + i3) * area, area);
                    AddBiasRow(scratch, weights + 4 * padded, bias, (biasBase + i4) * area, area);
                    AddBiasRow(scratch, weights + 5 * padded, bias, (biasBase + i5) * area, area);
                    AddBiasRow(scratch, weights + 6 * padded, bias, (biasBase + i6) * area, area);
                    AddBiasRow(scratch, weights + 7 * padded, bias, (biasBase + i7) * area, area);
                }
                SoftmaxBlock(scratch, weights, padded);
                int oc = a.OutOffset + headOffset;
                WeightedSumBlock(scratch, weights, padded, scratch, vt, d, area, d, output,
                    t0 * a.OutStride + oc, t1 * a.OutStride + oc, t2 * a.OutStride + oc, t3 * a.OutStride + oc,
                    t4 * a.OutStride + oc, t5 * a.OutStride + oc, t6 * a.OutStride + oc, t7 * a.OutStride + oc, real - r);
            }
        }
    }

    // Position inside the window (row-major over s×s) of real query r when a window has cols real columns.
    private static int WindowQuery(int r, int cols, int s) => r / cols * s + r % cols;

    // Adds bias[at ..][0 .. n) to the logits at scratch[row ..].
    private static void AddBiasRow(HostView scratch, int row, HostView bias, int at, int n)
    {
        for (int m = 0; m < n; m++)
        {
            scratch[row + m] += bias[at + m];
        }
    }

    // Maximum of the n (a multiple of 16) values at scratch[at ..].
    private static float RowMax(HostView scratch, int at, int n)
    {
        Float16 best = new Float16(float.NegativeInfinity);
        for (int c = 0; c < n; c += Float16.Count)
        {
            best = Float16.Max(best, Float16.Load(scratch, at + c));
        }
        return MaxLane(best);
    }
}
