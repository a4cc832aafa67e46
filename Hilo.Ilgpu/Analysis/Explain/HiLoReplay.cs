using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Analysis;

/// <summary>
/// <c>attn(norm1(x))</c> of one HiLo block recomputed in float64 on the host from the block's weights, following the
/// official HiLo module and this repo's padding (docs/litv2.md): the normed map zero-padded at the bottom/right to
/// multiples of s; Hi-Fi windows of s×s over the padded map (a padded token's q/k/v are the <c>h_qkv</c> biases, as the
/// kernels read them); Lo-Fi keys from the s×s average pool of the padded map (zeros counted); the output cropped.
/// Keeps the chosen heads' probabilities, so the maps and the output come from the same numbers.
/// </summary>
internal sealed class HiLoReplay
{
    private HiLoReplay(double[] output) => Output = output;

    /// <summary>tokens × C: Hi-Fi projection's channels, then Lo-Fi projection's.</summary>
    public double[] Output { get; }

    /// <summary>The chosen Hi-Fi head's probabilities [window, s², s²] over the padded map, or null without Hi-Fi heads.</summary>
    public double[]? HiFi { get; private init; }

    /// <summary>The chosen Lo-Fi head's probabilities [token, key], or null without Lo-Fi heads.</summary>
    public double[]? LoFi { get; private init; }

    /// <summary>Rows of the Lo-Fi key grid.</summary>
    public int KeyRows { get; private init; }

    /// <summary>Columns of the Lo-Fi key grid.</summary>
    public int KeyColumns { get; private init; }

    public static HiLoReplay Run(HiLoBlock block, IReadOnlyList<float> x, int height, int width, int hiFiHead, int loFiHead)
    {
        var attn = block.Attn;
        int n = height * width, dim = attn.Dim, s = attn.WindowSize;
        double[] normed = HostMath.LayerNorm(x, n, block.Norm1);
        var output = new double[n * dim];
        double[]? hiFi = null, loFi = null;
        int hp = (height + s - 1) / s * s, wp = (width + s - 1) / s * s;
        double[] padded = Pad(normed, height, width, dim, hp, wp);
        if (attn.HiFiHeads > 0)
        {
            double[] attended = HiFiAttend(attn, padded, hp, wp, hiFiHead, out hiFi);
            double[] cropped = Crop(attended, hp, wp, attn.HiFiDim, height, width);
            Place(HostMath.Linear(cropped, n, attn.HProj!), n, attn.HiFiDim, output, dim, 0);
        }
        int keyRows = hp / s, keyColumns = wp / s;
        if (attn.LoFiHeads > 0)
        {
            double[] q = HostMath.Linear(normed, n, attn.LQ!);
            double[] pooled = s == 1 ? normed : AvgPool(padded, hp, wp, dim, s);
            double[] kv = HostMath.Linear(pooled, keyRows * keyColumns, attn.LKv!);
            double[] attended = Attend(q, attn.LoFiDim, 0, n, kv, 2 * attn.LoFiDim, 0, attn.LoFiDim, keyRows * keyColumns, attn.LoFiHeads, attn.HeadDim, loFiHead, out loFi);
            Place(HostMath.Linear(attended, n, attn.LProj!), n, attn.LoFiDim, output, dim, attn.HiFiDim);
        }
        return new HiLoReplay(output) { HiFi = hiFi, LoFi = loFi, KeyRows = keyRows, KeyColumns = keyColumns };
    }

