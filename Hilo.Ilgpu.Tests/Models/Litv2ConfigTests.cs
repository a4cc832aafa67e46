using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Tests.Models;

/// <summary>Presets, parameter counts, official keys and CONFIG.json parsing (no kernels run: the managed CPU only holds the tree).</summary>
public sealed class Litv2ConfigTests : IDisposable
{
    private readonly ComputeDevice device = ComputeDevice.Open("cpu");

    public void Dispose() => device.Dispose();

    [Theory]
    [InlineData("litv2-s", 27_844_000L, 219)]
    [InlineData("litv2-m", 48_830_368L, 459)]
    [InlineData("litv2-b", 86_520_704L, 459)]
    [InlineData("litv2-b-384", 86_520_704L, 459)]
    public void PresetsHaveThePublishedParameterCountsAndOfficialKeys(string name, long parameters, int officialKeys)
    {
        var config = Litv2Config.Preset(name);
        using var model = new Litv2Model(device, config);
        Assert.Equal(parameters, model.ParameterCount);
        var spec = OfficialLitv2Keys.Spec(config);
        Assert.Equal(officialKeys, spec.Count);
        // Our tree holds every official key except BatchNorm's num_batches_tracked (never read in eval), in official order.
        var want = spec.Where(s => !s.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToList();
        var got = model.NamedParameters().Select(p => (p.Name, p.Parameter.Shape.ToArray())).ToList();
        Assert.Equal(want.Select(w => w.Key), got.Select(g => g.Name));
        for (int i = 0; i < want.Count; i++)
        {
            Assert.True(want[i].Shape.SequenceEqual(got[i].Item2), $"{want[i].Key}: {HostTensor.FormatShape(got[i].Item2)} vs official {HostTensor.FormatShape(want[i].Shape)}");
        }
    }

    [Fact]
    public void PresetValuesFollowTheDesignNotes()
    {
        var s = Litv2Config.Preset("litv2-s");
        Assert.Equal(96, s.EmbedDim);
        Assert.Equal([2, 2, 6, 2], s.Depths);
        Assert.Equal([3, 6, 12, 24], s.NumHeads);
        Assert.Equal(0.9, s.Alpha);
        Assert.Equal([0, 0, 2, 1], s.LocalWs);
        Assert.Equal((1000, 224, 4.0, true), (s.NumClasses, s.ImgSize, s.MlpRatio, s.QkvBias));
        Assert.Equal([2, 2, 18, 2], Litv2Config.Preset("litv2-m").Depths);
        var b384 = Litv2Config.Preset("LITv2-B-384");
        Assert.Equal((128, 384), (b384.EmbedDim, b384.ImgSize));
        Assert.Equal([4, 8, 16, 32], b384.NumHeads);
        var e = Assert.Throws<ArgumentException>(() => Litv2Config.Preset("litv2-xl"));
        Assert.Contains("litv2-xl", e.Message, StringComparison.Ordinal);
        Assert.Contains("litv2-b-384", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TinyFixtureTreeMatchesItsCheckpointKeysAndCount()
    {
        var config = Litv2TestData.Tiny;
        Assert.Equal("tiny_config", config.Name);
        Assert.Equal(8, config.EmbedDim);
        Assert.Equal([1, 1, 2, 1], config.Depths);
        Assert.Equal([1, 2, 4, 4], config.NumHeads);
        Assert.Equal(10, config.NumClasses);
        using var model = new Litv2Model(device, config);
        var state = Litv2TestData.State("tiny_bare.pth");
        var ours = model.NamedParameters().Select(p => p.Name).ToList();
        var theirs = state.Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToList();
        Assert.Equal(theirs, ours);
        foreach (var (name, p) in model.NamedParameters())
        {
            Assert.True(state[name].HasShape(p.Shape), name);
        }
        Assert.Equal(OfficialLitv2Keys.Spec(config).Count, state.Count);
        long fromCheckpoint = state.Where(kv => !kv.Key.Contains("running_", StringComparison.Ordinal) && !kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .Sum(kv => (long)kv.Value.ElementCount);
        Assert.Equal(fromCheckpoint, model.ParameterCount);
    }

    [Fact]
    public void HiLoSplitOfTheStagesIsPythons()
    {
        using var model = new Litv2Model(device, Litv2Config.Preset("litv2-s"));
        var stage3 = (HiLoBlock)model.Layers[2].Blocks[0];
        var stage4 = (HiLoBlock)model.Layers[3].Blocks[0];
        Assert.Equal((10, 2, 2), (stage3.Attn.LoFiHeads, stage3.Attn.HiFiHeads, stage3.Attn.WindowSize));
        Assert.Equal((24, 0, 1), (stage4.Attn.LoFiHeads, stage4.Attn.HiFiHeads, stage4.Attn.WindowSize));
        Assert.IsType<ConvFfnBlock>(model.Layers[0].Blocks[1]);
        Assert.Null(model.Layers[3].Downsample);
        Assert.Equal("litv2-s", model.Architecture);
    }

    [Fact]
    public void StageSizesPadToFourAndFloorAtEachMerging()
    {
        Assert.Equal([(56, 56), (28, 28), (14, 14), (7, 7)], Litv2Model.StageSizes(224, 224));
        Assert.Equal([(9, 13), (4, 6), (2, 3), (1, 1)], Litv2Model.StageSizes(36, 50));
        Assert.Equal(29, Litv2Config.MinImageSide);
    }

    [Fact]
    public void ConfigJsonRoundTripsAndReadsTheFixture()
    {
        foreach (string name in Litv2Config.PresetNames)
        {
            var preset = Litv2Config.Preset(name);
            var parsed = Litv2ConfigJson.Parse(Litv2ConfigJson.ToJson(preset), name);
            Assert.Equal(preset, parsed);
        }
        var tiny = Litv2ConfigJson.Parse(File.ReadAllText(Litv2TestData.PathOf("tiny_config.json")));
        Assert.Equal(0.9, tiny.Alpha);
        Assert.Equal(4.0, tiny.MlpRatio);
        Assert.Equal(32, tiny.ImgSize);
        // Optional keys take the official defaults.
        var minimal = Litv2ConfigJson.Parse("""{"embed_dim": 64, "depths": [1, 1, 1, 1], "num_heads": [1, 2, 4, 8]}""");
        Assert.Equal((0.9, 1000, 224, 4.0, true), (minimal.Alpha, minimal.NumClasses, minimal.ImgSize, minimal.MlpRatio, minimal.QkvBias));
        Assert.Equal([0, 0, 2, 1], minimal.LocalWs);
    }

    [Theory]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1], "num_heads": [1,2,4,4], "num_class": 10}""", "'num_class' is not a LITv2 config key")]
    [InlineData("""{"embed_dim": 8.5, "depths": [1,1,2,1], "num_heads": [1,2,4,4]}""", "'embed_dim' must be an integer, got the number 8.5")]
    [InlineData("""{"embed_dim": "8", "depths": [1,1,2,1], "num_heads": [1,2,4,4]}""", "'embed_dim' must be an integer, got the string \"8\"")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2], "num_heads": [1,2,4,4]}""", "'depths' must list 4 values (one per stage), got 3")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1.5], "num_heads": [1,2,4,4]}""", "'depths' entry 3 must be an integer")]
    [InlineData("""{"embed_dim": 8, "depths": 4, "num_heads": [1,2,4,4]}""", "'depths' must be an array of 4 integers, got the integer 4")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1], "num_heads": [1,2,4,4], "qkv_bias": "true"}""", "'qkv_bias' must be true or false, got the string \"true\"")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1], "num_heads": [1,2,4,4], "alpha": 1.5}""", "'alpha' must be in [0, 1], got 1.5")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1], "num_heads": [1,2,3,4]}""", "'num_heads' stage 3 has 32 channels, not divisible by its 3 heads")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1], "num_heads": [1,2,4,4], "local_ws": [0,0,0,1]}""", "'local_ws' stage 3 has HiLo attention")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1]}""", "'num_heads' is missing")]
    [InlineData("""{"embed_dim": 8, "embed_dim": 16, "depths": [1,1,2,1], "num_heads": [1,2,4,4]}""", "'embed_dim' appears twice")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1], "num_heads": [1,2,4,4],}""", "not valid JSON")]
    [InlineData("""[8, 16]""", "expected a JSON object")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1], "num_heads": [1,2,4,4], "img_size": 16}""", "'img_size' must be in [29, 16384], got 16")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1], "num_heads": [1,2,4,4], "num_classes": 0}""", "'num_classes' must be in [1, 1000000], got 0")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1], "num_heads": [1,2,4,4], "num_classes": 2147483648}""", "'num_classes' must be an integer of at most 2147483647 in size, got 2147483648")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1], "num_heads": [1,2,4,4], "num_classes": 2000000}""", "'num_classes' must be in [1, 1000000], got 2000000")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,1000000,1], "num_heads": [1,2,4,4]}""", "'depths' entry 2 must be in [0, 128], got 1000000")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,99999999999,1], "num_heads": [1,2,4,4]}""", "'depths' entry 2 must be an integer of at most 2147483647 in size")]
    [InlineData("""{"embed_dim": 5000, "depths": [1,1,2,1], "num_heads": [1,2,4,4]}""", "'embed_dim' must be in [1, 4096], got 5000")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1], "num_heads": [1,2,4,4096]}""", "'num_heads' entry 3 must be in [1, 1024], got 4096")]
    [InlineData("""{"embed_dim": 8, "depths": [1,1,2,1], "num_heads": [1,2,4,4], "mlp_ratio": 1e300}""", "'mlp_ratio' must be a number in (0, 64]")]
    [InlineData("""{"embed_dim": 4096, "depths": [128,128,128,128], "num_heads": [1,2,4,8]}""", "'depths' with embed_dim 4096 and mlp_ratio 4 give about")]
    public void BadConfigJsonNamesTheKeyAndValue(string json, string expected)
    {
        var e = Assert.Throws<Litv2ConfigException>(() => Litv2ConfigJson.Parse(json, "my.json"));
        Assert.StartsWith("my.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreadableConfigFileIsAConfigError()
    {
        string missing = Path.Combine(Path.GetTempPath(), "hilo-no-such-dir-" + Guid.NewGuid().ToString("N"), "c.json");
        var e = Assert.Throws<Litv2ConfigException>(() => Litv2ConfigJson.Read(missing));
        Assert.Contains("cannot read the config file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigFilesAreReadOnlyUpToTheirLimit()
    {
        // /dev/zero never ends: the reader stops after the limit, whatever length the file claims.
        var e = Assert.Throws<Litv2ConfigException>(() => Litv2ConfigJson.Read("/dev/zero"));
        Assert.Contains($"larger than a config file may be ({Litv2ConfigLimits.MaxFileBytes} bytes)", e.Message, StringComparison.Ordinal);
        using var dir = new IO.TempDirectory();
        string big = dir.File("big.json");
        File.WriteAllText(big, "{\"embed_dim\": 8" + new string(' ', Litv2ConfigLimits.MaxFileBytes) + "}");
        Assert.Contains("larger than a config file may be", Assert.Throws<Litv2ConfigException>(() => Litv2ConfigJson.Read(big)).Message, StringComparison.Ordinal);
        Assert.Contains("is a directory", Assert.Throws<Litv2ConfigException>(() => Litv2ConfigJson.Read(dir.Path)).Message, StringComparison.Ordinal);
        string invalid = dir.File("latin1.json");
        File.WriteAllBytes(invalid, [0x7b, 0xe9, 0x7d]);
        Assert.Contains("cannot read the config file", Assert.Throws<Litv2ConfigException>(() => Litv2ConfigJson.Read(invalid)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("litv2-s")]
    [InlineData("litv2-m")]
    [InlineData("litv2-b")]
    public void ApproximateParameterCountIsWithinThreePercent(string name)
    {
        var config = Litv2Config.Preset(name);
        using var model = new Litv2Model(device, config);
        double ratio = config.ApproximateParameterCount / (double)model.ParameterCount;
        Assert.InRange(ratio, 0.97, 1.03);
    }

    [Fact]
    public void WindowsLargerThanTheirMapAreOneRule()
    {
        var config = Litv2Config.Preset("litv2-s") with { LocalWs = [0, 0, 14, 7] };
        config.CheckWindows(224, 224); // 14×14 and 7×7 maps: the windows fit exactly
        var e = Assert.Throws<ArgumentException>(() => config.CheckWindows(200, 200)); // 12×12 and 6×6 maps
        Assert.Contains("'local_ws' entry 2 (stage 3) is 14, larger than the stage's 12×12 token map at 200×200 pixels", e.Message, StringComparison.Ordinal);
        // The padded, non-square case: a window up to the longer side fits (HiLo pads to multiples of s).
        Assert.True(Litv2Config.WindowFits(7, 3, 7));
        Assert.False(Litv2Config.WindowFits(8, 3, 7));
        Assert.Equal(Hilo.Ilgpu.Scheduling.ModelPlanner.WindowCandidates(3, 7, 2, [2, 4, 7, 8]), [2, 4, 7]);
    }
}
