using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>Row-wise kernels over the last dimension: LayerNorm and softmax. One work-item per row.</summary>
public static partial class NormKernels
{
    /// <summary>Lanes per vector step of the row loops.</summary>
    public const int Lanes = 16;

    /// <summary>
    /// <c>y = (x − mean) / sqrt(var + eps) · weight + bias</c> over each row of <paramref name="dim"/> elements
    /// (biased variance, as PyTorch's LayerNorm). Two passes over the row (mean, then squared deviations) so
    /// that rows with a large mean keep their precision. Launch over the row count.
    /// </summary>
    [Kernel]
    public static void LayerNormRows(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> bias, ArrayView<float> y, int dim, float eps)
    {
        int at = Grid.GlobalIndex.X * dim;
        int vectorEnd = dim - dim % Lanes;
        Float16 acc = Float16.Zero;
        for (int i = 0; i < vectorEnd; i += Lanes)
        {
            acc += Float16.Load(x, at + i);
        }
        float sum = acc.Sum();
        for (int i = vectorEnd; i < dim; i++)
        {
            sum += x[at + i];
        }
        float mean = sum / dim;
        var meanV = new Float16(mean);
        acc = Float16.Zero;
        for (int i = 0; i < vectorEnd; i += Lanes)
        {
            Float16 d = Float16.Load(x, at + i) - meanV;
            acc = Float16.Fma(d, d, acc);
        }
        float squares = acc.Sum();
        for (int i = vectorEnd; i < dim; i++)
        {
            float d = x[at + i] - mean;
            squares += d * d;
        }
        float rstd = 1f / MathF.Sqrt(squares / dim + eps);
        var rstdV = new Float16(rstd);
        for (int i = 0; i < vectorEnd; i += Lanes)
        {
            Float16 normed = (Float16.Load(x, at + i) - meanV) * rstdV;
            Float16.Fma(normed, Float16.Load(weight, i), Float16.Load(bias, i)).Store(y, at + i);
        }
        for (int i = vectorEnd; i < dim; i++)
        {
            y[at + i] = MathF.FusedMultiplyAdd((x[at + i] - mean) * rstd, weight[i], bias[i]);
        }
    }

    /// <summary>
    /// Softmax over each row of <paramref name="dim"/> elements: <c>exp(x − max) / Σ exp(x − max)</c> (stable for
    /// any input size). <paramref name="y"/> may be <paramref name="x"/> (in place). Launch over the row count.
    /// </summary>
    [Kernel]
    public static void SoftmaxRows(ArrayView<float> x, ArrayView<float> y, int dim)
    {
        int at = Grid.GlobalIndex.X * dim;
        int vectorEnd = dim - dim % Lanes;
        var maxV = new Float16(float.NegativeInfinity);
        for (int i = 0; i < vectorEnd; i += Lanes)
        {
            maxV = Float16.Max(maxV, Float16.Load(x, at + i));
        }
        float max = float.NegativeInfinity;
        for (int lane = 0; lane < Lanes; lane++)
        {
            max = MathF.Max(max, maxV[lane]);
        }
        for (int i = vectorEnd; i < dim; i++)
        {
            max = MathF.Max(max, x[at + i]);
        }
        // A row of -inf (everything masked) has no finite maximum: subtract 0 so that it gives NaN, as PyTorch does.
        float shift = max == float.NegativeInfinity ? 0f : max;
        float sum = 0f;
        for (int i = 0; i < dim; i++)
        {
            float e = MathF.Exp(x[at + i] - shift);
            y[at + i] = e;
            sum += e;
        }
        var scale = new Float16(1f / sum);
        for (int i = 0; i < vectorEnd; i += Lanes)
        {
            (Float16.Load(y, at + i) * scale).Store(y, at + i);
        }
        for (int i = vectorEnd; i < dim; i++)
        {
            y[at + i] = y[at + i] * (1f / sum);
        }
    }
}
