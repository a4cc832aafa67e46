using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Conformance;
using static Hilo.Ilgpu.Compute.Conformance.SharedMemoryKernels;

namespace Hilo.Ilgpu.Tests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public void GroupReductionWithBarriersIsExact()
    {
        const int Groups = 37;
        var rng = new Random(40);
        int[] input = [.. Enumerable.Range(0, Groups * ReduceGroup).Select(_ => rng.Next(int.MinValue, int.MaxValue))];
        using var din = Upload(input);
        using var sums = Filled(Groups, 0);
        Acc.Launch(GroupReduceKernel, LaunchDims.Create1D(input.Length, ReduceGroup), din.View, sums.View);
        int[] expected = new int[Groups];
        for (int i = 0; i < input.Length; i++)
        {
            expected[i / ReduceGroup] = unchecked(expected[i / ReduceGroup] + input[i]);
        }
        AssertElements(expected, sums.ToArray(), g => $"group {g}");
    }

    [Theory]
    [InlineData(50, 37)]
    [InlineData(16, 16)]
    [InlineData(1, 33)]
    public void TiledTransposeThroughSharedMemory(int width, int height)
    {
        // Strided, offset views on both sides; the padding around them must stay untouched.
        int inStride = width + 3;
        int outStride = height + 5;
        var rng = new Random(41);
        float[] source = [.. Enumerable.Range(0, 7 + height * inStride).Select(_ => Inputs.Uniform(rng, -100, 100))];
        using var din = Upload(source);
        using var dout = Filled(3 + width * outStride + 10, -1f);
        var input = din.View.SubView(7, (height - 1) * inStride + width).As2D(width, height, inStride);
        var output = dout.View.SubView(3, (width - 1) * outStride + height).As2D(height, width, outStride);
        var dims = new LaunchDims(new Index3D(RoundUp(width, TransposeTile), RoundUp(height, TransposeTile)), new Index3D(TransposeTile, TransposeTile));
        Acc.Launch(TiledTransposeKernel, dims, input, output);
        float[] expected = Enumerable.Repeat(-1f, 3 + width * outStride + 10).ToArray();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                expected[3 + x * outStride + y] = source[7 + y * inStride + x];
            }
        }
        AssertSameFloats(expected, dout.ToArray(), i => $"output element {i}");
    }

    [Theory]
    [InlineData(33, 17, 45)]
    [InlineData(8, 8, 8)]
    [InlineData(1, 70, 3)]
    [InlineData(20, 9, 1)]
    public void TiledMatMulWithBarriersInLoop(int m, int n, int k)
    {
        // Small integers keep every partial sum exact in float, so the result must be exact.
        var rng = new Random(42 + m);
        float[] a = [.. Enumerable.Range(0, m * k).Select(_ => (float)rng.Next(-4, 5))];
        float[] b = [.. Enumerable.Range(0, k * n).Select(_ => (float)rng.Next(-4, 5))];
        using var da = Upload(a);
        using var db = Upload(b);
        using var dc = Filled(m * n, float.NaN);
        var dims = new LaunchDims(new Index3D(RoundUp(n, MatMulTile), RoundUp(m, MatMulTile)), new Index3D(MatMulTile, MatMulTile));
        Acc.Launch(TiledMatMulKernel, dims, da.View, db.View, dc.View, m, n, k);
        var expected = new float[m * n];
        for (int r = 0; r < m; r++)
        {
            for (int c = 0; c < n; c++)
            {
                double sum = 0;
                for (int e = 0; e < k; e++)
                {
                    sum += a[r * k + e] * b[e * n + c];
                }
                expected[r * n + c] = (float)sum;
            }
        }
        AssertSameFloats(expected, dc.ToArray(), i => $"c[{i / n}, {i % n}]");
    }

    [Fact]
    public void SharedMemoryAtomicsHistogram()
    {
        const int N = 1000;
        var rng = new Random(43);
        int[] input = [.. Enumerable.Range(0, N).Select(_ => rng.Next())];
        using var din = Upload(input);
        using var bins = Filled(Bins, 0);
        Acc.Launch(SharedHistogramKernel, LaunchDims.Create1D(RoundUp(N, HistogramGroup), HistogramGroup), din.View, bins.View);
        int[] expected = new int[Bins];
        foreach (int v in input)
        {
            expected[v & (Bins - 1)]++;
        }
        AssertElements(expected, bins.ToArray(), i => $"bin {i}");
    }

    [Fact]
    public void TwoDimensionalGroupsShareTwoArrays()
    {
        var groups = new Index3D(3, 2);
        var groupSize = new Index3D(8, 4);
        int items = (int)(groups.Size * groupSize.Size);
        var rng = new Random(44);
        float[] input = [.. Enumerable.Range(0, items * 4).Select(_ => Inputs.Uniform(rng, -1, 1))];
        using var din = Upload(input);
        using var ids = Filled(items, -1);
        using var dout = Filled(items * 4, 0f);
        Acc.Launch(MirrorInGroupKernel, LaunchDims.FromGroups(groups, groupSize), din.View, ids.View, dout.View);
        int[] expectedIds = new int[items];
        float[] expectedOut = new float[items * 4];
        for (int g = 0; g < items; g++)
        {
            int local = g % RotateGroup;
            int mirror = g - local + (RotateGroup - 1 - local);
            expectedIds[g] = mirror;
            Array.Copy(input, mirror * 4, expectedOut, g * 4, 4);
        }
        AssertElements(expectedIds, ids.ToArray(), i => $"id {i}");
        AssertSameFloats(expectedOut, dout.ToArray(), i => $"vector element {i}");
    }
}
