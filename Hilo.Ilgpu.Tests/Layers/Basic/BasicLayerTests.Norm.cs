using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers.Basic;

public abstract partial class BasicLayerTests
{
    [Fact]
    public void LayerNormMatchesPyTorch()
    {
        var fx = LayerCase.Load("layernorm");
        using var layer = new LayerNorm(Device, fx.Int("dim"), (float)fx.Double("eps"));
        layer.LoadStateDict(fx.Parameters(), "layernorm");
        using var x = Upload(fx.Input);
        using var y = layer.Forward(x);
        Assert.Equal(fx.Output.Shape, y.Shape);
        double err = LayerAssert.MaxAbsClose(fx.Output.Data, y.ToArray(), ParityAtol, "layernorm");
        Log(Invariant($"layernorm: max abs error {err:G3}"));
    }

    /// <summary>Dims below, at and above the 16-lane vector width; a large common offset (checks the two-pass variance).</summary>
    [Theory]
    [InlineData(1, 3, 0.0)]
    [InlineData(5, 7, 0.0)]
    [InlineData(16, 4, 0.0)]
    [InlineData(33, 9, 0.0)]
    [InlineData(96, 5, 100.0)]
    [InlineData(200, 3, 0.0)]
    [InlineData(37, 7, 0.0)]      // ILGPU: one warp a row, 4 rows a group: C not a multiple of 32, a partial group
    [InlineData(100, 9, 1.0)]
    [InlineData(800, 5, 0.0)]     // ILGPU: past the 768-element shared stash, the tail re-read from x
    public void LayerNormMatchesFloat64Reference(int dim, int rows, double offset)
    {
        var rng = new Random(dim * 7 + rows);
        using var layer = new LayerNorm(Device, dim);
        layer.InitializeRandom(dim);
        float[] input = RandomFloats(rng, rows * dim, 2.0, offset);
        using var x = Upload(input, rows, dim);
        using var y = layer.Forward(x);
        double[] expected = BasicReference.LayerNorm(input, layer.Weight.Value.Data, layer.Bias.Value.Data, dim, 1e-5);
        // Error of the mean, the variance and the normalised values: a few float32 ulps relative to the
        // scale of x (offset included), magnified by 1/std.
        LayerAssert.Close(expected, y.ToArray(), 2e-6 * (1 + offset) * Math.Sqrt(dim), 2e-6, $"LayerNorm({dim})");
        // In place gives the same values to the last bit: both families add a row's partial sums in a fixed order.
        layer.ForwardInto(x, x);
        Assert.Equal(y.ToArray(), x.ToArray());
    }

    /// <summary>
    /// Rows whose variance is near eps (std 1e-3 … 1e-2, var 1e-6 … 1e-4, and a constant row), where eps 1e-5 and
    /// 1e-6 give normalised values up to 3× apart: the default layer must use PyTorch's 1e-5 and a layer made with
    /// 1e-6 must use that, each against the float64 reference with its own eps.
    /// </summary>
    [Theory]
    [InlineData(7, 4)]
    [InlineData(16, 4)]
    [InlineData(45, 4)]
    [InlineData(96, 8)]
    [InlineData(37, 5)]
    [InlineData(100, 4)]
    public void LayerNormUsesItsEpsWhereTheVarianceIsSmall(int dim, int rows)
    {
        var rng = new Random(dim * 3 + rows);
        double[] stds = [1e-3, 3e-3, 1e-2, 0];
        float[] input = new float[rows * dim];
        for (int r = 0; r < rows; r++)
        {
            double std = stds[r % stds.Length];
            for (int i = 0; i < dim; i++)
            {
                // Uniform on [−√3·std, √3·std] has standard deviation std.
                input[r * dim + i] = (float)(0.25 + std * Math.Sqrt(3) * (rng.NextDouble() * 2 - 1));
            }
        }
        using var x = Upload(input, rows, dim);
        foreach (float eps in new[] { 1e-5f, 1e-6f })
        {
            using var layer = eps == 1e-5f ? new LayerNorm(Device, dim) : new LayerNorm(Device, dim, eps);
            layer.InitializeRandom(dim);
            float[] w = layer.Weight.Value.Data, b = layer.Bias.Value.Data;
            double[] expected = BasicReference.LayerNorm(input, w, b, dim, eps);
            double[] other = BasicReference.LayerNorm(input, w, b, dim, eps == 1e-5f ? 1e-6 : 1e-5);
            // The error of float32 mean and variance of values near 0.25 (ulp 3e-8) relative to a std of 1e-3 is
            // ~1e-4 of the normalised value at most; the two eps differ by > 0.1 there.
            const double Atol = 2e-4;
            double apart = expected.Zip(other, (p, q) => Math.Abs(p - q)).Max();
            Assert.True(apart > 100 * Atol, Invariant($"eps 1e-5 and 1e-6 differ by only {apart:G3}: the inputs do not tell them apart"));
            using var y = layer.Forward(x);
            LayerAssert.Close(expected, y.ToArray(), Atol, 0, Invariant($"LayerNorm({dim}, eps {eps:G2})"));
        }
    }