    // Window attention over the padded map: per window, its s² tokens attend to each other; returns [hp·wp, h_dim].
    private static double[] HiFiAttend(HiLoAttention attn, double[] padded, int hp, int wp, int head, out double[] probabilities)
    {
        int s = attn.WindowSize, area = s * s, hDim = attn.HiFiDim, windowsAcross = wp / s;
        int windows = hp / s * windowsAcross;
        double[] qkv = HostMath.Linear(padded, hp * wp, attn.HQkv!);
        var attended = new double[hp * wp * hDim];
        var kept = new double[windows * area * area];
        Parallel.For(0, windows, window =>
        {
            int wy = window / windowsAcross * s, wx = window % windowsAcross * s;
            // A window's qkv rows gathered together, so that the window is a small global attention.
            var rows = new double[area * 3 * hDim];
            for (int t = 0; t < area; t++)
            {
                Array.Copy(qkv, ((wy + t / s) * wp + wx + t % s) * 3 * hDim, rows, t * 3 * hDim, 3 * hDim);
            }
            double[] o = Attend(rows, 3 * hDim, 0, area, rows, 3 * hDim, hDim, 2 * hDim, area, attn.HiFiHeads, attn.HeadDim, head, out double[] p);
            Array.Copy(p, 0, kept, window * area * area, area * area);
            for (int t = 0; t < area; t++)
            {
                Array.Copy(o, t * hDim, attended, ((wy + t / s) * wp + wx + t % s) * hDim, hDim);
            }
        });
        probabilities = kept;
        return attended;
    }

    // softmax(q·kᵀ·d^-0.5)·v per head over all key rows; q at qOff + h·d of rows of width qStride, k at kOff + h·d and
    // v at vOff + h·d of rows of width kvStride. Returns [queries, heads·d]; `probabilities` is head `keep`'s [query, key].
    private static double[] Attend(double[] q, int qStride, int qOff, int queries, double[] kv, int kvStride, int kOff, int vOff, int keys,
        int heads, int d, int keep, out double[] probabilities)
    {
        double scale = Math.Pow(d, -0.5);
        var o = new double[queries * heads * d];
        var kept = new double[queries * keys];
        Parallel.For(0, queries, qi =>
        {
            var p = new double[keys];
            for (int h = 0; h < heads; h++)
            {
                for (int ki = 0; ki < keys; ki++)
                {
                    double dot = 0;
                    for (int j = 0; j < d; j++)
                    {
                        dot += q[qi * qStride + qOff + h * d + j] * kv[ki * kvStride + kOff + h * d + j];
                    }
                    p[ki] = dot * scale;
                }
                HostMath.Softmax(p);
                for (int ki = 0; ki < keys; ki++)
                {
                    for (int j = 0; j < d; j++)
                    {
                        o[(qi * heads + h) * d + j] += p[ki] * kv[ki * kvStride + vOff + h * d + j];
                    }
                }
                if (h == keep)
                {
                    Array.Copy(p, 0, kept, qi * keys, keys);
                }
            }
        });
        probabilities = kept;
        return o;
    }

    private static double[] Pad(double[] x, int height, int width, int dim, int hp, int wp)
    {
        var m = new double[hp * wp * dim];
        for (int y = 0; y < height; y++)
        {
            Array.Copy(x, y * width * dim, m, y * wp * dim, width * dim);
        }
        return m;
    }

    private static double[] Crop(double[] m, int hp, int wp, int dim, int height, int width)
    {
        _ = hp;
        var x = new double[height * width * dim];
        for (int y = 0; y < height; y++)
        {
            Array.Copy(m, y * wp * dim, x, y * width * dim, width * dim);
        }
        return x;
    }

    // s×s mean of the padded map: every window divides by s², padding zeros included.
    private static double[] AvgPool(double[] m, int hp, int wp, int dim, int s)
    {
        int ph = hp / s, pw = wp / s;
        var pooled = new double[ph * pw * dim];
        for (int y = 0; y < hp; y++)
        {
            for (int x = 0; x < wp; x++)
            {
                int cell = (y / s * pw + x / s) * dim, at = (y * wp + x) * dim;
                for (int c = 0; c < dim; c++)
                {
                    pooled[cell + c] += m[at + c];
                }
            }
        }
        for (int i = 0; i < pooled.Length; i++)
        {
            pooled[i] /= s * s;
        }
        return pooled;
    }

    // Rows of `part` (n × width) into columns offset … offset + width − 1 of `output` (n × dim).
    private static void Place(double[] part, int n, int width, double[] output, int dim, int offset)
    {
        for (int r = 0; r < n; r++)
        {
            Array.Copy(part, r * width, output, r * dim + offset, width);
        }
    }
}
