using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Tests.Layers.Attention;

public abstract partial class AttentionSuite
{
    /// <summary>B, H, W, dim, heads, s, α, qkv bias: odd and non-square maps, sizes not divisible by s, s = 3.</summary>
    public static TheoryData<int, int, int, int, int, int, double, bool> HiLoShapes()
    {
        var data = new TheoryData<int, int, int, int, int, int, double, bool>
        {
            { 1, 5, 3, 12, 3, 2, 0.5, true },
            { 2, 7, 11, 16, 4, 3, 0.9, true },
            { 1, 1, 1, 8, 2, 2, 0.5, false },
            { 3, 4, 9, 24, 6, 4, 0.34, true },
        };
        var rng = new Random(2024);
        for (int i = 0; i < 3; i++)
        {
            int heads = rng.Next(1, 6), d = rng.Next(1, 9), s = rng.Next(1, 5);
            data.Add(rng.Next(1, 3), rng.Next(1, 12), rng.Next(1, 12), heads * d, heads, s, Math.Round(rng.NextDouble(), 2), rng.Next(2) == 0);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(HiLoShapes))]
    public void HiLoMatchesFloat64Reference(int batch, int height, int width, int dim, int heads, int window, double alpha, bool qkvBias)
    {
        using var layer = new HiLoAttention(Device, dim, heads, window, alpha, qkvBias);
        Assert.Equal(AttentionReference.LoFiHeads(heads, alpha, window), layer.LoFiHeads);
        var (x, p) = RandomCase(layer, batch * height * width * dim, batch + height * 31 + width * 7);
        double[] want = AttentionReference.HiLo(x.Data.Select(v => (double)v).ToArray(), batch, height, width, dim, heads, window, alpha, p);
        CheckForward(x, [batch, height * width, dim], t => layer.Forward(t, height, width), want, $"HiLo {batch}x{height}x{width} dim {dim} heads {heads} s {window} α {alpha}");
    }

    [Theory]
    [InlineData(2, 5, 7, 16, 2, true)]
    [InlineData(1, 1, 3, 6, 3, false)]
    [InlineData(1, 56, 56, 8, 1, true)]   // 3136 keys: stage-1 MSA size
    public void MsaMatchesFloat64Reference(int batch, int height, int width, int dim, int heads, bool qkvBias)
    {
        using var layer = new MultiHeadAttention(Device, dim, heads, qkvBias);
        int n = height * width;
        var (x, p) = RandomCase(layer, batch * n * dim, n + dim);
        double[] want = AttentionReference.Msa(x.Data.Select(v => (double)v).ToArray(), batch, n, dim, heads, p);
        CheckForward(x, [batch, n, dim], t => layer.Forward(t, height, width), want, $"MSA {batch}x{n} dim {dim}");
    }

    [Theory]
    [InlineData(2, 7, 9, 16, 2, 2, true)]
    [InlineData(1, 6, 5, 12, 3, 3, false)]
    [InlineData(2, 4, 3, 8, 2, 1, true)]  // sr_ratio 1: no reduction, no sr/norm
    public void SraMatchesFloat64Reference(int batch, int height, int width, int dim, int heads, int srRatio, bool qkvBias)
    {
        using var layer = new SpatialReductionAttention(Device, dim, heads, qkvBias, srRatio);
        Assert.Equal(srRatio > 1, layer.NamedParameters().Any(e => e.Name.StartsWith("sr.", StringComparison.Ordinal)));
        var (x, p) = RandomCase(layer, batch * height * width * dim, height * width + srRatio);
        double[] want = AttentionReference.Sra(x.Data.Select(v => (double)v).ToArray(), batch, height, width, dim, heads, srRatio, p);
        CheckForward(x, [batch, height * width, dim], t => layer.Forward(t, height, width), want, $"SRA {height}x{width} r {srRatio}");
    }

    [Theory]
    [InlineData(2, 9, 10, 8, 2, 7, true)]
    [InlineData(1, 7, 7, 6, 3, 7, false)]
    [InlineData(1, 5, 6, 8, 2, 3, true)]
    public void WindowAttentionMatchesFloat64Reference(int batch, int height, int width, int dim, int heads, int window, bool bias)
    {
        using var layer = new WindowAttention(Device, dim, heads, window, qkvBias: true, relativePositionBias: bias);
        var (x, p) = RandomCase(layer, batch * height * width * dim, height * 13 + width);
        double[] want = AttentionReference.WindowAttention(x.Data.Select(v => (double)v).ToArray(), batch, height, width, dim, heads, window, p);
        CheckForward(x, [batch, height * width, dim], t => layer.Forward(t, height, width), want, $"window {height}x{width} s {window} bias {bias}");
    }

