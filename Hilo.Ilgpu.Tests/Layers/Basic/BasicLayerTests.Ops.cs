using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers.Basic;

public abstract partial class BasicLayerTests
{
    [Fact]
    public void GeluMatchesPyTorch()
    {
        var fx = LayerCase.Load("gelu");
        using var x = Upload(fx.Input);
        using var y = Ops.Gelu(x);
        double err = LayerAssert.MaxAbsClose(fx.Output.Data, y.ToArray(), ParityAtol, "gelu");
        Log(Invariant($"gelu: max abs error {err:G3}"));
        Ops.GeluInPlace(x);
        Assert.Equal(y.ToArray(), x.ToArray());
    }

    /// <summary>Length of the dense case: an even grid over [−12, 12] rather than random values.</summary>
    private const int GeluGrid = 1 << 18;

    /// <summary>
    /// Lengths around the CPU family's 16 lanes and per-work-item chunk, and a dense grid, with values up to ±12 (erf
    /// saturates, GELU(x) ≈ 0 or x): every value within the family's stated error (<see cref="GeluUlpTests"/>), in
    /// the units of <see cref="Ulp.GeluError"/>.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(255)]
    [InlineData(257)]
    [InlineData(5000)]
    [InlineData(GeluGrid)]
    public void GeluWithinItsStatedErrorOfFloat64(int length)
    {
        var rng = new Random(length);
        float[] input = length == GeluGrid
            ? [.. Enumerable.Range(0, length).Select(i => -12f + 24f * i / (length - 1))]
            : RandomFloats(rng, length, 12.0);
        input[0] = length > 1 ? -0f : 3f;
        using var x = Upload(input, length);
        using var y = Ops.Gelu(x);
        float[] got = y.ToArray();
        double bound = Device.Family == KernelFamily.Cpu ? GeluUlpTests.VectorBound : GeluUlpTests.ScalarBound;
        int worst = Enumerable.Range(0, length).MaxBy(i => Ulp.GeluError(input[i], got[i]));
        double error = Ulp.GeluError(input[worst], got[worst]);
        Log(Invariant($"gelu({length}): max error {error:F3} units at x = {input[worst]:R}"));
        Assert.True(error <= bound, Invariant($"gelu({input[worst]:R}) = {got[worst]:R} is {error:F3} units off (bound {bound})"));
    }

    [Fact]
    public void AddMatchesFloat64ReferenceInAndOutOfPlace()
    {
        var rng = new Random(4);
        int[] shape = [3, 7, 45];
        int n = 3 * 7 * 45;
        float[] a = RandomFloats(rng, n), b = RandomFloats(rng, n);
        using var da = Upload(a, shape);
        using var db = Upload(b, shape);
        using var sum = Ops.Add(da, db);
        Assert.Equal(shape, sum.Shape);
        double[] expected = BasicReference.Add(a, b);
        LayerAssert.Close(expected, sum.ToArray(), 0, 6e-8, "add");
        Ops.AddInPlace(da, db);
        Assert.Equal(sum.ToArray(), da.ToArray());
        using var other = Upload(new float[n], 3, 45, 7);
        var e = Assert.Throws<ArgumentException>(() => Ops.Add(da, other));
        Assert.Contains("[3, 7, 45]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Ops.AddInPlace(da, other));
    }

    [Fact]
    public void MeanOverTokensMatchesPyTorch()
    {
        var fx = LayerCase.Load("mean_tokens");
        using var x = Upload(fx.Input);
        using var y = Ops.MeanOverTokens(x);
        Assert.Equal(fx.Output.Shape, y.Shape);
        double err = LayerAssert.MaxAbsClose(fx.Output.Data, y.ToArray(), ParityAtol, "mean_tokens");
        Log(Invariant($"mean_tokens: max abs error {err:G3}"));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 49, 768)]
    [InlineData(3, 13, 5)]
    public void MeanOverTokensMatchesFloat64Reference(int batch, int tokens, int channels)
    {
        var rng = new Random(batch + tokens + channels);
        float[] input = RandomFloats(rng, batch * tokens * channels, 3.0);
        using var x = Upload(input, batch, tokens, channels);
        using var y = Ops.MeanOverTokens(x);
        Assert.Equal([batch, channels], y.Shape);
        LayerAssert.Close(BasicReference.MeanOverTokens(input, batch, tokens, channels), y.ToArray(), 3e-7 * Math.Sqrt(tokens) * 3, 1e-6, "mean over tokens");
    }

    [Fact]
    public void MeanOverTokensRejectsBadRank()
    {
        using var x = Upload(new float[12], 3, 4);
        var e = Assert.Throws<ArgumentException>(() => Ops.MeanOverTokens(x));
        Assert.Contains("[B, N, C]", e.Message, StringComparison.Ordinal);
        using var empty = Device.Allocate(2, 0, 4);
        Assert.Throws<ArgumentException>(() => Ops.MeanOverTokens(empty));
    }

    [Fact]
    public void ClassifierHeadMatchesPyTorch()
    {
        var fx = LayerCase.Load("head");
        int dim = fx.Int("dim"), classes = fx.Int("num_classes");
        using var norm = new LayerNorm(Device, dim);
        using var head = new Linear(Device, dim, classes);
        norm.LoadStateDict(fx.Parameters("norm."), "head.norm");
        head.LoadStateDict(fx.Parameters("head."), "head.head");
        using var x = Upload(fx.Input);
        using var y = Ops.ClassifierHead(x, norm, head);
        Assert.Equal(fx.Output.Shape, y.Shape);
        double err = LayerAssert.MaxAbsClose(fx.Output.Data, y.ToArray(), ParityAtol, "head");
        Log(Invariant($"head: max abs error {err:G3}"));
        using var wrong = Upload(new float[2 * 3 * (dim + 1)], 2, 3, dim + 1);
        Assert.Throws<ArgumentException>(() => Ops.ClassifierHead(wrong, norm, head));
    }
}
