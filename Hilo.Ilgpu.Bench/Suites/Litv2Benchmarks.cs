using BenchmarkDotNet.Attributes;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Bench.Suites;

/// <summary>
/// A whole LITv2-S forward (random weights) on 224² images, small batch (images/s = Batch / mean time;
/// <c>hilo compare --protocol model</c> runs the paper's batch-64 protocol).
/// </summary>
public class Litv2Benchmarks : DeviceBenchmark
{
    private Litv2Model? model;
    private Tensor? images;

    /// <summary>Images per forward.</summary>
    [Params(2)]
    public int Batch { get; set; } = 2;

    /// <inheritdoc />
    protected override void Setup()
    {
        model = new Litv2Model(Dev, Litv2Config.Preset("litv2-s"));
        model.InitializeRandom(1);
        images = RandomTensor(2, 1f, Batch, 3, 224, 224);
        // First call builds every kernel: keep it out of the warm-up statistics.
        Litv2S();
    }

    /// <summary>LITv2-S forward to logits.</summary>
    [Benchmark]
    public void Litv2S()
    {
        using var logits = model!.Forward(images!);
        Sync();
    }

    /// <inheritdoc />
    protected override void Cleanup()
    {
        model?.Dispose();
        images?.Dispose();
    }
}
