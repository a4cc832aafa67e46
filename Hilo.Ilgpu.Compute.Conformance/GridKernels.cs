using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Compute.Conformance;

/// <summary>
/// 2D and 3D launches. The kernels do not check bounds themselves, so a work-item outside the requested
/// global size (from rounding up to whole groups) would show up as a double write or a write into padding.
/// </summary>
public static partial class GridKernels
{
    public const int IdFields = 4;

    [Kernel]
    public static void Grid2D(ArrayView2D<int> counts, ArrayView<int> ids)
    {
        int x = Grid.GlobalIndex.X;
        int y = Grid.GlobalIndex.Y;
        counts[y, x] += 1;
        int k = (y * Grid.GlobalSize.X + x) * IdFields;
        ids[k] = Grid.GroupIndex.X * Group.Size.X + Group.Index.X - x;
        ids[k + 1] = Grid.GroupIndex.Y * Group.Size.Y + Group.Index.Y - y;
        ids[k + 2] = Grid.GlobalSize.Y * 1000 + Grid.GlobalSize.Z;
        ids[k + 3] = Grid.GroupCount.X * Group.Size.X >= Grid.GlobalSize.X && Grid.GroupIndex.Z == 0 && Group.Index.Z == 0 ? 1 : 0;
    }

    [Kernel]
    public static void Grid3D(ArrayView3D<int> counts, ArrayView<int> ids)
    {
        int x = Grid.GlobalIndex.X;
        int y = Grid.GlobalIndex.Y;
        int z = Grid.GlobalIndex.Z;
        counts[z, y, x] += 1;
        int k = ((z * Grid.GlobalSize.Y + y) * Grid.GlobalSize.X + x) * IdFields;
        ids[k] = Grid.GroupIndex.X * Group.Size.X + Group.Index.X - x;
        ids[k + 1] = Grid.GroupIndex.Y * Group.Size.Y + Group.Index.Y - y;
        ids[k + 2] = Grid.GroupIndex.Z * Group.Size.Z + Group.Index.Z - z;
        ids[k + 3] = Grid.GroupCount.Z * Group.Size.Z >= Grid.GlobalSize.Z ? 1 : 0;
    }

    /// <summary>1D: r[i] = a[i] + s. Used for zero-size launches, argument checks and concurrency.</summary>
    [Kernel]
    public static void AddScalar(ArrayView<float> a, ArrayView<float> r, float s)
    {
        int i = Grid.GlobalIndex.X;
        r[i] = a[i] + s;
    }
}
