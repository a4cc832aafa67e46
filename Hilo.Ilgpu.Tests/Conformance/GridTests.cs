using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Conformance;
using static Hilo.Ilgpu.Compute.Conformance.GridKernels;

namespace Hilo.Ilgpu.Tests.Conformance;

public abstract partial class ConformanceSuite
{
    private const int Sentinel = -7777;

    [Theory]
    [InlineData(37, 23, 8, 8)]
    [InlineData(37, 23, 0, 0)]
    [InlineData(100, 3, 32, 2)]
    [InlineData(1, 50, 1, 16)]
    [InlineData(5, 5, 16, 16)]
    public void Grid2DWritesEveryElementOnce(int width, int height, int groupX, int groupY)
    {
        int stride = width + 3;
        int padding = 5;
        // Rows past the view and the gap at the end of each row are padding: a stray work-item lands there.
        using var counts = Filled(padding + (height + 64) * stride, 0);
        using var ids = Filled(width * height * IdFields + 4096, Sentinel);
        var view = counts.View.SubView(padding, (height - 1) * stride + width).As2D(width, height, stride);
        Acc.Launch(Grid2DKernel, LaunchDims.Create2D(width, height, groupX, groupY), view, ids.View);
        int[] got = counts.ToArray();
        for (int i = 0; i < got.Length; i++)
        {
            int row = (i - padding) / stride;
            int col = (i - padding) % stride;
            bool inside = i >= padding && row < height && col < width;
            Assert.True(got[i] == (inside ? 1 : 0), $"count {got[i]} at row {row}, column {col} of a {height}x{width} grid");
        }
        int[] idData = ids.ToArray();
        for (int k = 0; k < width * height; k++)
        {
            Assert.Equal([0, 0, height * 1000 + 1, 1], idData.AsSpan(k * IdFields, IdFields).ToArray());
        }
        Assert.All(idData.AsSpan(width * height * IdFields).ToArray(), v => Assert.Equal(Sentinel, v));
    }

    [Theory]
    [InlineData(9, 7, 5, 4, 4, 4)]
    [InlineData(9, 7, 5, 0, 0, 0)]
    [InlineData(3, 10, 2, 2, 4, 2)]
    [InlineData(17, 1, 3, 8, 1, 2)]
    public void Grid3DWritesEveryElementOnce(int width, int height, int depth, int gx, int gy, int gz)
    {
        int rowStride = width + 1;
        int sliceStride = rowStride * (height + 1);
        int offset = 2;
        using var counts = Filled(offset + (depth + 8) * sliceStride, 0);
        using var ids = Filled(width * height * depth * IdFields + 4096, Sentinel);
        var view = new ArrayView3D<int>(counts.View.SubView(offset, counts.Length - offset), width, height, depth, rowStride, sliceStride);
        var dims = gx == 0 ? new LaunchDims(new Index3D(width, height, depth)) : new LaunchDims(new Index3D(width, height, depth), new Index3D(gx, gy, gz));
        Acc.Launch(Grid3DKernel, dims, view, ids.View);
        int[] got = counts.ToArray();
        for (int i = 0; i < got.Length; i++)
        {
            int rel = i - offset;
            int z = rel / sliceStride;
            int y = rel % sliceStride / rowStride;
            int x = rel % rowStride;
            bool inside = rel >= 0 && z < depth && y < height && x < width;
            Assert.True(got[i] == (inside ? 1 : 0), $"count {got[i]} at ({x}, {y}, {z}) of a {width}x{height}x{depth} grid");
        }
        int[] idData = ids.ToArray();
        for (int k = 0; k < width * height * depth; k++)
        {
            Assert.Equal([0, 0, 0, 1], idData.AsSpan(k * IdFields, IdFields).ToArray());
        }
        Assert.All(idData.AsSpan(width * height * depth * IdFields).ToArray(), v => Assert.Equal(Sentinel, v));
    }

    [Fact]
    public void ZeroSizeLaunchesAreNoOps()
    {
        using var empty = Acc.Allocate<float>(0);
        using var data = Filled(64, 1f);
        using var counts = Filled(64, 0);
        using var ids = Filled(64, Sentinel);
        Launch(AddScalarKernel, 0, data.View, data.View, 5f);
        Launch(AddScalarKernel, 0, empty.View, empty.View, 5f);
        Acc.Launch(AddScalarKernel, LaunchDims.Create1D(0, 32), data.View, data.View, 5f);
        var view2D = counts.View.As2D(8, 8);
        Acc.Launch(Grid2DKernel, LaunchDims.Create2D(0, 5), view2D, ids.View);
        Acc.Launch(Grid2DKernel, LaunchDims.Create2D(5, 0, 4, 4), view2D, ids.View);
        Acc.Launch(Grid3DKernel, new LaunchDims(new Index3D(4, 4, 0), new Index3D(2, 2, 2)), counts.View.As3D(4, 4, 4), ids.View);
        Acc.Launch(SharedMemoryKernels.GroupReduceKernel, LaunchDims.Create1D(0, SharedMemoryKernels.ReduceGroup), counts.View, ids.View);
        Acc.Synchronize();
        Assert.All(data.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(counts.ToArray(), v => Assert.Equal(0, v));
        Assert.All(ids.ToArray(), v => Assert.Equal(Sentinel, v));
    }
}
