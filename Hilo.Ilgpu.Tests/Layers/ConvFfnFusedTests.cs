using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Kernels.Runtime;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Tests.Layers;

/// <summary>
/// The CPU family's fused ConvFFN (<see cref="ConvFfnCpu"/>, run by <see cref="DWMlp"/> where it pays) gives the same
/// bits as <c>fc1</c>, depthwise + GELU and <c>fc2</c> in turn — each of which has its own reference and PyTorch
/// tests — over maps that cut into several strips, pieces of one image (a batch smaller than the cores), one-column
/// and short maps, channel counts with vector tails, with and without the residual add. The tiny LITv2's PyTorch
/// parity tests run it too (its stage 1 is fused).
/// </summary>
public sealed class ConvFfnFusedTests
{
    [Theory]
    [InlineData(1, 9, 7, 4, 16)]      // one strip, two pieces of one image
    [InlineData(3, 13, 5, 8, 40)]     // hidden 40: a partial panel and a 16-lane tail in the convolution
    [InlineData(2, 23, 16, 12, 48)]   // strips of 7 rows: 7, 7, 7, 2
    [InlineData(1, 40, 28, 4, 16)]    // strips of 4 rows in two pieces of 20 rows
    [InlineData(1, 16, 1, 2, 8)]      // one column: every column is an edge
    [InlineData(2, 3, 37, 3, 20)]     // three rows, odd width and channels
    public void FusedIsTheUnfusedBits(int batch, int height, int width, int channels, int hidden)
    {
        Assert.True(ConvFfnCpu.Pays(height, width, channels), "a case the fused kernel would not run");
        using var device = ComputeDevice.Open("cpu");
        using var mlp = new DWMlp(device, channels, hidden);
        mlp.InitializeRandom(height * 31 + width);
        var rng = new Random(batch + height + width);
        float[] input = [.. Enumerable.Range(0, batch * height * width * channels).Select(_ => (float)(rng.NextDouble() * 4 - 2))];
        float[] start = [.. Enumerable.Range(0, input.Length).Select(_ => (float)(rng.NextDouble() - 0.5))];
        using var x = device.Upload(input, batch, height * width, channels);

        var (fused, fusedAdded, launches, flops) = Run(true);
        var (inTurn, inTurnAdded, _, _) = Run(false);
        Assert.Equal(2, launches); // the fused kernel ran, once for Forward and once for ForwardAdd
        // Its stated work (for the profiler's GFLOP/s): per token, fc1 and fc2 (C·hidden FMAs each) and 9 taps per
        // hidden value, an FMA counted as 2, twice.
        Assert.Equal(2.0 * batch * height * width * (2 * 2 * channels * hidden + 2 * 9 * hidden), flops);
        Assert.Equal(inTurn, fused);
        Assert.Equal(inTurnAdded, fusedAdded);
        Assert.All(fused, v => Assert.True(float.IsFinite(v)));
        Assert.NotEqual(start, fusedAdded);

        (float[] Output, float[] Added, int FusedLaunches, double FusedFlops) Run(bool fuse)
        {
            mlp.FuseOnCpu = fuse;
            device.Kernels.Profiler = new KernelProfiler();
            using var y = mlp.Forward(x, height, width);
            using var target = device.Upload(start, batch, height * width, channels);
            mlp.ForwardAdd(x, height, width, target);
            var entries = device.Kernels.Profiler.Entries.Where(e => e.Kernel == nameof(ConvFfnCpu)).ToList();
            device.Kernels.Profiler = null;
            return (y.ToArray(), target.ToArray(), entries.Sum(e => e.Launches), entries.Sum(e => e.Flops));
        }
    }

    [Fact]
    public void OnlyMapsWhoseHiddenMapOutweighsTheWeightsAreFused()
    {
        // LITv2-S: stage 1 (56² tokens, 96 channels) is fused; stage 2 (28², 192) and later run in turn.
        Assert.True(ConvFfnCpu.Pays(56, 56, 96));
        Assert.False(ConvFfnCpu.Pays(28, 28, 192));
        using var device = ComputeDevice.Open("cpu");
        using var mlp = new DWMlp(device, 16, 64);
        mlp.InitializeRandom(1);
        using var x = device.Upload(new float[2 * 8 * 8 * 16], 2, 8 * 8, 16); // 64 tokens < 8 · 16
        device.Kernels.Profiler = new KernelProfiler();
        using var y = mlp.Forward(x, 8, 8);
        Assert.DoesNotContain(device.Kernels.Profiler.Entries, e => e.Kernel == nameof(ConvFfnCpu));
        Assert.Contains(device.Kernels.Profiler.Entries, e => e.Kernel == "Depthwise3x3Cpu");
    }
}
