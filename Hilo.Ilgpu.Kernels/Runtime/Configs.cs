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

    /// <summary>A 2D grid covering <paramref name="width"/>×<paramref name="height"/> threads in groups of <paramref name="groupX"/>×<paramref name="groupY"/>, and <paramref name="depth"/> groups along z.</summary>
    public static KernelConfig Grid2D(int width, int height, int groupX = 16, int groupY = 16, int depth = 1) =>
        new(new Index3D((width + groupX - 1) / groupX, (height + groupY - 1) / groupY, depth), new Index3D(groupX, groupY, 1));
}
