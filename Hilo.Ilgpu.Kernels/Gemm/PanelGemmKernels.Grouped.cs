using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Gemm;

/// <summary>
/// The panel GEMM with a launch shape other than one work-item per group: the kernel is unchanged (it needs no
/// barriers, so any group shape works), only which 8×32 blocks share a group changes. On the managed CPU backend a
/// group's work-items run one after another on one thread, so a group of row blocks of one panel re-reads that
/// B panel from cache, and a group of panels of one row block re-reads the same eight A rows. OpenCL CPU runtimes
/// (PoCL) compile one work-group function per group shape, with similar effects. Which one wins depends on the
/// device and the shape: the layer scheduler (docs/scheduler.md) times them.
/// </summary>
public static partial class PanelGemmKernels
{
    /// <summary>
    /// Queues what <see cref="MultiplyBias"/> queues, with groups of <paramref name="panelsPerGroup"/> panels ×
    /// <paramref name="rowBlocksPerGroup"/> row blocks instead of 1 × 1.
    /// </summary>
    public static void MultiplyBiasGrouped(AcceleratorStream stream, ArrayView<float> a, int lda, ArrayView<float> packedB, ArrayView<float> paddedBias,
        ArrayView<float> c, int ldc, int m, int n, int k, bool accumulate, int panelsPerGroup, int rowBlocksPerGroup, bool gelu = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(panelsPerGroup, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowBlocksPerGroup, 1);
        GemmShape.CheckStrided(a, lda, c, ldc, m, n, k);
        GemmShape.CheckEpilogue(accumulate, gelu);
        if (packedB.Length < PackedLength(k, n) || paddedBias.Length < PaddedBiasLength(n))
        {
            throw new ArgumentException($"Panel GEMM {m}x{k} · {k}x{n}: packed B needs {PackedLength(k, n)} elements (got {packedB.Length}), the padded bias {PaddedBiasLength(n)} (got {paddedBias.Length}).");
        }
        if (m == 0 || n == 0)
        {
            return;
        }
        // The global size stays exactly panels × row blocks (the kernel has no bounds check on the panel index);
        // a partial last group is fine for a kernel without barriers: the backends skip the excess work-items.
        var blocks = new Index3D((n + PanelWidth - 1) / PanelWidth, (m + BlockRows - 1) / BlockRows);
        stream.Launch(PanelGemmBiasKernel, new LaunchDims(blocks, new Index3D(panelsPerGroup, rowBlocksPerGroup)), a, lda, packedB, paddedBias, c, ldc, m, n, k, accumulate, gelu ? 1 : 0);
    }
}
