using System.Globalization;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Tests.Layers.Attention;

public abstract partial class AttentionSuite
{
    private static readonly string[] AttentionPrefixes = ["hilo_", "msa", "sra", "window"];

    private static string LayerFixtureDirectory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Layers");

    /// <summary>Every attention fixture (HiLo, MSA, SRA, window attention) in Fixtures/Layers.</summary>
    public static TheoryData<string> AttentionFixtures()
    {
        var data = new TheoryData<string>();
        foreach (string name in AttentionFixtureNames())
        {
            data.Add(name);
        }
        return data;
    }

    private static List<string> AttentionFixtureNames() =>
        [.. Directory.EnumerateFiles(LayerFixtureDirectory, "*.safetensors")
            .Select(Path.GetFileNameWithoutExtension)
            .Select(n => n!)
            .Where(n => AttentionPrefixes.Any(p => n.StartsWith(p, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)];

    [Fact]
    public void EveryAttentionFixtureIsCovered()
    {
        // 21 HiLo cases (α × s grid, padded, non-square, 12 and 50 heads, no bias), 2 MSA, 3 SRA, 4 window.
        var names = AttentionFixtureNames();
        Assert.Equal(21, names.Count(n => n.StartsWith("hilo_", StringComparison.Ordinal)));
        Assert.Equal(2, names.Count(n => n.StartsWith("msa", StringComparison.Ordinal)));
        Assert.Equal(3, names.Count(n => n.StartsWith("sra", StringComparison.Ordinal)));
        Assert.Equal(4, names.Count(n => n.StartsWith("window", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(AttentionFixtures))]
    public void MatchesPyTorchFixture(string name)
    {
        var all = SafeTensorsFile.Read(Path.Combine(LayerFixtureDirectory, name + ".safetensors"), out var meta);
        int Int(string key) => int.Parse(meta[key], CultureInfo.InvariantCulture);
        bool Bool(string key) => meta[key] == "true";
        var dev = Device;
        int dim = Int("dim"), heads = Int("num_heads"), height = Int("H"), width = Int("W");
        HostTensor input = all["input"], expected = all["output"];
        using Module layer = meta["kind"] switch
        {
            "hilo" => new HiLoAttention(dev, dim, heads, Int("window_size"), double.Parse(meta["alpha"], CultureInfo.InvariantCulture), Bool("qkv_bias")),
            "msa" => new MultiHeadAttention(dev, dim, heads, Bool("qkv_bias")),
            "sra" => new SpatialReductionAttention(dev, dim, heads, Bool("qkv_bias"), Int("sr_ratio")),
            "window_attention" => new WindowAttention(dev, dim, heads, Int("window_size"), Bool("qkv_bias"), Bool("relative_position_bias")),
            var kind => throw new InvalidOperationException($"unexpected fixture kind {kind}"),
        };
        if (layer is HiLoAttention hilo)
        {
            Assert.Equal(Int("l_heads"), hilo.LoFiHeads);
            Assert.Equal(Int("h_heads"), hilo.HiFiHeads);
        }
        // The file's parameters are exactly the layer's (strict load: a missing or extra key fails).
        var state = new StateDict();
        foreach (var (key, tensor) in all)
        {
            if (key is not ("input" or "output"))
            {
                state.Add(key, tensor);
            }
        }
        layer.LoadStateDict(state, name);

        using var x = dev.Upload(input);
        using var y = layer switch
        {
            HiLoAttention h => h.Forward(x, height, width),
            MultiHeadAttention m => m.Forward(x, height, width),
            SpatialReductionAttention s => s.Forward(x, height, width),
            WindowAttention w => w.Forward(x, height, width),
            _ => throw new InvalidOperationException(),
        };
        Assert.Equal(expected.Shape, y.Shape);
        AssertClose(Array.ConvertAll(expected.Data, v => (double)v), y.ToArray(), Atol, name);
    }
}
