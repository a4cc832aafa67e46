using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Kernels.Basic;

namespace Hilo.Ilgpu.Tests.Kernels;

public abstract partial class KernelSuite
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(4097)]
    public void ElementWiseKernelsMatchReference(int n)
    {
        var rng = new Random(100 + n);
        float[] a = RandomFloats(rng, n, -10, 10);
        float[] b = RandomFloats(rng, n, -10, 10);
        using var da = Upload(a);
        using var db = Upload(b);
        using var dc = Filled(n, 0f);
        // A global size past the length checks that the kernels guard their own bounds.
        int global = n == 0 ? 0 : n + 37;
        Acc.Launch(VectorKernels.VectorAddKernel, new LaunchDims(global), da.View, db.View, dc.View);
        Assert.Equal(VectorReference.Add(a, b), dc.ToArray());
        Acc.Launch(VectorKernels.ScaleKernel, new LaunchDims(global), da.View, dc.View, -1.75f);
        Assert.Equal(VectorReference.Scale(a, -1.75f), dc.ToArray());
        Acc.Launch(VectorKernels.AxpyKernel, new LaunchDims(global), 0.3f, da.View, db.View);
        Assert.Equal(VectorReference.Axpy(0.3f, a, b), db.ToArray());
        Acc.Launch(VectorKernels.ReluKernel, new LaunchDims(global), da.View, dc.View);
        Assert.Equal(VectorReference.Relu(a), dc.ToArray());
        Acc.Launch(VectorKernels.FillKernel, new LaunchDims(global), dc.View, 2.5f);
        Assert.All(dc.ToArray(), v => Assert.Equal(2.5f, v));
    }

    [Fact]
    public void ElementWiseKernelsOnSubViews()
    {
        float[] a = [.. Enumerable.Range(0, 100).Select(i => (float)i)];
        using var da = Upload(a);
        using var dc = Filled(100, -1f);
        Acc.Launch(VectorKernels.ScaleKernel, new LaunchDims(50), da.View.SubView(10, 50), dc.View.SubView(30, 50), 2f);
        float[] got = dc.ToArray();
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(i >= 30 && i < 80 ? 2f * (i - 20) : -1f, got[i]);
        }
    }
}
