using BenchmarkDotNet.Attributes;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Bench.Suites;

/// <summary>
/// The attention layers of the paper's attention protocol (DESIGN.md §1) at its shape — 14×14 tokens,
/// dim 768, 12 heads — with a small batch (8, not 64, so a run stays short; <c>hilo compare</c> runs the
/// full protocol): HiLo (s=2, α=0.9, qkv bias), SRA (sr_ratio 2), local window (7, no shift, no relative
/// position bias), MSA. Images/s = Batch / mean time.
/// </summary>
public class AttentionBenchmarks : DeviceBenchmark
{
    private const int Side = 14, Dim = 768, Heads = 12;
    private Module? layer;
    private Func<Tensor, Tensor>? forward;
    private Tensor? x;

    /// <summary>Images per forward.</summary>
    [Params(8)]
    public int Batch { get; set; } = 8;

    /// <inheritdoc />
    protected override void Setup()
    {
        x = RandomTensor(1, 1f, Batch, Side * Side, Dim);
    }

    /// <summary>Builds one layer (called from the per-benchmark setups).</summary>
    private void Build(string name)
    {
        switch (name)
        {
            case "hilo":
                var hilo = new HiLoAttention(Dev, Dim, Heads, windowSize: 2, alpha: 0.9, qkvBias: true);
                (layer, forward) = (hilo, t => hilo.Forward(t, Side, Side));
                break;
            case "sra":
                var sra = new SpatialReductionAttention(Dev, Dim, Heads, qkvBias: true, srRatio: 2);
                (layer, forward) = (sra, t => sra.Forward(t, Side, Side));
                break;
            case "local-window":
                var window = new WindowAttention(Dev, Dim, Heads, windowSize: 7, qkvBias: true, relativePositionBias: false);
                (layer, forward) = (window, t => window.Forward(t, Side, Side));
                break;
            default:
                var msa = new MultiHeadAttention(Dev, Dim, Heads, qkvBias: true);
                (layer, forward) = (msa, t => msa.Forward(t, Side, Side));
                break;
        }
        layer.InitializeRandom(2);
        // First call builds the kernels (and PoCL programs): keep it out of the warm-up statistics.
        Run();
    }

    private void Run()
    {
        using var y = forward!(x!);
        Sync();
    }

    /// <summary>Setup of <see cref="HiLo"/>.</summary>
    [GlobalSetup(Target = nameof(HiLo))]
    public void SetupHiLo()
    {
        GlobalSetup();
        Build("hilo");
    }

    /// <summary>Setup of <see cref="Sra"/>.</summary>
    [GlobalSetup(Target = nameof(Sra))]
    public void SetupSra()
    {
        GlobalSetup();
        Build("sra");
    }

    /// <summary>Setup of <see cref="LocalWindow"/>.</summary>
    [GlobalSetup(Target = nameof(LocalWindow))]
    public void SetupWindow()
    {
        GlobalSetup();
        Build("local-window");
    }

    /// <summary>Setup of <see cref="Msa"/>.</summary>
    [GlobalSetup(Target = nameof(Msa))]
    public void SetupMsa()
    {
        GlobalSetup();
        Build("msa");
    }

    /// <summary>HiLo, s=2, α=0.9.</summary>
    [Benchmark]
    public void HiLo() => Run();

    /// <summary>PVT spatial-reduction attention, sr_ratio 2.</summary>
    [Benchmark]
    public void Sra() => Run();

    /// <summary>Swin window attention, window 7, no shift.</summary>
    [Benchmark]
    public void LocalWindow() => Run();

    /// <summary>ViT multi-head self-attention.</summary>
    [Benchmark(Baseline = true)]
    public void Msa() => Run();

    /// <inheritdoc />
    protected override void Cleanup()
    {
        layer?.Dispose();
        layer = null;
        x?.Dispose();
    }
}
