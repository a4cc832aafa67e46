namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>Receives one row of softmax probabilities of <see cref="AttentionReference.HiLo"/> (see there).</summary>
public delegate void AttentionSink(bool hiFi, int head, int query, IReadOnlyList<int> keys, double[] probabilities);

/// <summary>
/// Float64 references of the attention layers, written from their definitions with plain loops and literal
/// padding (pad the map, cut windows, pool, attend, crop), independently of how the kernels avoid those copies.
/// Tokens are B×N×C row-major, N = H·W row-major over the map. Parameters are looked up by their official
/// names (PyTorch layout: Linear weight [out, in]); a missing bias is null.
/// </summary>
public static class AttentionReference
{
    /// <summary>Lo-Fi head count of HiLo: all heads when s = 1, else Python's <c>int(num_heads * alpha)</c> (float64 product, truncated).</summary>
    public static int LoFiHeads(int numHeads, double alpha, int window) => window == 1 ? numHeads : (int)(numHeads * alpha);

    /// <summary>
    /// HiLo attention (with the detection backbone's zero padding to multiples of s and crop). <paramref name="probabilities"/>,
    /// if given, receives every softmax row: (Hi-Fi branch?, head within the branch, query token of the padded
    /// hp×wp map, the key tokens, their probabilities) — Hi-Fi keys are tokens of the padded map, Lo-Fi keys cells of the
    /// pooled map. For explanations (<c>Hilo.Ilgpu.Analysis</c>); the arrays are reused between calls.
    /// </summary>
    public static double[] HiLo(double[] x, int batch, int height, int width, int dim, int numHeads, int window, double alpha, Func<string, double[]?> p,
        AttentionSink? probabilities = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(p);
        int d = dim / numHeads;
        int lHeads = LoFiHeads(numHeads, alpha, window);
        int hHeads = numHeads - lHeads;
        int lDim = lHeads * d, hDim = hHeads * d;
        double scale = Math.Pow(d, -0.5);
        int hp = (height + window - 1) / window * window, wp = (width + window - 1) / window * window;
        var output = new double[x.Length];
        for (int b = 0; b < batch; b++)
        {
            double[] m = PadMap(x, b, height, width, dim, hp, wp);
            int n = hp * wp;
            var cat = new double[n * dim];
            if (hHeads > 0)
            {
                double[] qkv = Linear(m, n, dim, p("h_qkv.weight")!, p("h_qkv.bias"), 3 * hDim);
                var o = new double[n * hDim];
                for (int wy = 0; wy < hp; wy += window)
                {
                    for (int wx = 0; wx < wp; wx += window)
                    {
                        var tokens = new List<int>();
                        for (int ty = wy; ty < wy + window; ty++)
                        {
                            for (int tx = wx; tx < wx + window; tx++)
                            {
                                tokens.Add(ty * wp + tx);
                            }
                        }
                        AttendRows(qkv, 3 * hDim, 0, tokens, qkv, 3 * hDim, hDim, 2 * hDim, tokens, o, hDim, hHeads, d, scale, null,
                            probabilities is null ? null : (h, q, keys, row) => probabilities(true, h, q, keys, row));
                    }
                }
                Place(Linear(o, n, hDim, p("h_proj.weight")!, p("h_proj.bias"), hDim), n, hDim, cat, dim, 0);
            }
            if (lHeads > 0)
            {
                double[] q = Linear(m, n, dim, p("l_q.weight")!, p("l_q.bias"), lDim);
                int ph = hp / window, pw = wp / window;
                double[] pooled = AvgPool(m, hp, wp, dim, window);
                double[] kv = Linear(pooled, ph * pw, dim, p("l_kv.weight")!, p("l_kv.bias"), 2 * lDim);
                var o = new double[n * lDim];
                AttendRows(q, lDim, 0, Enumerable.Range(0, n).ToList(), kv, 2 * lDim, 0, lDim, Enumerable.Range(0, ph * pw).ToList(), o, lDim, lHeads, d, scale, null,
                    probabilities is null ? null : (h, q, keys, row) => probabilities(false, h, q, keys, row));
                Place(Linear(o, n, lDim, p("l_proj.weight")!, p("l_proj.bias"), lDim), n, lDim, cat, dim, hDim);
            }
            Crop(cat, hp, wp, dim, output, b, height, width);
        }
        return output;
    }

