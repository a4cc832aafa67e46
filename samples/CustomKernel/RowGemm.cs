using Hilo.Ilgpu.Kernels.Runtime;
using Hilo.Ilgpu.Layers;
using ILGPU;

namespace Hilo.Samples.CustomKernel;

/// <summary>The scalar arguments of <see cref="RowGemm.Kernel"/> (ILGPU kernels take views and unmanaged values).</summary>
public struct RowGemmArgs
{
    /// <summary>Rows, input features, output features.</summary>
    public int Rows, In, Out;

    /// <summary>Row strides of the input and the output.</summary>
    public int InputStride, OutputStride;

    /// <summary>1: add to the output (a residual), 0: store.</summary>
    public int Accumulate;
}

/// <summary>
/// A user's GEMM for <see cref="Linear"/>, written as an ILGPU kernel: one thread per output element, reading the
/// input row and a column of weightᵀ straight from global memory (no shared-memory tiles). Registered as a variant,
/// the tuner times it next to the library's GEMMs on every device and keeps it only where it wins.
/// </summary>
public static class RowGemm
{
    /// <summary>The variant's name.</summary>
    public const string Name = "row-gemm";

    /// <summary><c>y[r, j] = bias[j] + Σᵢ x[r, i]·wT[i, j]</c>; x = output column j, y = row r.</summary>
    [IlgpuKernel("gemm")]
    public static void Kernel(ArrayView<float> x, ArrayView<float> wT, ArrayView<float> bias, ArrayView<float> y, RowGemmArgs a)
    {
        int j = Grid.GlobalIndex.X;
        int r = Grid.GlobalIndex.Y;
        if (j >= a.Out || r >= a.Rows)
        {
            return;
        }
        float sum = bias[j];
        for (int i = 0; i < a.In; i++)
        {
            sum += x[r * a.InputStride + i] * wT[i * a.Out + j];
        }
        int at = r * a.OutputStride + j;
        y[at] = a.Accumulate != 0 ? y[at] + sum : sum;
    }

    /// <summary>Queues <see cref="Kernel"/> for one <see cref="LinearLaunch"/>: 64×1 threads per group.</summary>
    public static void Run(LinearLaunch l)
    {
        var args = new RowGemmArgs
        {
            Rows = l.Rows, In = l.InFeatures, Out = l.OutFeatures,
            InputStride = l.InputStride, OutputStride = l.OutputStride, Accumulate = l.Accumulate ? 1 : 0,
        };
        l.Device.Launch(Kernel, Configs.Grid2D(l.OutFeatures, l.Rows, 64, 1), l.Input, l.WeightT, l.Bias, l.Output, args);
    }

    /// <summary>Registers the variant for every <see cref="Linear"/> (once per process), and its kernel for <c>hilo kernels</c>.</summary>
    public static void Register()
    {
        if (!Linear.Variants.Contains(Name))
        {
            Linear.RegisterVariant(Name, KernelFamily.Ilgpu, Run);
            KernelCatalog.Register(typeof(RowGemm).Assembly);
        }
    }
}
