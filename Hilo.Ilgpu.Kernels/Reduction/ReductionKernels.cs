using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Reduction;

/// <summary>
/// Sum of a float view in two passes: <see cref="GroupSum"/> reduces the input to one partial sum per group
/// (grid-stride loop, then a tree in shared memory with barriers); a second launch of the same kernel with
/// one group reduces the partial sums. <see cref="Sum"/> queues both.
/// </summary>
public static partial class ReductionKernels
{
    /// <summary>Work-items per group of <see cref="GroupSum"/>; launches must use exactly this group size.</summary>
    public const int GroupSize = 256;

    /// <summary>Most groups the first pass uses; each work-item then loops over the rest of the input.</summary>
    public const int MaxGroups = 256;

    /// <summary>
    /// <c>partial[g]</c> = sum of <c>input[i]</c> over the i that group g's work-items visit (i = global index,
    /// stepping by the whole grid). Launch with group size <see cref="GroupSize"/> and whole groups.
    /// </summary>
    [Kernel]
    public static void GroupSum(ArrayView<float> input, ArrayView<float> partial)
    {
        var tile = SharedMemory.Allocate<float>(GroupSize);
        int l = Group.Index.X;
        int stride = Grid.GroupCount.X * GroupSize;
        float sum = 0f;
        for (int i = Grid.GlobalIndex.X; i < input.Length; i += stride)
        {
            sum += input[i];
        }
        tile[l] = sum;
        Group.Barrier();
        for (int half = GroupSize / 2; half > 0; half >>= 1)
        {
            if (l < half)
            {
                tile[l] += tile[l + half];
            }
            Group.Barrier();
        }
        if (l == 0)
        {
            partial[Grid.GroupIndex.X] = tile[0];
        }
    }

    /// <summary>Length of the scratch view <see cref="Sum"/> needs for an input of <paramref name="length"/> elements.</summary>
    public static int PartialLength(int length) => Math.Clamp((length + GroupSize - 1) / GroupSize, 1, MaxGroups);

    /// <summary>
    /// Queues the two passes on <paramref name="stream"/>: <c>result[0]</c> = sum of <paramref name="input"/>
    /// (0 for an empty input). <paramref name="partial"/> needs <see cref="PartialLength"/> elements.
    /// </summary>
    public static void Sum(AcceleratorStream stream, ArrayView<float> input, ArrayView<float> partial, ArrayView<float> result)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int groups = PartialLength(input.Length);
        if (partial.Length < groups || result.Length < 1)
        {
            throw new ArgumentException($"Sum of {input.Length} elements needs {groups} partial elements and 1 result element.");
        }
        var partials = partial.SubView(0, groups);
        stream.Launch(GroupSumKernel, LaunchDims.FromGroups(new Index3D(groups), new Index3D(GroupSize)), input, partials);
        stream.Launch(GroupSumKernel, LaunchDims.FromGroups(new Index3D(1), new Index3D(GroupSize)), partials, result.SubView(0, 1));
    }
}
