using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;

namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>
/// Row-wise ILGPU kernels over the last dimension: LayerNorm (one 32-lane warp per row, several rows a group) and
/// softmax (one group per row: its threads stride over the row, and ILGPU.Algorithms' group all-reductions combine
/// their partial maxima and sums).
/// </summary>
public static class NormKernels
{
    /// <summary>Rows a <see cref="LayerNormRows"/> group normalises: one 32-lane warp each.</summary>
    public const int RowsPerGroup = 4;

    /// <summary>Lanes per row of <see cref="LayerNormRows"/> (a warp on CUDA; any 32 work-items elsewhere).</summary>
    public const int RowLanes = 32;

    /// <summary>
    /// Elements of a row that <see cref="LayerNormRows"/> keeps in shared memory after its one read (LITv2's widest
    /// LayerNorm, 768); elements past it are read from global memory again in the later passes.
    /// </summary>
    public const int StashedElements = 768;

    /// <summary>
    /// <c>y = (x − mean) / sqrt(var + eps) · weight + bias</c> over each of <paramref name="rows"/> rows of
    /// <paramref name="dim"/> elements (biased variance, as PyTorch's LayerNorm), two-pass (mean, then squared
    /// deviations) so that rows with a large mean keep their precision. With <paramref name="addResidual"/> ≠ 0 the row
    /// normalised is <c>s = x + residual</c>, and <c>s</c> is also written back into <paramref name="x"/> (a block's
    /// <c>x = x + f(x); y = LN(x)</c> in one pass). <paramref name="y"/> may be <paramref name="x"/> (without
    /// <paramref name="addResidual"/>).
    /// <para>
    /// Layout: <see cref="RowsPerGroup"/> rows a group, 32 lanes a row; lane l owns elements l, l + 32, … of its row. Its
    /// one read of each element goes to a shared-memory slot only that lane reads back (so the stash needs no barrier),
    /// and the later passes read the stash. The two row sums are reduced through shared memory in two levels: every lane
    /// writes its partial sum; after a barrier, 8 lanes of the row each add 4 partials; after a second barrier, every
    /// lane adds the row's 8 quarter sums in the same order (broadcast reads), so all lanes hold the same mean and
    /// variance — 12 shared loads a warp per sum instead of 32 (one level) or 5 barriers (a tree). Shared memory rather than warp shuffles: on OpenCL, shuffles need
    /// sub-groups (an extension, not on every device, whose width need not be 32: PoCL 6 prefers 8), and
    /// warp-synchronous code without a barrier is not portable either. The fixed order of the additions makes the
    /// result the same bits from launch to launch.
    /// </para>
    /// Grid: ⌈rows / <see cref="RowsPerGroup"/>⌉ groups of <see cref="RowsPerGroup"/> · 32 threads.
    /// </summary>
    [IlgpuKernel("layer-norm")]
    public static void LayerNormRows(ArrayView<float> x, ArrayView<float> residual, ArrayView<float> weight, ArrayView<float> bias, ArrayView<float> y,
        int rows, int dim, float eps, int addResidual)
    {
        var stash = SharedMemory.Allocate<float>(RowsPerGroup * StashedElements);
        var sums = SharedMemory.Allocate<float>(RowsPerGroup * RowLanes);
        var squares = SharedMemory.Allocate<float>(RowsPerGroup * RowLanes);
        var sumQuarters = SharedMemory.Allocate<float>(RowsPerGroup * 8);
        var squareQuarters = SharedMemory.Allocate<float>(RowsPerGroup * 8);
        int lane = Group.IdxX & (RowLanes - 1);
        int slot = Group.IdxX >> 5;
        int row = Grid.IdxX * RowsPerGroup + slot;
        // Lanes of a row past the last one reach both barriers with empty loops (every thread must reach them).
        int end = row < rows ? dim : 0;
        int at = row * dim;
        int stashAt = slot * StashedElements;
        int stashEnd = Math.Min(end, StashedElements);
        float sum = 0f;
        for (int i = lane; i < end; i += RowLanes)
        {
            float v = x[at + i];
            if (addResidual != 0)
            {
                v += residual[at + i];
                x[at + i] = v;
            }
            if (i < stashEnd)
            {
                stash[stashAt + i] = v;
            }
            sum += v;
        }
        float mean = RowTotal(sum, sums, sumQuarters, slot, lane) / dim;
        float deviations = 0f;
        for (int i = lane; i < end; i += RowLanes)
        {
            // Past the stash: x again, which now holds x + residual where it was added (this lane wrote it).
            float d = (i < stashEnd ? stash[stashAt + i] : x[at + i]) - mean;
            deviations += d * d;
        }
        float rstd = 1f / MathF.Sqrt(RowTotal(deviations, squares, squareQuarters, slot, lane) / dim + eps);
        for (int i = lane; i < end; i += RowLanes)
        {
            float v = i < stashEnd ? stash[stashAt + i] : x[at + i];
            y[at + i] = (v - mean) * rstd * weight[i] + bias[i];
        }
    }

    // The sum of the row's 32 lane partials (every lane of the row gets the same bits; see LayerNormRows). Every thread
    // of the group calls it: it holds two barriers.
    private static float RowTotal(float partial, ArrayView<float> partials, ArrayView<float> quarters, int slot, int lane)
    {
        partials[Group.IdxX] = partial;
        SharedBarrier.Sync();
        if (lane < 8)
        {
            // Lane l reads partials 4l … 4l + 3: the 8 lanes hit 32 different banks.
            int first = slot * RowLanes + 4 * lane;
            quarters[slot * 8 + lane] = partials[first] + partials[first + 1] + partials[first + 2] + partials[first + 3];
        }
        SharedBarrier.Sync();
        float total = 0f;
        for (int q = 0; q < 8; q++)
        {
            total += quarters[slot * 8 + q];
        }
        return total;
    }

    /// <summary>The launch of <see cref="LayerNormRows"/> over <paramref name="rows"/> rows.</summary>
    public static KernelConfig LayerNormShape(int rows) => Configs.Linear((long)rows * RowLanes, RowsPerGroup * RowLanes);

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
