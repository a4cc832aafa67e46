using ILGPU;

namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>Launch shapes the ILGPU kernels use (grid of groups × group), computed in one place.</summary>
public static class Configs
{
    /// <summary>Threads per group of the one-thread-per-element kernels.</summary>
    public const int ElementGroup = 256;

    /// <summary>Threads per group of the one-group-per-row kernels (LayerNorm, softmax): a multiple of every warp size.</summary>
    public const int RowGroup = 128;

    /// <summary>Enough groups of <paramref name="group"/> threads to cover <paramref name="count"/> elements (the last group partly idle).</summary>
    public static KernelConfig Linear(long count, int group = ElementGroup)
    {
        long groups = (count + group - 1) / group;
        if (groups > int.MaxValue)
        {
            throw new ArgumentException($"A launch over {count} elements needs {groups} groups of {group}; at most 2^31 - 1 are possible.");
        }
        return new KernelConfig((int)groups, group);
    }

    /// <summary>One group of <paramref name="group"/> threads per row (or per item along x), <paramref name="y"/> and <paramref name="z"/> groups along y and z.</summary>
    public static KernelConfig PerRow(int rows, int group = RowGroup, int y = 1, int z = 1) =>
        new(new Index3D(rows, y, z), new Index3D(group, 1, 1));

    /// <summary>Most groups along x of a grid (CUDA's limit; OpenCL's is larger).</summary>
    public const int MaxGridX = int.MaxValue;

    /// <summary>Most groups along y or z of a grid (CUDA's limit).</summary>
    public const int MaxGridYZ = 65_535;

    /// <summary>Most threads in a group (CUDA's limit; common OpenCL GPUs allow 256 to 1,024).</summary>
    public const int MaxGroupThreads = 1_024;

    /// <summary>Most static shared memory per group, in bytes, without a driver opt-in (CUDA's limit).</summary>
    public const int MaxStaticSharedBytes = 48 * 1024;

    /// <summary>
    /// A logical grid of <paramref name="groupsX"/> × <paramref name="countY"/> × <paramref name="countZ"/> groups of
    /// <paramref name="group"/> × <paramref name="groupY"/> threads, launched as one grid along x (which holds 2^31 − 1 groups; y and z hold only
    /// 65,535, fewer than the tokens of an image or the rows of a batch): the kernel gets its logical indices back
    /// with <see cref="Unfold"/>. Throws when the groups exceed 2^31 − 1.
    /// </summary>
    public static KernelConfig Folded(int groupsX, int countY, int countZ, int group, int groupY = 1)
    {
        long groups = (long)groupsX * countY * countZ;
        if (groupsX < 0 || countY < 0 || countZ < 0 || groups > MaxGridX)
        {
            throw new ArgumentException($"A launch of {groupsX} x {countY} x {countZ} groups of {group} threads: at most {MaxGridX} groups are possible.");
        }
        return new KernelConfig(new Index3D((int)groups, 1, 1), new Index3D(group, groupY, 1));
    }

    /// <summary>
    /// In a kernel launched with <see cref="Folded"/>: this group's logical indices (group along x, y, z) for the same
    /// <paramref name="groupsX"/> and <paramref name="countY"/>.
    /// </summary>
    public static void Unfold(int groupsX, int countY, out int groupX, out int y, out int z) =>
        Split(Grid.IdxX, groupsX, countY, out groupX, out y, out z);

    /// <summary>The logical indices of folded group <paramref name="group"/> (x fastest, then y, then z).</summary>
    public static void Split(int group, int groupsX, int countY, out int groupX, out int y, out int z)
    {
        int rest = group / groupsX;
        groupX = group - rest * groupsX;
        z = rest / countY;
        y = rest - z * countY;
    }

    /// <summary>
    /// Whether a launch fits CUDA's and OpenCL's portable limits (grid x ≤ 2^31 − 1, y and z ≤ 65,535, ≤ 1,024
    /// threads a group); null when it does, else what is over.
    /// </summary>
    public static string? OverLimits(in KernelConfig config)
    {
        var (grid, group) = config;
        if (grid.Y > MaxGridYZ || grid.Z > MaxGridYZ)
        {
            return $"grid {grid} has more than {MaxGridYZ} groups along y or z";
        }
        if (group.Size > MaxGroupThreads)
        {
            return $"groups of {group} hold {group.Size} threads, more than {MaxGroupThreads}";
        }
        return null;
    }

    /// <summary>A 2D grid covering <paramref name="width"/>×<paramref name="height"/> threads in groups of <paramref name="groupX"/>×<paramref name="groupY"/>, and <paramref name="depth"/> groups along z.</summary>
    public static KernelConfig Grid2D(int width, int height, int groupX = 16, int groupY = 16, int depth = 1) =>
        new(new Index3D((width + groupX - 1) / groupX, (height + groupY - 1) / groupY, depth), new Index3D(groupX, groupY, 1));
}