    /// <summary>ViT multi-head self-attention (keys <c>qkv</c>, <c>proj</c>).</summary>
    public static double[] Msa(double[] x, int batch, int tokens, int dim, int numHeads, Func<string, double[]?> p)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(p);
        int d = dim / numHeads;
        var output = new double[x.Length];
        var all = Enumerable.Range(0, tokens).ToList();
        for (int b = 0; b < batch; b++)
        {
            double[] xb = x.AsSpan(b * tokens * dim, tokens * dim).ToArray();
            double[] qkv = Linear(xb, tokens, dim, p("qkv.weight")!, p("qkv.bias"), 3 * dim);
            var o = new double[tokens * dim];
            AttendRows(qkv, 3 * dim, 0, all, qkv, 3 * dim, dim, 2 * dim, all, o, dim, numHeads, d, Math.Pow(d, -0.5), null);
            Linear(o, tokens, dim, p("proj.weight")!, p("proj.bias"), dim).CopyTo(output, b * tokens * dim);
        }
        return output;
    }

    /// <summary>PVT spatial-reduction attention (keys <c>q</c>, <c>kv</c>, <c>sr</c>, <c>norm</c>, <c>proj</c>); the sr conv floors odd sizes.</summary>
    public static double[] Sra(double[] x, int batch, int height, int width, int dim, int numHeads, int srRatio, Func<string, double[]?> p)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(p);
        int d = dim / numHeads, n = height * width;
        var output = new double[x.Length];
        for (int b = 0; b < batch; b++)
        {
            double[] xb = x.AsSpan(b * n * dim, n * dim).ToArray();
            double[] q = Linear(xb, n, dim, p("q.weight")!, p("q.bias"), dim);
            double[] src = xb;
            int m = n;
            if (srRatio > 1)
            {
                int oh = height / srRatio, ow = width / srRatio;
                m = oh * ow;
                src = LayerNorm(PatchConv(xb, height, width, dim, srRatio, p("sr.weight")!, p("sr.bias")), m, dim, p("norm.weight")!, p("norm.bias")!);
            }
            double[] kv = Linear(src, m, dim, p("kv.weight")!, p("kv.bias"), 2 * dim);
            var o = new double[n * dim];
            AttendRows(q, dim, 0, Enumerable.Range(0, n).ToList(), kv, 2 * dim, 0, dim, Enumerable.Range(0, m).ToList(), o, dim, numHeads, d, Math.Pow(d, -0.5), null);
            Linear(o, n, dim, p("proj.weight")!, p("proj.bias"), dim).CopyTo(output, b * n * dim);
        }
        return output;
    }

    /// <summary>
    /// Swin W-MSA without shift (keys <c>qkv</c>, <c>proj</c>, optional <c>relative_position_bias_table</c>
    /// [(2s−1)², heads] indexed by <c>relative_position_index</c> [s², s²]); zero padding to multiples of s, crop.
    /// </summary>
    public static double[] WindowAttention(double[] x, int batch, int height, int width, int dim, int numHeads, int window, Func<string, double[]?> p)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(p);
        int d = dim / numHeads, area = window * window;
        int hp = (height + window - 1) / window * window, wp = (width + window - 1) / window * window;
        double[]? table = p("relative_position_bias_table");
        double[]? bias = null;
        if (table is not null)
        {
            double[] index = p("relative_position_index")!;
            bias = new double[numHeads * area * area];
            for (int h = 0; h < numHeads; h++)
            {
                for (int i = 0; i < area * area; i++)
                {
                    bias[h * area * area + i] = table[(int)index[i] * numHeads + h];
                }
            }
        }
        var output = new double[x.Length];
        for (int b = 0; b < batch; b++)
        {
            double[] m = PadMap(x, b, height, width, dim, hp, wp);
            int n = hp * wp;
            double[] qkv = Linear(m, n, dim, p("qkv.weight")!, p("qkv.bias"), 3 * dim);
            var o = new double[n * dim];
            for (int wy = 0; wy < hp; wy += window)
            {
                for (int wx = 0; wx < wp; wx += window)
                {
                    var tokens = new List<int>();
                    for (int ty = wy; ty < wy + window; ty++)
                    {
                        for (int tx = wx; tx < wx + window; tx++)
                        {
                            tokens.Add(ty * wp + tx);
                        }
                    }
                    AttendRows(qkv, 3 * dim, 0, tokens, qkv, 3 * dim, dim, 2 * dim, tokens, o, dim, numHeads, d, Math.Pow(d, -0.5), bias);
                }
            }
            Crop(Linear(o, n, dim, p("proj.weight")!, p("proj.bias"), dim), hp, wp, dim, output, b, height, width);
        }
        return output;
    }

    /// <summary>
    /// What <see cref="AttentionKernels.WindowAttention"/> computes, in float64: the output columns it writes for
    /// every real token (B·H·W rows of Heads·HeadDim), from the same views and geometry.
    /// </summary>
    public static double[] WindowCore(float[] qkv, float[] padKv, float[]? bias, WindowAttentionArgs a)
    {
        ArgumentNullException.ThrowIfNull(qkv);
        ArgumentNullException.ThrowIfNull(padKv);
        int dim = a.Heads * a.HeadDim, s = a.Window, n = a.Height * a.Width;
        int hp = (a.Height + s - 1) / s * s, wp = (a.Width + s - 1) / s * s;
        var o = new double[a.Batch * n * dim];
        for (int b = 0; b < a.Batch; b++)
        {
            // The padded map's q|k|v rows: real rows from qkv, padded rows [0 | k bias | v bias].
            var rows = new double[hp * wp * 3 * dim];
            for (int ty = 0; ty < hp; ty++)
            {
                for (int tx = 0; tx < wp; tx++)
                {
                    for (int c = 0; c < 3 * dim; c++)
                    {
                        rows[(ty * wp + tx) * 3 * dim + c] = ty < a.Height && tx < a.Width
                            ? qkv[(b * n + ty * a.Width + tx) * a.QkvStride + c]
                            : c < dim ? 0.0 : padKv[c - dim];
                    }
                }
            }
            double[]? bias64 = a.HasBias != 0 ? Array.ConvertAll(bias!, v => (double)v) : null;
            var padded = new double[hp * wp * dim];
            for (int wy = 0; wy < hp; wy += s)
            {
                for (int wx = 0; wx < wp; wx += s)
                {
                    var tokens = new List<int>();
                    for (int ty = wy; ty < wy + s; ty++)
                    {
                        for (int tx = wx; tx < wx + s; tx++)
                        {
                            tokens.Add(ty * wp + tx);
                        }
                    }
                    AttendRows(rows, 3 * dim, 0, tokens, rows, 3 * dim, dim, 2 * dim, tokens, padded, dim, a.Heads, a.HeadDim, a.Scale, bias64);
                }
            }
            var cropped = new double[n * dim];
            Crop(padded, hp, wp, dim, cropped, 0, a.Height, a.Width);
            cropped.CopyTo(o, b * n * dim);
        }
        return o;
    }

    /// <summary>What <see cref="AttentionKernels.GlobalAttention"/> computes, in float64 (B·N rows of Heads·HeadDim).</summary>
    public static double[] GlobalCore(float[] q, float[] kv, GlobalAttentionArgs a)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(kv);
        int dim = a.Heads * a.HeadDim;
        var o = new double[a.Batch * a.Queries * dim];
        var q64 = Array.ConvertAll(q, v => (double)v);
        var kv64 = Array.ConvertAll(kv, v => (double)v);
        for (int b = 0; b < a.Batch; b++)
        {
            var qRows = Enumerable.Range(b * a.Queries, a.Queries).ToList();
            var kRows = Enumerable.Range(b * a.Keys, a.Keys).ToList();
            AttendRows(q64, a.QStride, a.QOffset, qRows, kv64, a.KvStride, a.KOffset, a.VOffset, kRows, o, dim, a.Heads, a.HeadDim, a.Scale, null);
        }
        return o;
    }

    /// <summary><c>y = x · Wᵀ + b</c> for <paramref name="rows"/> rows; W is [out, in].</summary>
    public static double[] Linear(double[] x, int rows, int inFeatures, double[] weight, double[]? bias, int outFeatures)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        var y = new double[rows * outFeatures];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                double s = bias?[o] ?? 0.0;
                for (int i = 0; i < inFeatures; i++)
                {
                    s += x[r * inFeatures + i] * weight[o * inFeatures + i];
                }
                y[r * outFeatures + o] = s;
            }
        }
        return y;
    }

    // Softmax attention, head by head, of the query rows qRows (q at column qOff + h·d of a row of width qStride)
    // over the key rows kRows (k at kOff + h·d, v at vOff + h·d); writes o[qRow, h·d + j] (row width oStride).
    // bias: [heads, |q|, |k|] added to the scaled logits (window attention), or null. sink, if given, sees every row of
    // probabilities (head, query row, key rows, probabilities).
    private static void AttendRows(double[] q, int qStride, int qOff, List<int> qRows, double[] kv, int kvStride, int kOff, int vOff,
        List<int> kRows, double[] o, int oStride, int heads, int d, double scale, double[]? bias,
        Action<int, int, List<int>, double[]>? sink = null)
    {
        var logits = new double[kRows.Count];
        var row = sink is null ? null : new double[kRows.Count];
        for (int h = 0; h < heads; h++)
        {
            for (int qi = 0; qi < qRows.Count; qi++)
            {
                double max = double.NegativeInfinity;
                for (int ki = 0; ki < kRows.Count; ki++)
                {
                    double s = 0;
                    for (int j = 0; j < d; j++)
                    {
                        s += q[qRows[qi] * qStride + qOff + h * d + j] * kv[kRows[ki] * kvStride + kOff + h * d + j];
                    }
                    logits[ki] = s * scale + (bias is null ? 0.0 : bias[(h * qRows.Count + qi) * kRows.Count + ki]);
                    max = Math.Max(max, logits[ki]);
                }
                double sum = 0;
                for (int ki = 0; ki < kRows.Count; ki++)
                {
                    logits[ki] = Math.Exp(logits[ki] - max);
                    sum += logits[ki];
                }
                if (sink is not null)
                {
                    for (int ki = 0; ki < kRows.Count; ki++)
                    {
                        row![ki] = logits[ki] / sum;
                    }
                    sink(h, qRows[qi], kRows, row!);
                }
                for (int j = 0; j < d; j++)
                {
                    double acc = 0;
                    for (int ki = 0; ki < kRows.Count; ki++)
                    {
                        acc += logits[ki] / sum * kv[kRows[ki] * kvStride + vOff + h * d + j];
                    }
                    o[qRows[qi] * oStride + h * d + j] = acc;
                }
            }
        }
    }

    // Batch item b of x as an hp×wp map (row-major tokens, C channels), zeros beyond H×W.
    private static double[] PadMap(double[] x, int b, int height, int width, int dim, int hp, int wp)
    {
        var m = new double[hp * wp * dim];
        for (int y = 0; y < height; y++)
        {
            for (int xx = 0; xx < width; xx++)
            {
                Array.Copy(x, ((b * height + y) * width + xx) * dim, m, (y * wp + xx) * dim, dim);
            }
        }
        return m;
    }

    // The top-left H×W of an hp×wp map into batch item b of output.
    private static void Crop(double[] m, int hp, int wp, int dim, double[] output, int b, int height, int width)
    {
        _ = hp;
        for (int y = 0; y < height; y++)
        {
            for (int xx = 0; xx < width; xx++)
            {
                Array.Copy(m, (y * wp + xx) * dim, output, ((b * height + y) * width + xx) * dim, dim);
            }
        }
    }

    // Copies an n×cols block into columns [offset, offset + cols) of an n×stride matrix.
    private static void Place(double[] block, int n, int cols, double[] into, int stride, int offset)
    {
        for (int r = 0; r < n; r++)
        {
            Array.Copy(block, r * cols, into, r * stride + offset, cols);
        }
    }

    // s×s average pooling of an hp×wp map (hp, wp multiples of s).
    private static double[] AvgPool(double[] m, int hp, int wp, int dim, int s)
    {
        int ph = hp / s, pw = wp / s;
        var pooled = new double[ph * pw * dim];
        for (int py = 0; py < ph; py++)
        {
            for (int px = 0; px < pw; px++)
            {
                for (int c = 0; c < dim; c++)
                {
                    double sum = 0;
                    for (int dy = 0; dy < s; dy++)
                    {
                        for (int dx = 0; dx < s; dx++)
                        {
                            sum += m[((py * s + dy) * wp + px * s + dx) * dim + c];
                        }
                    }
                    pooled[(py * pw + px) * dim + c] = sum / (s * s);
                }
            }
        }
        return pooled;
    }

    // Conv2d C→C, kernel = stride = s, no padding (floors), OIHW weight, on an H×W channels-last map.
    private static double[] PatchConv(double[] m, int height, int width, int dim, int s, double[] weight, double[]? bias)
    {
        int oh = height / s, ow = width / s;
        var y = new double[oh * ow * dim];
        for (int oy = 0; oy < oh; oy++)
        {
            for (int ox = 0; ox < ow; ox++)
            {
                for (int co = 0; co < dim; co++)
                {
                    double sum = bias?[co] ?? 0.0;
                    for (int ci = 0; ci < dim; ci++)
                    {
                        for (int ky = 0; ky < s; ky++)
                        {
                            for (int kx = 0; kx < s; kx++)
                            {
                                sum += weight[((co * dim + ci) * s + ky) * s + kx] * m[((oy * s + ky) * width + ox * s + kx) * dim + ci];
                            }
                        }
                    }
                    y[(oy * ow + ox) * dim + co] = sum;
                }
            }
        }
        return y;
    }

    // LayerNorm over the last axis, eps 1e-5 (biased variance, as PyTorch).
    private static double[] LayerNorm(double[] x, int rows, int dim, double[] gamma, double[] beta)
    {
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double mean = 0, var = 0;
            for (int c = 0; c < dim; c++)
            {
                mean += x[r * dim + c];
            }
            mean /= dim;
            for (int c = 0; c < dim; c++)
            {
                double t = x[r * dim + c] - mean;
                var += t * t;
            }
            var /= dim;
            double inv = 1.0 / Math.Sqrt(var + 1e-5);
            for (int c = 0; c < dim; c++)
            {
                y[r * dim + c] = (x[r * dim + c] - mean) * inv * gamma[c] + beta[c];
            }
        }
        return y;
    }
}
