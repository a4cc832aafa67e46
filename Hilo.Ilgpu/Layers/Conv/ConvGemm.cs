using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;
using Hilo.Ilgpu.Kernels.Gemm;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// The GEMM step of the im2col convolutions: rows [M, K] · Wᵀ + bias with W an [N, K] (out-major) matrix, run by
/// the same bias-fused GEMMs as <see cref="Linear"/> — the panel GEMM with W packed on the host for CPU-family
/// devices, the tiled GEMM with Wᵀ for GPUs.
/// </summary>
internal static class ConvGemm
{
    /// <summary>The weight in the form the device's GEMM reads, and the bias padded to whole panels (zeros when null).</summary>
    public static (float[] Weight, float[] PaddedBias) PrepareHost(float[] weight, float[]? bias, int n, int k, KernelFamily family)
    {
        float[] w;
        if (family == KernelFamily.Cpu)
        {
            w = PanelGemmCpu.PackTransposedOnHost(weight, k, n);
        }
        else
        {
            w = new float[weight.Length];
            for (int o = 0; o < n; o++)
            {
                for (int q = 0; q < k; q++)
                {
                    w[q * n + o] = weight[o * k + q];
                }
            }
        }
        var padded = new float[PanelGemmCpu.PaddedBiasLength(n)];
        bias?.CopyTo(padded, 0);
        return (w, padded);
    }

    /// <summary>Queues <c>c[r, :] = rows[r, :] · Wᵀ + bias</c> for <paramref name="m"/> rows, through GELU when <paramref name="gelu"/> (fused into the GEMM's store).</summary>
    public static void Run(ComputeDevice device, KernelFamily family, ArrayView<float> rows, ArrayView<float> weight, ArrayView<float> paddedBias, ArrayView<float> c, int m, int n, int k, bool gelu = false)
    {
        if (m == 0)
        {
            return;
        }
        if (family == KernelFamily.Cpu)
        {
            PanelGemmCpu.MultiplyBias(device.Kernels, rows, k, weight, paddedBias, c, n, m, n, k, false, gelu);
        }
        else
        {
            TiledGemmKernels.MultiplyBias(device.Kernels, rows, k, weight, paddedBias, c, n, m, n, k, false, gelu);
        }
    }
}
