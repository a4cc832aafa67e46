namespace Hilo.Ilgpu.Kernels.Layers.Conv;

/// <summary>
/// Float64 references of the convolution-family layers, written from their definitions with plain loops, for
/// the randomized-shape property tests. Token maps are channels-last (B × H·W × C, token y·W + x); images NCHW;
/// conv weights OIHW as PyTorch stores them. Inputs are float32, results float64.
/// </summary>
public static class ConvReference
{
    /// <summary>s×s average pooling, stride s; the map zero-padded bottom/right to multiples of s, zeros counted.</summary>
    public static double[] AvgPool(float[] x, int batch, int height, int width, int channels, int s)
    {
        int outH = (height + s - 1) / s, outW = (width + s - 1) / s;
        var y = new double[batch * outH * outW * channels];
        for (int b = 0; b < batch; b++)
        {
            for (int oy = 0; oy < outH; oy++)
            {
                for (int ox = 0; ox < outW; ox++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        double sum = 0;
                        for (int i = 0; i < s; i++)
                        {
                            for (int j = 0; j < s; j++)
                            {
                                sum += At(x, b, oy * s + i, ox * s + j, c, height, width, channels);
                            }
                        }
                        y[((b * outH + oy) * outW + ox) * channels + c] = sum / (s * s);
                    }
                }
            }
        }
        return y;
    }

    /// <summary>
    /// Conv2d with kernel = stride = k, no padding, on a channels-last map: output ⌊H/k⌋ × ⌊W/k⌋ tokens of
    /// <c>Cout</c> channels. <paramref name="weight"/> is OIHW [Cout, Cin, k, k]; <paramref name="bias"/> may be null.
    /// </summary>
    public static double[] PatchConv(float[] x, int batch, int height, int width, int cin, float[] weight, float[]? bias, int cout, int k)
    {
        int outH = height / k, outW = width / k;
        var y = new double[batch * outH * outW * cout];
        for (int b = 0; b < batch; b++)
        {
            for (int oy = 0; oy < outH; oy++)
            {
                for (int ox = 0; ox < outW; ox++)
                {
                    for (int o = 0; o < cout; o++)
                    {
                        double sum = bias is null ? 0 : bias[o];
                        for (int c = 0; c < cin; c++)
                        {
                            for (int i = 0; i < k; i++)
                            {
                                for (int j = 0; j < k; j++)
                                {
                                    sum += (double)weight[((o * cin + c) * k + i) * k + j] * At(x, b, oy * k + i, ox * k + j, c, height, width, cin);
                                }
                            }
                        }
                        y[((b * outH + oy) * outW + ox) * cout + o] = sum;
                    }
                }
            }
        }
        return y;
    }

    /// <summary>
    /// Patch embedding conv on an NCHW image: zero-pad right/bottom to multiples of k, Conv2d k×k stride k,
    /// tokens out: B × ⌈H/k⌉·⌈W/k⌉ × Cout (no norm).
    /// </summary>
    public static double[] ImagePatchConv(float[] image, int batch, int cin, int height, int width, float[] weight, float[] bias, int cout, int k)
    {
        int outH = (height + k - 1) / k, outW = (width + k - 1) / k;
        var y = new double[batch * outH * outW * cout];
        for (int b = 0; b < batch; b++)
        {
            for (int oy = 0; oy < outH; oy++)
            {
                for (int ox = 0; ox < outW; ox++)
                {
                    for (int o = 0; o < cout; o++)
                    {
                        double sum = bias[o];
                        for (int c = 0; c < cin; c++)
                        {
                            for (int i = 0; i < k; i++)
                            {
                                for (int j = 0; j < k; j++)
                                {
                                    int yy = oy * k + i, xx = ox * k + j;
                                    double v = yy < height && xx < width ? image[((b * cin + c) * height + yy) * width + xx] : 0;
                                    sum += (double)weight[((o * cin + c) * k + i) * k + j] * v;
                                }
                            }
                        }
                        y[((b * outH + oy) * outW + ox) * cout + o] = sum;
                    }
                }
            }
        }
        return y;
    }

    /// <summary>LayerNorm over the last axis of <paramref name="rows"/> rows (biased variance, eps inside the root).</summary>
    public static double[] LayerNorm(double[] x, int rows, int dim, float[] gamma, float[] beta, double eps = 1e-5)
    {
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double mean = 0, variance = 0;
            for (int c = 0; c < dim; c++)
            {
                mean += x[r * dim + c];
            }
            mean /= dim;
            for (int c = 0; c < dim; c++)
            {
                double d = x[r * dim + c] - mean;
                variance += d * d;
            }
            variance /= dim;
            double inv = 1 / Math.Sqrt(variance + eps);
            for (int c = 0; c < dim; c++)
            {
                y[r * dim + c] = (x[r * dim + c] - mean) * inv * gamma[c] + beta[c];
            }
        }
        return y;
    }

    /// <summary>Depthwise Conv2d 3×3, stride 1, zero padding 1, on a channels-last map; weight [C, 1, 3, 3].</summary>
    public static double[] Depthwise3x3(float[] x, int batch, int height, int width, int channels, float[] weight, float[] bias)
    {
        var y = new double[x.Length];
        for (int b = 0; b < batch; b++)
        {
            for (int yy = 0; yy < height; yy++)
            {
                for (int xx = 0; xx < width; xx++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        double sum = bias[c];
                        for (int i = 0; i < 3; i++)
                        {
                            for (int j = 0; j < 3; j++)
                            {
                                sum += (double)weight[c * 9 + i * 3 + j] * At(x, b, yy + i - 1, xx + j - 1, c, height, width, channels);
                            }
                        }
                        y[((b * height + yy) * width + xx) * channels + c] = sum;
                    }
                }
            }
        }
        return y;
    }

    /// <summary>
    /// Deformable Conv2d (DCNv2 family without modulation) with kernel = stride = k, no padding, dilation 1:
    /// tap (i, j) of output (oy, ox) samples the map bilinearly at (oy·k + i + Δy, ox·k + j + Δx), where
    /// Δy, Δx are channels 2t and 2t + 1 (t = i·k + j) of <paramref name="offsets"/>, channels-last
    /// [B, ⌊H/k⌋·⌊W/k⌋, 2k²]. Weight OIHW [Cout, Cin, k, k]; output [B, ⌊H/k⌋·⌊W/k⌋, Cout].
    /// </summary>
    public static double[] DeformConv(float[] x, float[] offsets, int batch, int height, int width, int cin, float[] weight, float[] bias, int cout, int k)
    {
        int outH = height / k, outW = width / k, taps = k * k;
        var y = new double[batch * outH * outW * cout];
        var sample = new double[cin * taps];
        for (int b = 0; b < batch; b++)
        {
            for (int oy = 0; oy < outH; oy++)
            {
                for (int ox = 0; ox < outW; ox++)
                {
                    int cell = (b * outH + oy) * outW + ox;
                    for (int t = 0; t < taps; t++)
                    {
                        int i = t / k, j = t % k;
                        double h = oy * k + i + (double)offsets[cell * 2 * taps + 2 * t];
                        double w = ox * k + j + (double)offsets[cell * 2 * taps + 2 * t + 1];
                        for (int c = 0; c < cin; c++)
                        {
                            sample[c * taps + t] = Bilinear(x, b, c, h, w, height, width, cin);
                        }
                    }
                    for (int o = 0; o < cout; o++)
                    {
                        double sum = bias[o];
                        for (int q = 0; q < cin * taps; q++)
                        {
                            sum += (double)weight[o * cin * taps + q] * sample[q];
                        }
                        y[cell * cout + o] = sum;
                    }
                }
            }
        }
        return y;
    }

    /// <summary>
    /// DCN/torchvision bilinear sampling: 0 when the point is at or beyond −1 or the map size; otherwise the
    /// four neighbours weighted, each neighbour outside the map counted as 0.
    /// </summary>
    public static double Bilinear(float[] x, int b, int c, double h, double w, int height, int width, int channels)
    {
        if (h <= -1 || w <= -1 || h >= height || w >= width)
        {
            return 0;
        }
        int hLow = (int)Math.Floor(h), wLow = (int)Math.Floor(w);
        double lh = h - hLow, lw = w - wLow;
        return (1 - lh) * (1 - lw) * At(x, b, hLow, wLow, c, height, width, channels)
            + (1 - lh) * lw * At(x, b, hLow, wLow + 1, c, height, width, channels)
            + lh * (1 - lw) * At(x, b, hLow + 1, wLow, c, height, width, channels)
            + lh * lw * At(x, b, hLow + 1, wLow + 1, c, height, width, channels);
    }

    /// <summary>BatchNorm2d in eval as a per-channel affine map: scale = γ/√(var + ε), shift = β − mean·scale.</summary>
    public static (double[] Scale, double[] Shift) BatchNormFold(float[] gamma, float[] beta, float[] mean, float[] variance, double eps = 1e-5)
    {
        var scale = new double[gamma.Length];
        var shift = new double[gamma.Length];
        for (int c = 0; c < gamma.Length; c++)
        {
            scale[c] = gamma[c] / Math.Sqrt(variance[c] + (double)eps);
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return (scale, shift);
    }

    /// <summary>BatchNorm2d in eval on a channels-last tensor (any number of rows of C channels).</summary>
    public static double[] BatchNorm(double[] x, int channels, float[] gamma, float[] beta, float[] mean, float[] variance, double eps = 1e-5)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int c = i % channels;
            y[i] = (x[i] - mean[c]) / Math.Sqrt(variance[c] + eps) * gamma[c] + beta[c];
        }
        return y;
    }

    /// <summary>
    /// LITv2's DTM: offsets = conv_offset(x) (a k = s = 2 conv, Cin → 8), deformable conv 2×2 stride 2 at those
    /// offsets, BatchNorm in eval, exact GELU. Channels-last in and out; output ⌊H/2⌋·⌊W/2⌋ tokens.
    /// </summary>
    public static double[] Dtm(float[] x, int batch, int height, int width, int cin, int cout,
        float[] offsetWeight, float[] offsetBias, float[] weight, float[] bias,
        float[] gamma, float[] beta, float[] mean, float[] variance, double eps = 1e-5)
    {
        var offsets = Array.ConvertAll(PatchConv(x, batch, height, width, cin, offsetWeight, offsetBias, 8, 2), v => (float)v);
        var conv = DeformConv(x, offsets, batch, height, width, cin, weight, bias, cout, 2);
        var y = BatchNorm(conv, cout, gamma, beta, mean, variance, eps);
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = 0.5 * y[i] * (1 + Basic.KernelMath.Erf(y[i] / Math.Sqrt(2)));
        }
        return y;
    }

    /// <summary>Element of a channels-last map, 0 outside it.</summary>
    private static double At(float[] x, int b, int yy, int xx, int c, int height, int width, int channels) =>
        yy < 0 || xx < 0 || yy >= height || xx >= width ? 0 : x[((b * height + yy) * width + xx) * channels + c];
}
