using Hilo.Ilgpu.Analysis;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Tests.Models;

namespace Hilo.Ilgpu.Tests.Analysis;

/// <summary>
/// The HiLo explanation maps of the tiny LITv2 fixture model: the float64 host replay that produces them gives the
/// device's attention output and deformable offsets (so the maps are the model's real attention), the probabilities
/// are distributions, the s = 1 stage has no Hi-Fi map, and bad options are named. Written once, run per backend.
/// </summary>
public abstract class HiLoExplainerSuite(DeviceFixture fixture)
{
    private const double Atol = 1e-4;

    protected ComputeDevice Device => fixture.Get();

    private void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"[{fixture}] {line}");

    private Litv2Model TinyModel()
    {
        var model = new Litv2Model(Device, Litv2TestData.Tiny);
        model.LoadStateDict(Litv2TestData.State("tiny_bare.pth"));
        return model;
    }

    /// <summary>The first image of a fixture batch, as a 1 × 3 × H × W device tensor.</summary>
    private Tensor FirstImage(string size)
    {
        if (size == RandomImage)
        {
            // Larger maps than the fixtures': stage 3 is 7×4 (padded to 8×4 for s = 2), stage 4 3×2 (plain MSA over 6 tokens).
            var random = new Random(11);
            return Device.Upload(Enumerable.Range(0, 3 * 116 * 76).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray(), 1, 3, 116, 76);
        }
        var batch = Litv2TestData.Input(size);
        int c = batch.Shape[1], h = batch.Shape[2], w = batch.Shape[3];
        return Device.Upload(batch.Data.AsSpan(0, c * h * w), 1, c, h, w);
    }

    private const string RandomImage = "random116x76";

    public static TheoryData<string, int, int> Blocks()
    {
        var data = new TheoryData<string, int, int>();
        foreach (string input in Litv2TestData.Inputs.Append(RandomImage))
        {
            data.Add(input, 3, 0);
            data.Add(input, 3, 1);
            data.Add(input, 4, 0);
        }
        return data;
    }

    /// <summary>
    /// attention · V from the host probabilities, concatenated and projected as the official module does, equals the
    /// device's <c>attn(norm1(x))</c> on the same captured input; 36×50 gives a 2×3 stage-3 map, padded to 2×4.
    /// </summary>
    [Theory]
    [MemberData(nameof(Blocks))]
    public void HostAttentionOutputMatchesTheDevice(string input, int stage, int block)
    {
        Assert.SkipWhen(fixture.IsEmulated, "a LITv2 pass takes 10–30 s on the emulated accelerator: the CPU family, OpenCL and CUDA run this");
        using var model = TinyModel();
        using var image = FirstImage(input);
        var maps = HiLoExplainer.Compute(model, image, new ExplainOptions { Stage = stage, Block = block });
        var hilo = (HiLoBlock)model.Layers.Items[stage - 1].Blocks.Items[block];
        using var x = Device.Upload([.. maps.BlockInput], 1, maps.StageHeight * maps.StageWidth, maps.Channels);
        using var normed = hilo.Norm1.Forward(x);
        using var attended = hilo.Attn.Forward(normed, maps.StageHeight, maps.StageWidth);
        float[] device = attended.ToArray();
        double max = 0;
        for (int i = 0; i < device.Length; i++)
        {
            max = Math.Max(max, Math.Abs(device[i] - maps.AttentionOutput[i]));
        }
        Log($"{input} {maps.BlockName} ({maps.StageHeight}×{maps.StageWidth}, s = {maps.WindowSize}): max abs difference {max:G3}");
        Assert.Equal(device.Length, maps.AttentionOutput.Count);
        Assert.True(max <= Atol, $"{input} {maps.BlockName}: host attention output differs from the device by {max:G4}");
    }

    /// <summary>The captured input of stage 3's first block is the output of <c>layers.1.downsample</c> on the stage-2 map, not a later in-place state.</summary>
    [Fact]
    public void BlockInputIsTheMapEnteringTheBlock()
    {
        Assert.SkipWhen(fixture.IsEmulated, "a LITv2 pass takes 10–30 s on the emulated accelerator");
        using var model = TinyModel();
        using var image = FirstImage("32x48");
        var maps = HiLoExplainer.Compute(model, image, new ExplainOptions());
        using var features = model.ForwardFeatures(image);
        var stage2 = features.Stages[1];
        var (merged, h, w) = model.Layers.Items[1].Downsample!.Forward(stage2.Tokens, stage2.Height, stage2.Width);
        using (merged)
        {
            Assert.Equal((h, w), (maps.StageHeight, maps.StageWidth));
            Assert.Equal(merged.ToArray(), maps.BlockInput);
        }
    }

    /// <summary>The offsets of every merging equal those the device's deformable conv samples at (its conv_offset on the same map).</summary>
    [Theory]
    [InlineData("32x32", 0)]
    [InlineData("36x50", 0)]
    [InlineData("36x50", 1)]
    [InlineData("36x50", 2)]
    [InlineData(RandomImage, 1)]
    public void DtmOffsetsMatchTheDevice(string input, int merge)
    {
        Assert.SkipWhen(fixture.IsEmulated, "a LITv2 pass takes 10–30 s on the emulated accelerator");
        using var model = TinyModel();
        using var image = FirstImage(input);
        var dtm = HiLoExplainer.Compute(model, image, new ExplainOptions { Merge = merge }).Dtm;
        using var features = model.ForwardFeatures(image);
        var map = features.Stages[merge];
        using var offsets = model.Layers.Items[merge].Downsample!.Dconv.ComputeOffsets(map.Tokens, map.Height, map.Width);
        float[] device = offsets.ToArray();
        Assert.Equal((map.Height, map.Width), (dtm.InputHeight, dtm.InputWidth));
        Assert.Equal((map.Height / 2, map.Width / 2), (dtm.OutputHeight, dtm.OutputWidth));
        Assert.Equal(device.Length, dtm.Offsets.Count);
        double max = device.Select((v, i) => Math.Abs(v - dtm.Offsets[i])).Max();
        Log($"{input} merge {merge} ({dtm.InputHeight}×{dtm.InputWidth} → {dtm.OutputHeight}×{dtm.OutputWidth}): max abs offset difference {max:G3}");
        Assert.True(max <= Atol, $"merge {merge}: offsets differ from the device by {max:G4}");
        // Tap t = 2i + j of output (r, c) starts from (2r + i, 2c + j) and moves by channels 2t, 2t + 1.
        var (y, x) = dtm.SamplePoint(0, dtm.OutputWidth - 1, 3);
        Assert.True(Math.Abs(1 + device[(dtm.OutputWidth - 1) * 8 + 6] - y) <= Atol, $"tap 3 row {y}");
        Assert.True(Math.Abs(2 * (dtm.OutputWidth - 1) + 1 + device[(dtm.OutputWidth - 1) * 8 + 7] - x) <= Atol, $"tap 3 column {x}");
    }

    /// <summary>Every attention row sums to 1, the Hi-Fi map averages 1/s² per unpadded window, and the query defaults to the centre.</summary>
    [Fact]
    public void AttentionRowsAreDistributions()
    {
        Assert.SkipWhen(fixture.IsEmulated, "a LITv2 pass takes 10–30 s on the emulated accelerator");
        using var model = TinyModel();
        using var image = FirstImage("36x50");
        var maps = HiLoExplainer.Compute(model, image, new ExplainOptions());
        Assert.Equal((2, 3), (maps.StageHeight, maps.StageWidth));
        Assert.Equal((1, 3), (maps.HiFiHeads, maps.LoFiHeads));
        var hiFi = maps.HiFi!;
        int area = hiFi.WindowSize * hiFi.WindowSize;
        Assert.Equal((1, 2), (hiFi.WindowRows, hiFi.WindowColumns));
        AssertRowsSumToOne(hiFi.Probabilities, area);
        // Window 0 (columns 0–1) has no padding: its tokens receive on average 1/s².
        Assert.Equal(1.0 / area, new[] { 0, 1, 3, 4 }.Average(t => hiFi.Received[t]), 12);
        var loFi = maps.LoFi!;
        Assert.Equal((1, 2), (loFi.KeyRows, loFi.KeyColumns));
        Assert.Equal((1, 1), loFi.Query);
        AssertRowsSumToOne(loFi.Probabilities, loFi.KeyRows * loFi.KeyColumns);
        Assert.Equal(1.0, loFi.QueryAttention.Sum(), 12);
        Assert.Equal(1.0, loFi.MeanAttention.Sum(), 12);
        Assert.Equal(loFi.Probabilities.Skip(4 * 2).Take(2), loFi.QueryAttention);
    }

    private static void AssertRowsSumToOne(IReadOnlyList<double> p, int width)
    {
        Assert.Equal(0, p.Count % width);
        for (int r = 0; r < p.Count / width; r++)
        {
            Assert.Equal(1.0, p.Skip(r * width).Take(width).Sum(), 12);
        }
    }

    /// <summary>Stage 4 has local_ws = 1: plain MSA, no Hi-Fi map (and the maps say why), Lo-Fi keys are the unpooled tokens.</summary>
    [Fact]
    public void WindowOneStageHasNoHiFiMap()
    {
        Assert.SkipWhen(fixture.IsEmulated, "a LITv2 pass takes 10–30 s on the emulated accelerator");
        using var model = TinyModel();
        using var image = FirstImage(RandomImage); // stage 4 is 3×2: unpooled keys are all 6 tokens
        var maps = HiLoExplainer.Compute(model, image, new ExplainOptions { Stage = 4, Head = 3 });
        Assert.Null(maps.HiFi);
        Assert.Contains("local_ws = 1", maps.HiFiAbsentReason, StringComparison.Ordinal);
        Assert.Equal((0, 4), (maps.HiFiHeads, maps.LoFiHeads));
        Assert.Equal(3, maps.LoFi!.Head);
        Assert.Equal((1, 3, 2), (maps.LoFi.PoolSize, maps.LoFi.KeyRows, maps.LoFi.KeyColumns));
        Assert.Equal(32, maps.TokenPixels);
    }

    public static TheoryData<string, string, string> BadOptions() => new()
    {
        { "stage2", "ExplainOptions.Stage", "stages 3 and 4" },
        { "block", "ExplainOptions.Block", "blocks 0..1" },
        { "head", "ExplainOptions.Head", "1 Hi-Fi head: 0..0 (set HiFiHead" },
        { "lofihead", "ExplainOptions.LoFiHead", "3 Lo-Fi heads: 0..2" },
        { "query", "ExplainOptions.Query", "rows 0..1, columns 0..2" },
        { "merge", "ExplainOptions.Merge", "mergings 0..2" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOptionsAreNamedWithTheirRange(string which, string option, string range)
    {
        var options = which switch
        {
            "stage2" => new ExplainOptions { Stage = 2 },
            "block" => new ExplainOptions { Block = 2 },
            "head" => new ExplainOptions { Head = 1 },
            "lofihead" => new ExplainOptions { LoFiHead = 3 },
            "query" => new ExplainOptions { Query = (2, 0) },
            _ => new ExplainOptions { Merge = 3 },
        };
        using var model = TinyModel();
        using var image = FirstImage("36x50");
        var e = Assert.Throws<ArgumentException>(() => HiLoExplainer.Compute(model, image, options));
        Assert.Contains(option, e.Message, StringComparison.Ordinal);
        Assert.Contains(range, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MoreThanOneImageIsRefused()
    {
        using var model = TinyModel();
        using var images = Device.Upload(Litv2TestData.Input("32x32"));
        var e = Assert.Throws<ArgumentException>(() => HiLoExplainer.Compute(model, images, new ExplainOptions()));
        Assert.Contains("one preprocessed image of shape [1, 3, H, W], got [2, 3, 32, 32]", e.Message, StringComparison.Ordinal);
    }
}

public sealed class CpuHiLoExplainer(CpuFamilyFixture fixture) : HiLoExplainerSuite(fixture), IClassFixture<CpuFamilyFixture>;

public sealed class OpenCLHiLoExplainer(OpenCLFixture fixture) : HiLoExplainerSuite(fixture), IClassFixture<OpenCLFixture>;

public sealed class CudaHiLoExplainer(CudaFixture fixture) : HiLoExplainerSuite(fixture), IClassFixture<CudaFixture>;
