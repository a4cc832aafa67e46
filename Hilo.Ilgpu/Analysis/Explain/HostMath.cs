using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Analysis;

/// <summary>Float64 building blocks of the host replay, on row-major [rows, features] arrays with the float weights as stored.</summary>
internal static class HostMath
{
    /// <summary><c>y = x · Wᵀ + b</c> with a layer's weight [out, in] and optional bias; rows in parallel.</summary>
    public static double[] Linear(double[] x, int rows, Linear layer)
    {
        int inF = layer.InFeatures, outF = layer.OutFeatures;
        float[] w = layer.Weight.Value.Data;
        float[]? b = layer.Bias?.Value.Data;
        var y = new double[rows * outF];
        Parallel.For(0, rows, r =>
        {
            for (int o = 0; o < outF; o++)
            {
                double s = b is null ? 0.0 : b[o];
                int wRow = o * inF, xRow = r * inF;
                for (int i = 0; i < inF; i++)
                {
                    s += x[xRow + i] * w[wRow + i];
                }
                y[r * outF + o] = s;
            }
        });
        return y;
    }

    /// <summary>PyTorch's LayerNorm over the last axis (biased variance, eps inside the root) with the layer's own eps and affine.</summary>
    public static double[] LayerNorm(IReadOnlyList<float> x, int rows, LayerNorm layer) =>
        Hilo.Ilgpu.Kernels.Layers.Conv.ConvReference.LayerNorm(x.Select(v => (double)v).ToArray(), rows, layer.Dim, layer.Weight.Value.Data, layer.Bias.Value.Data, layer.Eps);

    /// <summary>Softmax of <paramref name="logits"/> in place, the maximum subtracted first.</summary>
    public static void Softmax(Span<double> logits)
    {
        double max = double.NegativeInfinity;
        foreach (double v in logits)
        {
            max = Math.Max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = Math.Exp(logits[i] - max);
            sum += logits[i];
        }
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] /= sum;
        }
    }
}
