using BenchmarkDotNet.Attributes;
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Kernels.Gemm;

namespace Hilo.Ilgpu.Bench.Suites;

/// <summary>
/// C = A·B (M×K times K×N) with the CPU-style panel GEMM (B pre-packed, 8×32 register blocks, group size 1)
/// and the GPU-style tiled GEMM (local-memory tiles), on every device. GFLOP/s = 2·M·N·K / mean time.
/// Shapes: the HiLo benchmark's widest projection (64·196 tokens = 12544 × 768 → 2304), LITv2-S stage-3 MLP fc1
/// at batch 4 (784 × 384 → 1536) and a square 1024³.
/// The tiled GEMM runs the HiLo shape only when every benchmarked device is a GPU: on a CPU device it is the
/// wrong variant (measured ≈ 0.3 GFLOP/s on the managed CPU, ≈ 150 s per call at that shape).
/// </summary>
public class GemmBenchmarks : DeviceBenchmark
{
    private Tensor? a, b, packedB, c;

    /// <summary>M×K×N.</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "1024x1024x1024";

    /// <summary>The shapes described above.</summary>
    public static IEnumerable<string> Shapes() => ["12544x768x2304", "784x384x1536", "1024x1024x1024"];

    private bool TiledTooSlow => Shape == "12544x768x2304" && Dev.Info.Kind != DeviceKind.Gpu;

    private (int M, int K, int N) Dims
    {
        get
        {
            int[] p = Shape.Split('x').Select(int.Parse).ToArray();
            return (p[0], p[1], p[2]);
        }
    }

    /// <inheritdoc />
    protected override void Setup()
    {
        var (m, k, n) = Dims;
        a = RandomTensor(1, 1f, m, k);
        b = RandomTensor(2, 1f, k, n);
        packedB = Dev.Allocate(PanelGemmKernels.PackedLength(k, n));
        PanelGemmKernels.Pack(Dev.Stream, b.View, packedB.View, k, n);
        c = Dev.Allocate(m, n);
    }

    /// <summary>CPU-style panel GEMM (packing of B not timed: weights are packed once).</summary>
    [Benchmark]
    public void PanelGemm()
    {
        var (m, k, n) = Dims;
        PanelGemmKernels.Multiply(Dev.Stream, a!.View, packedB!.View, c!.View, m, n, k);
        Sync();
    }

    /// <summary>GPU-style tiled GEMM (on the HiLo shape, GPUs only: see the class summary).</summary>
    [Benchmark]
    public void TiledGemm()
    {
        if (TiledTooSlow)
        {
            throw new NotSupportedException($"TiledGemm {Shape} is not benchmarked on CPU devices ({Device}): use PanelGemm there.");
        }
        var (m, k, n) = Dims;
        TiledGemmKernels.Multiply(Dev.Stream, a!.View, b!.View, c!.View, m, n, k);
        Sync();
    }

    /// <inheritdoc />
    protected override void Cleanup()
    {
        a?.Dispose();
        b?.Dispose();
        packedB?.Dispose();
        c?.Dispose();
    }
}
