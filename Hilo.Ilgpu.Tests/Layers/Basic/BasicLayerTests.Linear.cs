using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Kernels.Gemm;
using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers.Basic;

public abstract partial class BasicLayerTests
{
    /// <summary>Parity with PyTorch, with the fixture's family (each fixture runs its own GEMM: both are checked on every machine).</summary>
    [Theory]
    [InlineData("linear")]
    [InlineData("linear_nobias")]
    public void LinearMatchesPyTorch(string name)
    {
        var style = Device.Family;
        var fx = LayerCase.Load(name);
        using var layer = new Linear(Device, fx.Int("in_features"), fx.Int("out_features"), fx.Bool("bias"), style);
        layer.LoadStateDict(fx.Parameters(), name);
        using var x = Upload(fx.Input);
        using var y = layer.Forward(x);
        Assert.Equal(fx.Output.Shape, y.Shape);
        double err = LayerAssert.MaxAbsClose(fx.Output.Data, y.ToArray(), ParityAtol, name);
        Log(Invariant($"{name} ({style}): max abs error {err:G3}"));
    }

    /// <summary>Random shapes around the panel (8×32) and tile (16) sizes; input ranks 1 to 4.</summary>
    public static TheoryData<int, int, int[]> LinearShapes() => new()
    {
        { 1, 1, [1] },
        { 17, 33, [3, 5] },
        { 64, 40, [2, 2, 9] },
        { 5, 96, [1, 2, 3, 7] },
        { 100, 7, [31] },
    };

    [Theory]
    [MemberData(nameof(LinearShapes))]
    public void LinearMatchesFloat64Reference(int inFeatures, int outFeatures, int[] leading)
    {
        var style = Device.Family;
        var rng = new Random(inFeatures * 131 + outFeatures);
        using var layer = new Linear(Device, inFeatures, outFeatures, bias: true, style);
        layer.InitializeRandom(inFeatures + outFeatures);
        int rows = leading.Aggregate(1, (a, b) => a * b);
        float[] input = RandomFloats(rng, rows * inFeatures);
        using var x = Upload(input, [.. leading, inFeatures]);
        using var y = layer.Forward(x);
        Assert.Equal([.. leading, outFeatures], y.Shape);
        AssertLinear(layer, input, rows, y.ToArray(), accumulateOnto: null);
    }

    /// <summary>Two projections written side by side into one output row (as HiLo concatenates Hi-Fi and Lo-Fi), then a residual accumulate.</summary>
    [Fact]
    public void LinearForwardIntoWritesColumnSlicesAndAccumulates()
    {
        var style = Device.Family;
        const int Rows = 13, In = 20, OutA = 9, OutB = 35, Stride = OutA + OutB + 3;
        var rng = new Random(7);
        using var a = new Linear(Device, In, OutA, bias: true, style);
        using var b = new Linear(Device, In, OutB, bias: false, style);
        a.InitializeRandom(1);
        b.InitializeRandom(2);
        float[] input = RandomFloats(rng, Rows * In);
        using var x = Upload(input, Rows, In);
        const float Sentinel = 1234.5f;
        using var output = Upload(Enumerable.Repeat(Sentinel, Rows * Stride).ToArray(), Rows, Stride);
        a.ForwardInto(x, output.View, Stride, 0);
        b.ForwardInto(x, output.View, Stride, OutA);
        float[] got = output.ToArray();
        AssertLinear(a, input, Rows, Columns(got, Stride, 0, OutA), null);
        AssertLinear(b, input, Rows, Columns(got, Stride, OutA, OutB), null);
        for (int r = 0; r < Rows; r++)
        {
            for (int c = OutA + OutB; c < Stride; c++)
            {
                Assert.Equal(Sentinel, got[r * Stride + c]);
            }
        }

        // Accumulate: output[:, OutA:] += b(x), read from a strided input (the first In columns of a wider row).
        const int InStride = In + 5;
        float[] wide = RandomFloats(rng, Rows * InStride);
        using var xWide = Upload(wide, Rows, InStride);
        b.ForwardInto(xWide.View, InStride, Rows, output.View, Stride, OutA, accumulate: true);
        float[] strided = new float[Rows * In];
        for (int r = 0; r < Rows; r++)
        {
            Array.Copy(wide, r * InStride, strided, r * In, In);
        }
        AssertLinear(b, strided, Rows, Columns(output.ToArray(), Stride, OutA, OutB), Columns(got, Stride, OutA, OutB));
    }

    [Fact]
    public void LinearRejectsBadInput()
    {
        using var layer = new Linear(Device, 8, 4);
        using var x = Upload(new float[2 * 8], 2, 8);
        var early = Assert.Throws<InvalidOperationException>(() => layer.Forward(x));
        Assert.Contains("InitializeRandom", early.Message, StringComparison.Ordinal);
        layer.InitializeRandom(3);
        using var wrong = Upload(new float[2 * 7], 2, 7);
        var e = Assert.Throws<ArgumentException>(() => layer.Forward(wrong));
        Assert.Contains("[..., 8]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 7]", e.Message, StringComparison.Ordinal);
        using var output = Device.Allocate(2, 10);
        Assert.Throws<ArgumentException>(() => layer.ForwardInto(x, output.View, 10, 7));   // 7 + 4 > 10
        Assert.Throws<ArgumentException>(() => layer.ForwardInto(x, output.View, 10, -1));
        Assert.Throws<ArgumentException>(() => layer.ForwardInto(x, output.View.SubView(0, 13), 10, 0)); // needs 14
        Assert.Throws<ArgumentException>(() => layer.ForwardInto(x.View, 7, 2, output.View, 10, 0));   // input stride < 8
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(Device, 0, 4));

        var state = new StateDict();
        state.Add("weight", HostTensor.Zeros(8, 4));
        state.Add("bias", HostTensor.Zeros(4));
        var mismatch = Assert.Throws<CheckpointMismatchException>(() => layer.LoadStateDict(state, "linear"));
        Assert.Contains("weight", mismatch.Message, StringComparison.Ordinal);
    }

    private static float[] Columns(float[] data, int stride, int offset, int count)
    {
        int rows = data.Length / stride;
        var result = new float[rows * count];
        for (int r = 0; r < rows; r++)
        {
            Array.Copy(data, r * stride + offset, result, r * count, count);
        }
        return result;
    }

    /// <summary>Checks y (rows × out) against the float64 reference, plus <paramref name="accumulateOnto"/> when given, within the GEMM rounding bound.</summary>
    private static void AssertLinear(Linear layer, float[] input, int rows, float[] got, float[]? accumulateOnto)
    {
        int k = layer.InFeatures, n = layer.OutFeatures;
        float[] w = layer.Weight.Value.Data;
        float[] bias = layer.Bias?.Value.Data ?? [];
        double[] expected = BasicReference.Linear(input, w, bias, rows, k, n);
        var bound = new double[expected.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < n; o++)
            {
                double abs = bias.Length > 0 ? Math.Abs(bias[o]) : 0;
                for (int i = 0; i < k; i++)
                {
                    abs += Math.Abs((double)input[r * k + i] * w[o * k + i]);
                }
                int at = r * n + o;
                if (accumulateOnto is not null)
                {
                    expected[at] += accumulateOnto[at];
                    abs += Math.Abs(accumulateOnto[at]);
                }
                bound[at] = (k + 3) * Math.ScaleB(1.0, -24) * abs + 1e-30;
            }
        }
        LayerAssert.Close(expected, got, i => bound[i], layer.ToString());
    }
}