    [Fact]
    public void RelativePositionIndexSurvivesRandomInitAndMatchesSwin()
    {
        using var layer = new WindowAttention(Device, 8, 2, 7, relativePositionBias: true);
        layer.InitializeRandom(5);
        var index = layer.NamedParameters().Single(e => e.Name == "relative_position_index").Parameter;
        Assert.True(index.IsBuffer);
        var fixture = SafeTensorsFile.Read(Path.Combine(LayerFixtureDirectory, "window7_rpb_14x14.safetensors"));
        Assert.Equal(fixture["relative_position_index"].Data, index.Value.Data);
        Assert.Equal(13 * 13 * 2 + 3 * 8 * 8 + 3 * 8 + 8 * 8 + 8, layer.ParameterCount);
    }

    [Theory]
    [InlineData(5, 7, 0.0)]
    [InlineData(8, 8, 0.9)]
    public void HiLoWithWindowOneEqualsMsa(int height, int width, double alpha)
    {
        const int Dim = 16, Heads = 4;
        var dev = Device;
        using var hilo = new HiLoAttention(dev, Dim, Heads, windowSize: 1, alpha, qkvBias: true);
        Assert.Equal((Heads, 0), (hilo.LoFiHeads, hilo.HiFiHeads));
        Assert.Equal(["l_q.weight", "l_q.bias", "l_kv.weight", "l_kv.bias", "l_proj.weight", "l_proj.bias"], hilo.NamedParameters().Select(e => e.Name));
        hilo.InitializeRandom(11);
        var w = hilo.NamedParameters().ToDictionary(e => e.Name, e => e.Parameter.Value);
        var state = new StateDict();
        // qkv = [q | k | v] = l_q stacked over l_kv ([k | v]); proj = l_proj.
        state.Add("qkv.weight", new HostTensor([3 * Dim, Dim], [.. w["l_q.weight"].Data, .. w["l_kv.weight"].Data]));
        state.Add("qkv.bias", new HostTensor([3 * Dim], [.. w["l_q.bias"].Data, .. w["l_kv.bias"].Data]));
        state.Add("proj.weight", w["l_proj.weight"]);
        state.Add("proj.bias", w["l_proj.bias"]);
        using var msa = new MultiHeadAttention(dev, Dim, Heads, qkvBias: true);
        msa.LoadStateDict(state, "msa");
        using var x = dev.Upload(RandomFloats(new Random(3), 2 * height * width * Dim), 2, height * width, Dim);
        using var a = hilo.Forward(x, height, width);
        using var b = msa.Forward(x, height, width);
        AssertClose(Array.ConvertAll(b.ToArray(), v => (double)v), a.ToArray(), 1e-6, "HiLo s=1 vs MSA");
    }

    // Random weights with realistic scales (weights N(0, fan_in^-1/2), biases N(0, 0.2), norm scales 1 + N(0, 0.1),
    // bias tables N(0, 0.5)) so outputs are of order 1, and a N(0, 1) input; p looks parameters up by official
    // name as float64. Constant buffers (Swin's index) keep their value.
    private static (HostTensor X, Func<string, double[]?> P) RandomCase(Module layer, int inputLength, int seed)
    {
        layer.InitializeRandom(seed);
        var rng = new Random(seed);
        foreach (var (name, parameter) in layer.NamedParameters())
        {
            if (parameter.IsConstant)
            {
                continue;
            }
            float[] data = parameter.Value.Data;
            int fanIn = parameter.Shape.Skip(1).Aggregate(1, (a, b) => a * b);
            bool normScale = name.StartsWith("norm.", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal);
            double sigma = name.Contains("bias_table", StringComparison.Ordinal) ? 0.5 : parameter.Shape.Count == 1 ? (normScale ? 0.1 : 0.2) : 1.0 / Math.Sqrt(fanIn);
            float[] noise = RandomFloats(rng, data.Length, sigma);
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (normScale ? 1f : 0f) + noise[i];
            }
        }
        layer.Prepare();
        var values = layer.NamedParameters().ToDictionary(e => e.Name, e => e.Parameter.Value.Data.Select(v => (double)v).ToArray());
        var x = new HostTensor([inputLength], RandomFloats(new Random(seed + 1), inputLength));
        return (x, name => values.TryGetValue(name, out var v) ? v : null);
    }

    private void CheckForward(HostTensor x, int[] shape, Func<Tensor, Tensor> forward, double[] want, string what)
    {
        using var input = Device.Upload(x.Data, shape);
        using var y = forward(input);
        Assert.Equal(shape, y.Shape);
        AssertClose(want, y.ToArray(), Atol, what);
    }
}
