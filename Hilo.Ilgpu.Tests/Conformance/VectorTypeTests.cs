using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Conformance;
using static Hilo.Ilgpu.Compute.Conformance.VectorTypeKernels;

namespace Hilo.Ilgpu.Tests.Conformance;

public abstract partial class ConformanceSuite
{
    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void VectorTypesMatchScalarCSharp(int width)
    {
        const int Items = 37;
        var kernel = width switch { 4 => Float4OpsKernel, 8 => Float8OpsKernel, _ => Float16OpsKernel };
        var rng = new Random(60 + width);
        int length = 1 + Items * width + width;
        float[] a = [.. Enumerable.Range(0, length).Select(_ => Inputs.Uniform(rng, -4, 4))];
        float[] b = [.. Enumerable.Range(0, length).Select(_ => Inputs.Uniform(rng, 0.25, 4) * (rng.Next(2) == 0 ? 1 : -1))];
        // Lanes with NaN and signed zeros check Max/Min semantics lane by lane.
        (a[1], b[1], a[2], b[2], a[3], b[3]) = (float.NaN, 1f, -0f, 0f, 0f, -0f);
        using var da = Upload(a);
        using var db = Upload(b);
        using var dr = Filled(Items * width * VectorResults, 0f);
        using var sums = Filled(Items, 0f);
        Launch(kernel, Items, da.View, db.View, dr.View, sums.View);
        var expected = new float[Items * width * VectorResults];
        for (int i = 0; i < Items; i++)
        {
            for (int lane = 0; lane < width; lane++)
            {
                float x = a[1 + i * width + lane];
                float y = b[1 + i * width + lane];
                int o = i * width * VectorResults + lane;
                float[] lanes = [x + y, x - y, x * y, x / y, MathF.FusedMultiplyAdd(x, y, x + y), MathF.Max(x, y), MathF.Min(x, y),
                    x * 2.5f + 1f, -x, 0.5f * y - 3f + 0f];
                for (int k = 0; k < VectorResults; k++)
                {
                    expected[o + k * width] = lanes[k];
                }
            }
        }
        AssertSameFloats(expected, dr.ToArray(), k => $"Float{width} item {k / (width * VectorResults)} op {k / width % VectorResults} lane {k % width}");
        float[] gotSums = sums.ToArray();
        for (int i = 1; i < Items; i++)
        {
            double exact = 0, magnitude = 0;
            for (int lane = 0; lane < width; lane++)
            {
                exact += a[1 + i * width + lane];
                magnitude += Math.Abs(a[1 + i * width + lane]);
            }
            // Lane summation order is the device's choice.
            Assert.True(Math.Abs(gotSums[i] - exact) <= 1e-6 * magnitude + 1e-7, $"Sum of item {i}: {gotSums[i]} vs {exact}");
        }
        Assert.True(float.IsNaN(gotSums[0]));
    }

    [Fact]
    public void Float16RegisterAccumulation()
    {
        const int Items = 11;
        const int Steps = 37;
        var rng = new Random(63);
        float[] a = [.. Enumerable.Range(0, Items * Steps).Select(_ => (float)rng.Next(-8, 9))];
        float[] b = [.. Enumerable.Range(0, Steps * 32).Select(_ => (float)rng.Next(-8, 9))];
        using var da = Upload(a);
        using var db = Upload(b);
        using var dr = Filled(Items * 32, 0f);
        Acc.Launch(Float16AccumulateKernel, LaunchDims.Create1D(Items, 1), da.View, db.View, dr.View, Steps);
        var expected = new float[Items * 32];
        for (int i = 0; i < Items; i++)
        {
            for (int c = 0; c < 32; c++)
            {
                float acc = c < 16 ? 0f : 1f;
                for (int s = 0; s < Steps; s++)
                {
                    acc += a[i * Steps + s] * b[s * 32 + c];
                }
                expected[i * 32 + c] = acc;
            }
        }
        AssertSameFloats(expected, dr.ToArray(), k => $"item {k / 32} column {k % 32}");
    }
}
