using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Runtime;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>
/// The CPU family's scalar attention (any head dim; the vector variants need multiples of 16): the same algorithm as
/// <see cref="AttentionKernels"/>, one work item per (query, head, batch item). Softmax attention on channels-last token tensors, reading q, k
/// and v straight from the projection outputs (no transposes, no concatenation copies). Softmax is computed as
/// PyTorch does, stably: logits are <c>(q·k)·scale</c>, the row maximum is subtracted before <c>exp</c>. Each
/// work-item loops twice over its keys (maximum; then exponentials, their sum and the weighted sum of values),
/// so any number of keys works without scratch memory; the weighted sum accumulates in the work-item's own
/// output row. Float64 references: <see cref="AttentionReference"/>.
/// </summary>
public static partial class AttentionCpu
{
    /// <summary>
    /// Window attention (HiLo Hi-Fi, Swin W-MSA): the H×W map is padded at bottom/right to multiples of s and cut
    /// into s×s windows; each real query attends to the s² keys of its window. A key at a padded position is a
    /// zero input token, so its k and v are the projection bias: they are read from <paramref name="padKv"/>
    /// (<c>[k bias | v bias]</c>, 2·Heads·HeadDim values; zeros without bias). Queries at padded positions would be
    /// cropped, so they are not computed. Optional relative position bias <paramref name="bias"/>
    /// [Heads, s², s²] (query index, key index row-major inside the window). Grid: (H·W, Heads, B).
    /// </summary>
    [CpuKernel("attention")]
    internal static void WindowAttentionScalar(HostView qkv, HostView padKv, HostView bias, HostView output, WindowAttentionArgs a, int gx, int gy, int gz)
    {
        int token = gx;
        int head = gy;
        int item = gz;
        int tokens = a.Height * a.Width;
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

        float best = float.NegativeInfinity;
        for (int ky = 0; ky < a.Window; ky++)
        {
            for (int kx = 0; kx < a.Window; kx++)
            {
                best = MathF.Max(best, WindowLogitScalar(qkv, padKv, bias, a, q, rowBase, y0 + ky, x0 + kx, biasRow + ky * a.Window + kx, dim, headOffset));
            }
        }

        int o = (rowBase + token) * a.OutStride + a.OutOffset + headOffset;
        for (int j = 0; j < a.HeadDim; j++)
        {
            output[o + j] = 0f;
        }
        float sum = 0f;
        for (int ky = 0; ky < a.Window; ky++)
        {
            for (int kx = 0; kx < a.Window; kx++)
            {
                int ty = y0 + ky;
                int tx = x0 + kx;
                float p = MathF.Exp(WindowLogitScalar(qkv, padKv, bias, a, q, rowBase, ty, tx, biasRow + ky * a.Window + kx, dim, headOffset) - best);
                sum += p;
                if (ty < a.Height && tx < a.Width)
                {
                    AddScaledScalar(output, o, qkv, (rowBase + ty * a.Width + tx) * a.QkvStride + 2 * dim + headOffset, p, a.HeadDim);
                }
                else
                {
                    AddScaledScalar(output, o, padKv, dim + headOffset, p, a.HeadDim);
                }
            }
        }
        NormalizeScalar(output, o, sum, a.HeadDim);
    }

    /// <summary>
    /// Global attention (ViT MSA, HiLo Lo-Fi, PVT SRA): every query attends to all M keys of its batch item.
    /// <paramref name="q"/> and <paramref name="kv"/> may be the same view (MSA's packed qkv). Grid: (N, Heads, B).
    /// </summary>
    [CpuKernel("attention")]
    internal static void GlobalAttentionScalar(HostView q, HostView kv, HostView output, GlobalAttentionArgs a, int gx, int gy, int gz)
    {
        int query = gx;
        int head = gy;
        int item = gz;
        int headOffset = head * a.HeadDim;
        int qRow = (item * a.Queries + query) * a.QStride + a.QOffset + headOffset;
        int kvBase = item * a.Keys * a.KvStride;
        int k0 = kvBase + a.KOffset + headOffset;
        int v0 = kvBase + a.VOffset + headOffset;

        float best = float.NegativeInfinity;
        for (int m = 0; m < a.Keys; m++)
        {
            best = MathF.Max(best, DotScalar(q, qRow, kv, k0 + m * a.KvStride, a.HeadDim) * a.Scale);
        }

        int o = (item * a.Queries + query) * a.OutStride + a.OutOffset + headOffset;
        for (int j = 0; j < a.HeadDim; j++)
        {
            output[o + j] = 0f;
        }
        float sum = 0f;
        for (int m = 0; m < a.Keys; m++)
        {
            float p = MathF.Exp(DotScalar(q, qRow, kv, k0 + m * a.KvStride, a.HeadDim) * a.Scale - best);
            sum += p;
            AddScaledScalar(output, o, kv, v0 + m * a.KvStride, p, a.HeadDim);
        }
        NormalizeScalar(output, o, sum, a.HeadDim);
    }

    // The scaled logit of the key at map position (ty, tx) for the query whose q starts at qkv[q]; keys at
    // padded positions come from padKv ([k | v], this head's k at headOffset). A qkv row holds k at dim + headOffset.
    private static float WindowLogitScalar(HostView qkv, HostView padKv, HostView bias, WindowAttentionArgs a,
        int q, int rowBase, int ty, int tx, int biasIndex, int dim, int headOffset)
    {
        float dot;
        if (ty < a.Height && tx < a.Width)
        {
            dot = DotScalar(qkv, q, qkv, (rowBase + ty * a.Width + tx) * a.QkvStride + dim + headOffset, a.HeadDim);
        }
        else
        {
            dot = DotScalar(qkv, q, padKv, headOffset, a.HeadDim);
        }
        float logit = dot * a.Scale;
        if (a.HasBias != 0)
        {
            logit += bias[biasIndex];
        }
        return logit;
    }

    private static float DotScalar(HostView a, int ia, HostView b, int ib, int n)
    {
        float s = 0f;
        for (int j = 0; j < n; j++)
        {
            s += a[ia + j] * b[ib + j];
        }
        return s;
    }

    private static void AddScaledScalar(HostView output, int o, HostView v, int iv, float p, int n)
    {
        for (int j = 0; j < n; j++)
        {
            output[o + j] += p * v[iv + j];
        }
    }

    private static void NormalizeScalar(HostView output, int o, float sum, int n)
    {
        float inv = 1f / sum;
        for (int j = 0; j < n; j++)
        {
            output[o + j] *= inv;
        }
    }
}
