using BenchmarkDotNet.Attributes;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Bench.Suites;

/// <summary>
/// Element-wise and row-wise kernels at LITv2/HiLo sizes: GELU and residual add over an MLP hidden map
/// (batch 4 × 56² tokens × 384 = 4.8M values), LayerNorm over the HiLo benchmark input (64·196 rows × 768),
/// softmax over Lo-Fi attention logits (8 images × 10 heads × 196 queries × 49 keys).
/// </summary>
public class ElementwiseBenchmarks : DeviceBenchmark
{
    private Tensor? hidden, addend, rows, normOut, logits;
    private LayerNorm? norm;

    /// <inheritdoc />
    protected override void Setup()
    {
        hidden = RandomTensor(1, 4f, 4, 56 * 56, 384);
        addend = RandomTensor(2, 1f, 4, 56 * 56, 384);
        rows = RandomTensor(3, 1f, 64, 196, 768);
        normOut = Dev.Allocate(64, 196, 768);
        logits = RandomTensor(4, 4f, 8, 10, 196, 49);
        norm = new LayerNorm(Dev, 768);
        norm.InitializeRandom(5);
    }

    /// <summary>Exact (erf) GELU in place.</summary>
    [Benchmark]
    public void Gelu()
    {
        Ops.GeluInPlace(hidden!);
        Sync();
    }

    /// <summary>Residual add in place.</summary>
    [Benchmark]
    public void Add()
    {
        Ops.AddInPlace(hidden!, addend!);
        Sync();
    }

    /// <summary>LayerNorm (eps 1e-5) into a preallocated output.</summary>
    [Benchmark]
    public void LayerNorm()
    {
        norm!.ForwardInto(rows!, normOut!);
        Sync();
    }

    /// <summary>Softmax over the last axis, in place.</summary>
    [Benchmark]
    public void Softmax()
    {
        Ops.SoftmaxInPlace(logits!);
        Sync();
    }

    /// <inheritdoc />
    protected override void Cleanup()
    {
        norm?.Dispose();
        foreach (var t in new[] { hidden, addend, rows, normOut, logits })
        {
            t?.Dispose();
        }
    }
}
