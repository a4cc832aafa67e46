using Hilo.Ilgpu.Kernels.Gemm;
using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Models;
using ILGPU;
using ILGPU.Runtime;

namespace Hilo.Ilgpu.Tests.Kernels;

/// <summary>
/// Launch shapes stay inside CUDA's and OpenCL's limits (grid y, z ≤ 65,535; ≤ 1,024 threads a group) for every size
/// the size checks accept (tensors of up to 2^31 − 1 elements, images up to 16,384 pixels a side): large counts are
/// folded into grid x (<see cref="Configs.Folded"/>), and a launch over the limits is refused by name.
/// </summary>
public sealed class LaunchShapeTests
{
    private static void AssertFits(KernelConfig config, long groupsNeeded)
    {
        Assert.Null(Configs.OverLimits(config));
        Assert.Equal(groupsNeeded, config.GridDim.Size);
    }

    [Fact]
    public void RowBlockGemmFitsAtBatch168AndAtTheLargestAcceptedM()
    {
        // LITv2-S stage 1 at batch 168: M = 168 · 56² rows. The grid used to be (⌈N/32⌉, ⌈M/8⌉) = (3, 65,856).
        int m = 168 * 3136;
        Assert.NotNull(Configs.OverLimits(new KernelConfig(new Index2D(3, (m + 7) / 8), new Index2D(32, 1))));
        AssertFits(TiledGemmKernels.RowBlockShape(m, 96), 3L * ((m + 7) / 8));
        int largest = int.MaxValue / 96;
        AssertFits(TiledGemmKernels.RowBlockShape(largest, 96), 3L * ((largest + 7) / 8));
        AssertFits(TiledGemmKernels.TiledShape(largest, 96, TiledGemmKernels.SmallThreads), 3L * ((largest + 31) / 32));
        AssertFits(TiledGemmKernels.TiledShape(largest, 96, TiledGemmKernels.Threads), 2L * ((largest + 63) / 64));
        AssertFits(BlockGemmKernels.Shape(largest, 96, BlockTile.Tile128x128), 1L * ((largest + 127) / 128));
        AssertFits(BlockGemmKernels.Shape(largest, 96, BlockTile.Tile64x96), 1L * ((largest + 63) / 64));
        AssertFits(BlockGemmKernels.Shape(m, 3072, BlockTile.Tile64x96), 32L * ((m + 63) / 64));
        Assert.Equal(BlockGemmKernels.Threads128, BlockGemmKernels.Shape(1, 1, BlockTile.Tile128x128).GroupDim.Size);
        Assert.Equal(BlockGemmKernels.NarrowThreads, BlockGemmKernels.Shape(1, 1, BlockTile.Tile64x96).GroupDim.Size);
    }

    [Fact]
    public void ConvolutionGridsFitAtTheLargestImage()
    {
        // A 16,384-pixel image: a 4,096 × 4,096 stage-1 map (16.7 M tokens, once grid y); 64 channels.
        int side = Litv2ConfigLimits.MaxImageSize / 4;
        int tokens = side * side;
        Assert.True(tokens > Configs.MaxGridYZ);
        // Depthwise: 2 channel blocks of 32 × 512 × 256 tiles of 8 × 16 tokens.
        Assert.Equal(512 * 256, DepthwiseKernels.TileCount(side, side));
        AssertFits(DepthwiseKernels.LaunchShape(1, side, side, 64), 2L * 512 * 256);
        // Deformable gather (k = 2): one warp per (cell, tap), 4 a group: tokens / 4 cells × 4 taps / 4.
        AssertFits(DeformKernels.LaunchShape(tokens), tokens / 4);
        // Many small images: batch along the folded grid, not grid z (one tile each).
        AssertFits(DepthwiseKernels.LaunchShape(100_000, 2, 2, 8), 100_000);
    }

    [Fact]
    public void LayerNormGridFitsAtTheLargestAcceptedRowCount()
    {
        // One 32-lane warp a row, 4 rows a group of 128: rows of one element (the most rows a tensor holds) still fit x.
        AssertFits(NormKernels.LayerNormShape(int.MaxValue), (int.MaxValue + 3L) / 4);
        Assert.Equal(128, NormKernels.LayerNormShape(5).GroupDim.Size);
        AssertFits(NormKernels.LayerNormShape(5), 2);
    }

    [Fact]
    public void FoldedGroupsUnfoldToEveryLogicalIndexOnce()
    {
        const int GroupsX = 3, CountY = 5, CountZ = 7;
        var config = Configs.Folded(GroupsX, CountY, CountZ, 64);
        Assert.Equal(new Index3D(GroupsX * CountY * CountZ, 1, 1), config.GridDim);
        Assert.Equal(new Index3D(64, 1, 1), config.GroupDim);
        var seen = new HashSet<(int, int, int)>();
        for (int g = 0; g < GroupsX * CountY * CountZ; g++)
        {
            Configs.Split(g, GroupsX, CountY, out int x, out int y, out int z);
            Assert.InRange(x, 0, GroupsX - 1);
            Assert.InRange(y, 0, CountY - 1);
            Assert.InRange(z, 0, CountZ - 1);
            Assert.Equal(g, (z * CountY + y) * GroupsX + x);
            Assert.True(seen.Add((x, y, z)));
        }
    }

    [Fact]
    public void FoldedRefusesMoreGroupsThanGridXHolds()
    {
        var e = Assert.Throws<ArgumentException>(() => Configs.Folded(65_536, 65_536, 1, 64));
        Assert.Contains("65536 x 65536 x 1 groups", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LaunchOverTheLimitsIsRefusedWithTheKernelsName()
    {
        using var device = ComputeDevice.Open("cpu", KernelFamily.Ilgpu);
        using var buffer = device.Kernels.Allocate(4);
        var tooTall = new KernelConfig(new Index3D(1, Configs.MaxGridYZ + 1, 1), new Index3D(1, 1, 1));
        var e = Assert.Throws<ArgumentException>(() => device.Kernels.Launch(ElementwiseKernels.Fill, tooTall, buffer.View, 1f, 4));
        Assert.Contains("ElementwiseKernels.Fill", e.Message, StringComparison.Ordinal);
        Assert.Contains("65535", e.Message, StringComparison.Ordinal);
        var tooWide = new KernelConfig(new Index3D(1, 1, 1), new Index3D(1025, 1, 1));
        e = Assert.Throws<ArgumentException>(() => device.Kernels.Launch(ElementwiseKernels.Fill, tooWide, buffer.View, 1f, 4));
        Assert.Contains("1025 threads", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GpusTimeGemmVariantsOnTheFullRowCountCpusOnAtMost2048Rows()
    {
        // LITv2-S stage 1 at batch 64: 64 · 56² rows. On a GPU 2048 rows are 32 tiles of 64 for 132 SMs.
        const int Rows = 64 * 3136;
        Assert.Equal(Rows, Hilo.Ilgpu.Layers.Linear.TimedRows(Rows, DeviceKind.Gpu));
        Assert.Equal(Hilo.Ilgpu.Layers.Linear.MaxTimedRows, Hilo.Ilgpu.Layers.Linear.TimedRows(Rows, DeviceKind.Cpu));
        Assert.Equal(100, Hilo.Ilgpu.Layers.Linear.TimedRows(100, DeviceKind.Cpu));
        Assert.Equal(100, Hilo.Ilgpu.Layers.Linear.TimedRows(100, DeviceKind.Gpu));
    }
}