    /// <summary>
    /// A block's <c>x += f(x)</c> then <c>LN(x)</c> (<see cref="LayerNorm.AddForward"/>; one kernel in the ILGPU family):
    /// x must hold the float32 sums to the last bit, the output the float64 LayerNorm of those sums; with rows past
    /// the 768-element stash, a partial group of rows and C not a multiple of 32.
    /// </summary>
    [Theory]
    [InlineData(37, 6)]
    [InlineData(96, 4)]
    [InlineData(100, 9)]
    [InlineData(800, 3)]
    public void LayerNormAfterResidualAddMatchesFloat64Reference(int dim, int rows)
    {
        var rng = new Random(dim * 11 + rows);
        using var layer = new LayerNorm(Device, dim);
        layer.InitializeRandom(dim + 1);
        float[] input = RandomFloats(rng, rows * dim, 2.0, 0.5);
        float[] addend = RandomFloats(rng, rows * dim, 1.0);
        float[] sums = [.. input.Zip(addend, (a, b) => a + b)];
        using var x = Upload(input, rows, dim);
        using var r = Upload(addend, rows, dim);
        using var y = layer.AddForward(x, r);
        Assert.Equal(sums, x.ToArray());
        double[] expected = BasicReference.LayerNorm(sums, layer.Weight.Value.Data, layer.Bias.Value.Data, dim, 1e-5);
        LayerAssert.Close(expected, y.ToArray(), 2e-6 * 2 * Math.Sqrt(dim), 2e-6, $"LayerNorm({dim}) after the residual add");
        using var wrong = Upload(new float[rows * dim], rows * dim);
        Assert.Throws<ArgumentException>(() => layer.AddForward(x, wrong));
    }

    [Fact]
    public void LayerNormRejectsBadInput()
    {
        using var layer = new LayerNorm(Device, 6);
        layer.InitializeRandom(1);
        using var x = Upload(new float[10], 2, 5);
        var e = Assert.Throws<ArgumentException>(() => layer.Forward(x));
        Assert.Contains("[..., 6]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 5]", e.Message, StringComparison.Ordinal);
        using var good = Upload(new float[12], 2, 6);
        using var wrongOut = Upload(new float[12], 3, 4);
        Assert.Throws<ArgumentException>(() => layer.ForwardInto(good, wrongOut));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNorm(Device, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNorm(Device, 4, float.NaN));
    }

    [Fact]
    public void SoftmaxMatchesPyTorch()
    {
        var fx = LayerCase.Load("softmax");
        using var x = Upload(fx.Input);
        using var y = Ops.Softmax(x);
        double err = LayerAssert.MaxAbsClose(fx.Output.Data, y.ToArray(), ParityAtol, "softmax");
        Log(Invariant($"softmax: max abs error {err:G3}"));
        Ops.SoftmaxInPlace(x);
        Assert.Equal(y.ToArray(), x.ToArray());
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(15, 3)]
    [InlineData(16, 2)]
    [InlineData(49, 6)]
    [InlineData(197, 2)]
    public void SoftmaxMatchesFloat64Reference(int dim, int rows)
    {
        var rng = new Random(dim + 1000 * rows);
        // Scores of very different sizes per row, including large ones that overflow exp without the max shift.
        float[] input = RandomFloats(rng, rows * dim, 10.0);
        for (int r = 0; r < rows; r++)
        {
            input[r * dim] += 500f * r;
        }
        using var x = Upload(input, rows, dim);
        using var y = Ops.Softmax(x);
        double[] expected = BasicReference.Softmax(input, dim);
        float[] got = y.ToArray();
        LayerAssert.Close(expected, got, 1e-7, 1e-5, $"softmax({dim})");
        for (int r = 0; r < rows; r++)
        {
            Assert.Equal(1.0, got.AsSpan(r * dim, dim).ToArray().Sum(v => (double)v), 4);
        }
    }

    [Fact]
    public void SoftmaxHandlesInfinities()
    {
        float[] input = [float.NegativeInfinity, 0f, float.NegativeInfinity, 1f, float.NegativeInfinity, float.NegativeInfinity];
        using var x = Upload(input, 2, 3);
        float[] got = Ops.Softmax(x).ToArray();
        Assert.Equal(0f, got[0]);
        Assert.Equal(1f, got[1]);
        Assert.Equal(0f, got[2]);
        Assert.Equal(1f, got[3]);
        Assert.Equal(0f, got[4]);
        Assert.Equal(0f, got[5]);
        using var masked = Upload([float.NegativeInfinity, float.NegativeInfinity], 1, 2);
        Assert.All(Ops.Softmax(masked).ToArray(), v => Assert.True(float.IsNaN(v))); // as PyTorch
    }

    [Fact]
    public void SoftmaxRejectsEmptyLastDimension()
    {
        using var x = Device.Allocate(3, 0);
        Assert.Throws<ArgumentException>(() => Ops.Softmax(x));
    }
}
