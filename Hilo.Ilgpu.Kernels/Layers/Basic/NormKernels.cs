using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;

namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>
/// Row-wise ILGPU kernels over the last dimension: LayerNorm and softmax. One group per row: its threads stride
/// over the row, and ILGPU.Algorithms' group all-reductions combine their partial sums and maxima.
/// </summary>
public static class NormKernels
{
    /// <summary>
    /// <c>y = (x − mean) / sqrt(var + eps) · weight + bias</c> over each row of <paramref name="dim"/> elements
    /// (biased variance, as PyTorch's LayerNorm), in two passes (mean, then squared deviations) so that rows with a
    /// large mean keep their precision. <paramref name="y"/> may be <paramref name="x"/>. Grid: one group per row.
    /// </summary>
    [IlgpuKernel("layer-norm")]
    public static void LayerNormRows(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> bias, ArrayView<float> y, int dim, float eps)
    {
        int at = Grid.IdxX * dim;
        float sum = 0f;
        for (int i = Group.IdxX; i < dim; i += Group.DimX)
        {
            sum += x[at + i];
        }
        float mean = GroupExtensions.AllReduce<float, AddFloat>(sum) / dim;
        float squares = 0f;
        for (int i = Group.IdxX; i < dim; i += Group.DimX)
        {
            float d = x[at + i] - mean;
            squares += d * d;
        }
        float rstd = 1f / MathF.Sqrt(GroupExtensions.AllReduce<float, AddFloat>(squares) / dim + eps);
        for (int i = Group.IdxX; i < dim; i += Group.DimX)
        {
            y[at + i] = (x[at + i] - mean) * rstd * weight[i] + bias[i];
        }
    }

    /// <summary>
    /// Softmax over each row of <paramref name="dim"/> elements: <c>exp(x − max) / Σ exp(x − max)</c>. A row of −∞
    /// gives NaN, as PyTorch does. <paramref name="y"/> may be <paramref name="x"/>. Grid: one group per row.
    /// </summary>
    [IlgpuKernel("softmax")]
    public static void SoftmaxRows(ArrayView<float> x, ArrayView<float> y, int dim)
    {
        int at = Grid.IdxX * dim;
        float max = float.NegativeInfinity;
        for (int i = Group.IdxX; i < dim; i += Group.DimX)
        {
            max = MathF.Max(max, x[at + i]);
        }
        max = GroupExtensions.AllReduce<float, MaxFloat>(max);
        float shift = max == float.NegativeInfinity ? 0f : max;
        float sum = 0f;
        for (int i = Group.IdxX; i < dim; i += Group.DimX)
        {
            float e = MathF.Exp(x[at + i] - shift);
            y[at + i] = e;
            sum += e;
        }
        float inv = 1f / GroupExtensions.AllReduce<float, AddFloat>(sum);
        for (int i = Group.IdxX; i < dim; i += Group.DimX)
        {
            y[at + i] *= inv;
        }
    }
}
