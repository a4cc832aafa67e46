
namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>
/// Float64 references of the basic layers, written from their definitions with plain loops, for the
/// randomized-shape property tests. Inputs are float32 (what the kernels see); results are float64.
/// </summary>
public static class BasicReference
{
    /// <summary>PyTorch Linear: <c>y[r, o] = bias[o] + Σᵢ x[r, i]·weight[o, i]</c>, weight <c>[out, in]</c>; bias may be null.</summary>
    public static double[] Linear(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int rows, int inFeatures, int outFeatures)
    {
        var y = new double[rows * outFeatures];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outFeatures; o++)
            {
                double sum = bias.IsEmpty ? 0 : bias[o];
                for (int i = 0; i < inFeatures; i++)
                {
                    sum += (double)x[r * inFeatures + i] * weight[o * inFeatures + i];
                }
                y[r * outFeatures + o] = sum;
            }
        }
        return y;
    }

    /// <summary>LayerNorm over rows of <paramref name="dim"/>: biased variance, <c>1/sqrt(var + eps)</c>.</summary>
    public static double[] LayerNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int dim, double eps)
    {
        var y = new double[x.Length];
        for (int at = 0; at < x.Length; at += dim)
        {
            double mean = 0;
            for (int i = 0; i < dim; i++)
            {
                mean += x[at + i];
            }
            mean /= dim;
            double variance = 0;
            for (int i = 0; i < dim; i++)
            {
                variance += (x[at + i] - mean) * (x[at + i] - mean);
            }
            variance /= dim;
            double rstd = 1 / Math.Sqrt(variance + eps);
            for (int i = 0; i < dim; i++)
            {
                y[at + i] = (x[at + i] - mean) * rstd * weight[i] + bias[i];
            }
        }
        return y;
    }

    /// <summary>GELU, exact: <c>x/2 · (1 + erf(x/√2))</c> with the float64 erf.</summary>
    public static double[] Gelu(ReadOnlySpan<float> x)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = 0.5 * x[i] * (1 + KernelMath.Erf(x[i] / Math.Sqrt(2)));
        }
        return y;
    }

    /// <summary>Softmax over rows of <paramref name="dim"/>.</summary>
    public static double[] Softmax(ReadOnlySpan<float> x, int dim)
    {
        var y = new double[x.Length];
        for (int at = 0; at < x.Length; at += dim)
        {
            double max = double.NegativeInfinity;
            for (int i = 0; i < dim; i++)
            {
                max = Math.Max(max, x[at + i]);
            }
            double sum = 0;
            for (int i = 0; i < dim; i++)
            {
                y[at + i] = Math.Exp(x[at + i] - max);
                sum += y[at + i];
            }
            for (int i = 0; i < dim; i++)
            {
                y[at + i] /= sum;
            }
        }
        return y;
    }

    /// <summary>Elementwise sum.</summary>
    public static double[] Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var y = new double[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            y[i] = (double)a[i] + b[i];
        }
        return y;
    }

    /// <summary>Mean over tokens: B×N×C → B×C.</summary>
    public static double[] MeanOverTokens(ReadOnlySpan<float> x, int batch, int tokens, int channels)
    {
        var y = new double[batch * channels];
        for (int b = 0; b < batch; b++)
        {
            for (int n = 0; n < tokens; n++)
            {
                for (int c = 0; c < channels; c++)
                {
                    y[b * channels + c] += x[(b * tokens + n) * channels + c];
                }
            }
        }
        for (int i = 0; i < y.Length; i++)
        {
            y[i] /= tokens;
        }
        return y;
    }
}
