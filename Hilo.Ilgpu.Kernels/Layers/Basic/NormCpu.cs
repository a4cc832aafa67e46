using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Runtime;

namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>LayerNorm and softmax of the CPU family: rows spread over the cores, each row 16 lanes at a time.</summary>
public static unsafe class NormCpu
{
    /// <summary>LayerNorm over rows of <paramref name="dim"/> (two passes, as <see cref="NormKernels.LayerNormRows"/>).</summary>
    [CpuKernel("layer-norm")]
    public static void LayerNorm(HostView x, HostView weight, HostView bias, HostView y, int rows, int dim, float eps) =>
        CpuParallel.For(rows, row =>
        {
            float* px = x.At(row * dim, dim), py = y.At(row * dim, dim), pw = weight.At(0, dim), pb = bias.At(0, dim);
            int vectorEnd = dim - dim % Float16.Count;
            Float16 acc = Float16.Zero;
            for (int i = 0; i < vectorEnd; i += Float16.Count)
            {
                acc += Float16.Load(px + i);
            }
            float sum = acc.Sum();
            for (int i = vectorEnd; i < dim; i++)
            {
                sum += px[i];
            }
            float mean = sum / dim;
            var meanV = new Float16(mean);
            acc = Float16.Zero;
            for (int i = 0; i < vectorEnd; i += Float16.Count)
            {
                Float16 d = Float16.Load(px + i) - meanV;
                acc = Float16.Fma(d, d, acc);
            }
            float squares = acc.Sum();
            for (int i = vectorEnd; i < dim; i++)
            {
                float d = px[i] - mean;
                squares += d * d;
            }
            float rstd = 1f / MathF.Sqrt(squares / dim + eps);
            var rstdV = new Float16(rstd);
            for (int i = 0; i < vectorEnd; i += Float16.Count)
            {
                Float16 normed = (Float16.Load(px + i) - meanV) * rstdV;
                Float16.Fma(normed, Float16.Load(pw + i), Float16.Load(pb + i)).Store(py + i);
            }
            for (int i = vectorEnd; i < dim; i++)
            {
                py[i] = MathF.FusedMultiplyAdd((px[i] - mean) * rstd, pw[i], pb[i]);
            }
        });

    /// <summary>Softmax over rows of <paramref name="dim"/> (a row of −∞ gives NaN, as PyTorch).</summary>
    [CpuKernel("softmax")]
    public static void Softmax(HostView x, HostView y, int rows, int dim) =>
        CpuParallel.For(rows, row =>
        {
            float* px = x.At(row * dim, dim), py = y.At(row * dim, dim);
            int vectorEnd = dim - dim % Float16.Count;
            var maxV = new Float16(float.NegativeInfinity);
            for (int i = 0; i < vectorEnd; i += Float16.Count)
            {
                maxV = Float16.Max(maxV, Float16.Load(px + i));
            }
            float max = vectorEnd > 0 ? maxV.MaxLane() : float.NegativeInfinity;
            for (int i = vectorEnd; i < dim; i++)
            {
                max = MathF.Max(max, px[i]);
            }
            float shift = max == float.NegativeInfinity ? 0f : max;
            float sum = 0f;
            for (int i = 0; i < dim; i++)
            {
                float e = MathF.Exp(px[i] - shift);
                py[i] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int i = 0; i < dim; i++)
            {
                py[i] *= inv;
            }
        });
}
