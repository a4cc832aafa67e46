using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Tests.Layers;

namespace Hilo.Ilgpu.Tests.Models;

/// <summary>
/// The tiny LITv2 end to end against PyTorch (Fixtures/Litv2): every checkpoint form × every input size, logits and
/// per-stage maps; plus memory, bad input and bad checkpoints. Written once, run on every backend present.
/// </summary>
public abstract partial class Litv2ModelSuite(DeviceFixture fixture)
{
    private const double Atol = 1e-4;

    protected ComputeDevice Device => fixture.Get();

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string checkpoint in Litv2TestData.Checkpoints)
        {
            foreach (string input in Litv2TestData.Inputs)
            {
                data.Add(checkpoint, input);
            }
        }
        return data;
    }

    /// <summary>
    /// ILGPU kernels on the CPU accelerator run on emulated GPU threads (a LITv2 forward takes 10–30 s there): the
    /// emulated fixture runs the first case of a theory; the CPU family, OpenCL and CUDA run every case.
    /// </summary>
    private void FirstCaseOnlyWhenEmulated(bool first)
    {
        if (fixture.IsEmulated && !first)
        {
            Assert.Skip("ILGPU kernels on the emulated CPU accelerator: the first case only (every case runs on the CPU family, OpenCL and CUDA)");
        }
    }

    private void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine($"[{fixture.Backend}] {line}");

    private Litv2Model TinyModel(string checkpoint = "tiny_bare.pth")
    {
        var model = new Litv2Model(Device, Litv2TestData.Tiny);
        model.LoadStateDict(Litv2TestData.State(checkpoint));
        return model;
    }

    /// <summary>
    /// One accelerator used from several threads at once: one shared model (its passes are serialised) and one model
    /// per thread (their passes interleave on the device) give exactly the logits of the same passes run one by one.
    /// </summary>
    [Fact]
    public void SeveralThreadsOnOneAcceleratorGiveTheResultsOfOne()
    {
        Assert.SkipWhen(fixture.IsEmulated, "ILGPU kernels on the emulated CPU accelerator take 10–30 s per pass: the CPU family, OpenCL and CUDA run this");
        const int threads = 4, perThread = 2;
        var images = Litv2TestData.Input("32x48");
        var random = new Random(3);
        var inputs = Enumerable.Range(0, threads * perThread)
            .Select(_ => new HostTensor(images.Shape.ToArray(), images.Data.Select(v => v + (float)(random.NextDouble() - 0.5)).ToArray()))
            .ToList();
        float[][] expected;
        using (var model = TinyModel())
        {
            expected = inputs.Select(input => Logits(model, input)).ToArray();
        }

        using var shared = TinyModel();
        var fromShared = RunOnThreads(threads, t => Enumerable.Range(0, perThread).Select(k => Logits(shared, inputs[t * perThread + k])).ToArray());
        var fromOwn = RunOnThreads(threads, t =>
        {
            using var own = TinyModel();
            return Enumerable.Range(0, perThread).Select(k => Logits(own, inputs[t * perThread + k])).ToArray();
        });
        for (int i = 0; i < inputs.Count; i++)
        {
            Assert.Equal(expected[i], fromShared[i / perThread][i % perThread]);
            Assert.Equal(expected[i], fromOwn[i / perThread][i % perThread]);
        }
    }

    private float[] Logits(Litv2Model model, HostTensor input)
    {
        using var x = Device.Upload(input);
        using var logits = model.Forward(x);
        return logits.ToArray();
    }

    // Starts every thread at once (a barrier), so that their passes overlap on the device.
    private static T[] RunOnThreads<T>(int count, Func<int, T> work)
    {
        var results = new T[count];
        var errors = new Exception?[count];
        using var start = new Barrier(count);
        var workers = Enumerable.Range(0, count).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                results[t] = work(t);
            }
            catch (Exception e)
            {
                errors[t] = e;
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.All(errors, e => Assert.Null(e));
        return results;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LogitsMatchPyTorch(string checkpoint, string input)
    {
        FirstCaseOnlyWhenEmulated(checkpoint == Litv2TestData.Checkpoints[0]);
        using var model = TinyModel(checkpoint);
        var images = Litv2TestData.Input(input);
        using var x = Device.Upload(images);
        using var logits = model.Forward(x);
        Assert.Equal([2, 10], logits.Shape);
        double err = Litv2TestData.MaxAbsDiff(logits.ToArray(), Litv2TestData.Logits(input).Data);
        Log($"{checkpoint} {input}: logits max abs error {err:G3}");
        Assert.True(err <= Atol, $"{checkpoint} {input}: logits max abs error {err:G4} > {Atol}");
    }

    [Theory]
    [InlineData("32x32")]
    [InlineData("32x48")]
    [InlineData("36x50")]
    public void StageMapsPooledAndLogitsMatchPyTorch(string input)
    {
        FirstCaseOnlyWhenEmulated(input == "32x32");
        using var model = TinyModel("tiny_wrapped.pth");
        var want = Litv2TestData.Stages(input);
        using var x = Device.Upload(Litv2TestData.Input(input));
        using var features = model.ForwardFeatures(x);
        Assert.Equal(4, features.Stages.Count);
        for (int i = 0; i < 4; i++)
        {
            var map = features.Stages[i].ToHostNchw();
            var expected = want[$"stage{i}"];
            Assert.Equal(expected.Shape, map.Shape);
            double e = Litv2TestData.MaxAbsDiff(map.Data, expected.Data);
            Log($"{input} stage{i} {map.ShapeText}: max abs error {e:G3}");
            Assert.True(e <= Atol, $"{input} stage{i}: max abs error {e:G4}");
        }
        double pooled = Litv2TestData.MaxAbsDiff(features.Pooled.ToArray(), want["pooled"].Data);
        double logits = Litv2TestData.MaxAbsDiff(features.Logits.ToArray(), want["logits"].Data);
        Log($"{input} pooled {pooled:G3}, logits {logits:G3}");
        Assert.True(pooled <= Atol && logits <= Atol, $"pooled {pooled:G4}, logits {logits:G4}");
    }

    [Fact]
    public void AnyBatchSizeGivesTheSameLogitsPerImage()
    {
        using var model = TinyModel();
        var images = Litv2TestData.Input("36x50");
        var want = Litv2TestData.Logits("36x50").Data;
        int per = 3 * 36 * 50;
        using var one = Device.Upload(images.Data.AsSpan(per, per), 1, 3, 36, 50);
        using var logits = model.Forward(one);
        Assert.True(Litv2TestData.MaxAbsDiff(logits.ToArray(), want.AsSpan(10, 10)) <= Atol);
        // Batch 3: the two fixture images and the first again.
        var three = images.Data.Concat(images.Data.AsSpan(0, per).ToArray()).ToArray();
        using var x3 = Device.Upload(three, 3, 3, 36, 50);
        using var logits3 = model.Forward(x3);
        var got = logits3.ToArray();
        Assert.True(Litv2TestData.MaxAbsDiff(got.AsSpan(0, 20), want) <= Atol);
        Assert.True(Litv2TestData.MaxAbsDiff(got.AsSpan(20, 10), want.AsSpan(0, 10)) <= Atol);
    }

    [Fact]
    public void ForwardFreesEveryIntermediate()
    {
        var accelerator = Device.Kernels;
        long baseline = accelerator.AllocatedBytes;
        var model = TinyModel();
        long weights = accelerator.AllocatedBytes - baseline;
        Assert.True(weights >= 4L * model.ParameterCount, $"{weights} bytes of weights for {model.ParameterCount} parameters");
        var x = Device.Upload(Litv2TestData.Input("36x50"));
        long ready = baseline + weights + 4L * x.Length;
        Assert.Equal(ready, accelerator.AllocatedBytes);
        // Layers may keep work buffers from one forward to the next (attention on CPU devices does): the first
        // forward may leave those, later ones allocate nothing that stays.
        model.Forward(x).Dispose();
        Device.Synchronize();
        long steady = accelerator.AllocatedBytes;
        Assert.True(steady >= ready);
        for (int run = 0; run < 2; run++)
        {
            model.Forward(x).Dispose();
            Device.Synchronize();
            Assert.Equal(steady, accelerator.AllocatedBytes);
        }
        using (model.ForwardFeatures(x))
        {
            Assert.True(accelerator.AllocatedBytes > steady);
        }
        Assert.Equal(steady, accelerator.AllocatedBytes);
        x.Dispose();
        model.Dispose();
        Assert.Equal(baseline, accelerator.AllocatedBytes);
    }

    [Fact]
    public void BadImagesAreRefusedWithTheShapes()
    {
        using var model = TinyModel();
        using var rank3 = Device.Allocate(3, 32, 32);
        var e = Assert.Throws<ArgumentException>(() => model.Forward(rank3));
        Assert.Contains("expected images of shape [B, 3, H, W] (NCHW), got [3, 32, 32]", e.Message, StringComparison.Ordinal);
        using var gray = Device.Allocate(1, 1, 32, 32);
        e = Assert.Throws<ArgumentException>(() => model.Forward(gray));
        Assert.Contains("got [1, 1, 32, 32]", e.Message, StringComparison.Ordinal);
        using var small = Device.Allocate(1, 3, 28, 64);
        e = Assert.Throws<ArgumentException>(() => model.Forward(small));
        Assert.Contains("at least 29×29", e.Message, StringComparison.Ordinal);
        Assert.Contains("tiny_config", e.Message, StringComparison.Ordinal);
        using var fresh = new Litv2Model(Device, Litv2TestData.Tiny);
        using var ok = Device.Allocate(1, 3, 32, 32);
        Assert.Throws<InvalidOperationException>(() => fresh.Forward(ok));
    }

    [Fact]
    public void CheckpointForAnotherArchitectureReportsEveryMismatch()
    {
        // The tiny checkpoint against litv2-s: every key is mis-shaped or missing, all reported with the architecture.
        using var big = new Litv2Model(Device, Litv2Config.Preset("litv2-s"));
        var e = Assert.Throws<CheckpointMismatchException>(() => big.LoadStateDict(Litv2TestData.State("tiny_bare.pth")));
        Assert.Equal("litv2-s", e.Architecture);
        Assert.Contains("litv2-s", e.Message, StringComparison.Ordinal);
        var tiny = Litv2TestData.State("tiny_bare.pth");
        var differing = OfficialLitv2Keys.Spec(big.Config)
            .Where(s => !s.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .Where(s => !tiny.TryGetValue(s.Key, out var t) || !t.HasShape(s.Shape)).ToList();
        Assert.True(differing.Count > 200);
        Assert.Equal(differing.Select(s => s.Key).Order(StringComparer.Ordinal),
            e.Missing.Concat(e.MisShaped.Select(m => m.Key)).Order(StringComparer.Ordinal));
        Assert.Contains("layers.2.blocks.5.attn.l_q.weight", e.Missing);
        Assert.Contains(e.MisShaped, m => m.Key == "patch_embed.proj.weight");
        Assert.Empty(e.Unexpected);

        // A deeper tiny model: exactly the third stage-3 block is missing; a shallower one: it is unexpected.
        using var deeper = new Litv2Model(Device, Litv2TestData.Tiny with { Depths = [1, 1, 3, 1] });
        e = Assert.Throws<CheckpointMismatchException>(() => deeper.LoadStateDict(Litv2TestData.State("tiny_bare.pth")));
        Assert.All(e.Missing, k => Assert.StartsWith("layers.2.blocks.2.", k, StringComparison.Ordinal));
        Assert.Equal(deeper.Layers[2].Blocks[2].NamedParameters().Count(), e.Missing.Count);
        Assert.Empty(e.Unexpected);
        using var shallower = new Litv2Model(Device, Litv2TestData.Tiny with { Depths = [1, 1, 1, 1], Alpha = 0.5 });
        e = Assert.Throws<CheckpointMismatchException>(() => shallower.LoadStateDict(Litv2TestData.State("tiny_bare.pth")));
        Assert.All(e.Unexpected, k => Assert.StartsWith("layers.2.blocks.1.", k, StringComparison.Ordinal));
        Assert.NotEmpty(e.MisShaped); // alpha 0.5 splits the heads 2/2 instead of 3/1
        Assert.All(e.MisShaped, m => Assert.Contains(".attn.", m.Key, StringComparison.Ordinal));
    }

    [Fact]
    public void NonFiniteWeightsAreReportedWithTheirKeyAndNothingIsLoaded()
    {
        using var model = TinyModel();
        var state = Litv2TestData.WithChange(Litv2TestData.State("tiny_bare.pth"), "layers.2.blocks.1.attn.l_kv.weight", d => d[5] = float.NaN);
        state = Litv2TestData.WithChange(state, "head.bias", d => d[0] = float.PositiveInfinity);
        var e = Assert.Throws<NonFiniteWeightsException>(() => model.LoadStateDict(state));
        Assert.Equal(["layers.2.blocks.1.attn.l_kv.weight", "head.bias"], e.Entries.Select(x => x.Key));
        Assert.Contains("layers.2.blocks.1.attn.l_kv.weight", e.Message, StringComparison.Ordinal);
        // The model still holds the good weights.
        using var x = Device.Upload(Litv2TestData.Input("32x32"));
        using var logits = model.Forward(x);
        Assert.True(Litv2TestData.MaxAbsDiff(logits.ToArray(), Litv2TestData.Logits("32x32").Data) <= Atol);
    }

    [Fact]
    public void ANegativeRunningVarianceIsRefusedAtLoad()
    {
        using var model = TinyModel();
        const string Key = "layers.0.downsample.norm_layer.running_var";
        var state = Litv2TestData.WithChange(Litv2TestData.State("tiny_bare.pth"), Key, d => d[3] = -0.5f);
        var e = Assert.Throws<InvalidWeightsException>(() => model.LoadStateDict(state));
        Assert.Equal(Key, e.Key);
        Assert.Equal(3, e.Index);
        Assert.Contains("variance", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverflowingWeightsNameTheFirstLayerWhoseOutputIsNotFinite()
    {
        using var model = TinyModel();
        // Finite weights whose sums overflow float32 in the first ConvFFN block: fc1 outputs 3e38 everywhere, and the
        // depthwise conv adds 4 to 9 of them (its taps all 1).
        const string Mlp = "layers.0.blocks.0.mlp.";
        var state = Litv2TestData.WithChange(Litv2TestData.State("tiny_bare.pth"), Mlp + "fc1.weight", d => Array.Fill(d, 0f));
        state = Litv2TestData.WithChange(state, Mlp + "fc1.bias", d => Array.Fill(d, 3e38f));
        state = Litv2TestData.WithChange(state, Mlp + "dwconv.dwconv.weight", d => Array.Fill(d, 1f));
        model.LoadStateDict(state);
        using var x = Device.Upload(Litv2TestData.Input("32x32"));
        var e = Assert.Throws<NonFiniteActivationsException>(() => model.Forward(x).Dispose());
        Assert.Equal("layers.0.blocks.0", e.Layer);
        Assert.Contains("layers.0.blocks.0", e.Message, StringComparison.Ordinal);

        // Without the check the logits come back as they are. On the CPU accelerator they are even finite: the
        // deformable merging samples NaN offsets as outside the map, so the NaNs vanish (PoCL keeps them) — which is
        // why every layer's output is checked, not only the logits.
        model.CheckFinite = false;
        using var logits = model.Forward(x);
        if (Device.Kernels.IsCpuAccelerator)
        {
            Assert.All(logits.ToArray(), v => Assert.True(float.IsFinite(v)));
        }

        // A non-finite input is named as such.
        model.CheckFinite = true;
        var nan = Litv2TestData.Input("32x32");
        nan.Data[7] = float.NaN;
        using var bad = Device.Upload(nan);
        Assert.Equal("input", Assert.Throws<NonFiniteActivationsException>(() => model.Forward(bad).Dispose()).Layer);
    }
}

public sealed class CpuLitv2Model(CpuFamilyFixture fixture) : Litv2ModelSuite(fixture), IClassFixture<CpuFamilyFixture>;

public sealed class IlgpuCpuLitv2Model(IlgpuCpuFixture fixture) : Litv2ModelSuite(fixture), IClassFixture<IlgpuCpuFixture>;

public sealed class OpenCLLitv2Model(OpenCLFixture fixture) : Litv2ModelSuite(fixture), IClassFixture<OpenCLFixture>;

public sealed class CudaLitv2Model(CudaFixture fixture) : Litv2ModelSuite(fixture), IClassFixture<CudaFixture>;
