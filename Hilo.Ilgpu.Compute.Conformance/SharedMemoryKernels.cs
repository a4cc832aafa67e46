using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Compute.Conformance;

/// <summary>Shared (group-local) memory with barriers: reduction, transpose, matrix multiply, histogram.</summary>
public static partial class SharedMemoryKernels
{
    public const int ReduceGroup = 128;
    public const int TransposeTile = 16;
    public const int MatMulTile = 8;
    public const int Bins = 16;
    public const int HistogramGroup = 64;
    public const int RotateGroup = 32;

    /// <summary>Tree reduction of one group's ints (wrap-around sum) into <c>sums[group]</c>.</summary>
    [Kernel]
    public static void GroupReduce(ArrayView<int> input, ArrayView<int> sums)
    {
        var tile = SharedMemory.Allocate<int>(ReduceGroup);
        int l = Group.Index.X;
        tile[l] = input[Grid.GlobalIndex.X];
        Group.Barrier();
        for (int stride = ReduceGroup / 2; stride > 0; stride >>= 1)
        {
            if (l < stride)
            {
                tile[l] += tile[l + stride];
            }
            Group.Barrier();
        }
        if (l == 0)
        {
            sums[Grid.GroupIndex.X] = tile[0];
        }
    }

    /// <summary>output = transpose(input) through a padded shared tile; sizes need not be multiples of the tile.</summary>
    [Kernel]
    public static void TiledTranspose(ArrayView2D<float> input, ArrayView2D<float> output)
    {
        var tile = SharedMemory.Allocate<float>(TransposeTile * (TransposeTile + 1));
        int lx = Group.Index.X;
        int ly = Group.Index.Y;
        int x = Grid.GroupIndex.X * TransposeTile + lx;
        int y = Grid.GroupIndex.Y * TransposeTile + ly;
        if (x < input.Width && y < input.Height)
        {
            tile[ly * (TransposeTile + 1) + lx] = input[y, x];
        }
        Group.Barrier();
        int outX = Grid.GroupIndex.Y * TransposeTile + lx;
        int outY = Grid.GroupIndex.X * TransposeTile + ly;
        if (outX < output.Width && outY < output.Height)
        {
            output[outY, outX] = tile[lx * (TransposeTile + 1) + ly];
        }
    }

    /// <summary>c (m×n) = a (m×k) · b (k×n), row-major, with barriers inside the loop over k tiles.</summary>
    [Kernel]
    public static void TiledMatMul(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k)
    {
        var tileA = SharedMemory.Allocate<float>(MatMulTile * MatMulTile);
        var tileB = SharedMemory.Allocate<float>(MatMulTile * MatMulTile);
        int lx = Group.Index.X;
        int ly = Group.Index.Y;
        int col = Grid.GlobalIndex.X;
        int row = Grid.GlobalIndex.Y;
        float acc = 0f;
        int tiles = (k + MatMulTile - 1) / MatMulTile;
        for (int t = 0; t < tiles; t++)
        {
            int aCol = t * MatMulTile + lx;
            int bRow = t * MatMulTile + ly;
            tileA[ly * MatMulTile + lx] = row < m && aCol < k ? a[row * k + aCol] : 0f;
            tileB[ly * MatMulTile + lx] = bRow < k && col < n ? b[bRow * n + col] : 0f;
            Group.Barrier();
            for (int e = 0; e < MatMulTile; e++)
            {
                acc += tileA[ly * MatMulTile + e] * tileB[e * MatMulTile + lx];
            }
            Group.Barrier();
        }
        if (row < m && col < n)
        {
            c[row * n + col] = acc;
        }
    }

    /// <summary>Per-group histogram with shared-memory atomics, flushed to global bins with global atomics.</summary>
    [Kernel]
    public static void SharedHistogram(ArrayView<int> input, ArrayView<int> bins)
    {
        var local = SharedMemory.Allocate<int>(Bins);
        int l = Group.Index.X;
        if (l < Bins)
        {
            local[l] = 0;
        }
        Group.Barrier();
        int i = Grid.GlobalIndex.X;
        if (i < input.Length)
        {
            Atomic.Add(ref local[input[i] & (Bins - 1)], 1);
        }
        Group.Barrier();
        if (l < Bins)
        {
            Atomic.Add(ref bins[l], local[l]);
        }
    }

    /// <summary>
    /// 2D groups and two shared arrays of different types: each work-item publishes its linear id and a
    /// Float4, then reads those of the work-item mirrored in the group.
    /// </summary>
    [Kernel]
    public static void MirrorInGroup(ArrayView<float> input, ArrayView<int> ids, ArrayView<float> output)
    {
        var sharedIds = SharedMemory.Allocate<int>(RotateGroup);
        var sharedVectors = SharedMemory.Allocate<float>(RotateGroup * 4);
        int local = Group.Index.Y * Group.Size.X + Group.Index.X;
        int size = Group.Size.X * Group.Size.Y;
        int groupLinear = Grid.GroupIndex.Y * Grid.GroupCount.X + Grid.GroupIndex.X;
        int global = groupLinear * size + local;
        sharedIds[local] = global;
        Float4 v = Float4.Load(input, global * 4);
        v.Store(sharedVectors, local * 4);
        Group.Barrier();
        int mirror = size - 1 - local;
        ids[global] = sharedIds[mirror];
        Float4 w = Float4.Load(sharedVectors, mirror * 4);
        w.Store(output, global * 4);
    }
}
