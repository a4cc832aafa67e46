using BenchmarkDotNet.Attributes;
using Hilo.Ilgpu.Kernels.Runtime;
using Hilo.Ilgpu.Kernels.Gemm;

namespace Hilo.Ilgpu.Bench.Suites;

/// <summary>
/// C = A·B (M×K times K×N) with the CPU family's panel GEMM (B pre-packed, 8×32 register blocks; the CPU accelerator
/// only) and the ILGPU tiled GEMM (shared-memory tiles, 4×4 register blocks), on every device. GFLOP/s = 2·M·N·K / mean time.
/// Shapes: the HiLo benchmark's widest projection (64·196 tokens = 12544 × 768 → 2304), LITv2-S stage-3 MLP fc1
/// at batch 4 (784 × 384 → 1536) and a square 1024³.
/// The ILGPU GEMM runs the HiLo shape only on GPUs: on ILGPU's CPU accelerator it runs on emulated GPU threads
/// (measured ≈ 0.001 GFLOP/s there), and PoCL takes minutes per call at that shape.
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
        if (Dev.Kernels.IsCpuAccelerator)
        {
            packedB = Dev.Allocate(PanelGemmCpu.PackedLength(k, n));
            PanelGemmCpu.Pack(Dev.Kernels, b.View, packedB.View, k, n);
        }
        c = Dev.Allocate(m, n);
    }

    /// <summary>The CPU family's panel GEMM (packing of B not timed: weights are packed once); the CPU accelerator only.</summary>
    [Benchmark]
    public void PanelGemm()
    {
        if (packedB is null)
        {
            throw new NotSupportedException($"PanelGemm is the CPU family's: it runs on the CPU accelerator (cpu), not on {Device}.");
        }
        var (m, k, n) = Dims;
        PanelGemmCpu.Multiply(Dev.Kernels, a!.View, packedB.View, c!.View, m, n, k);
        Sync();
    }

    /// <summary>The ILGPU tiled GEMM (on the HiLo shape, GPUs only: see the class summary).</summary>
    [Benchmark]
    public void TiledGemm()
    {
        if (TiledTooSlow)
        {
            throw new NotSupportedException($"TiledGemm {Shape} is not benchmarked on CPU devices ({Device}): use PanelGemm on cpu.");
        }
        var (m, k, n) = Dims;
        TiledGemmKernels.Multiply(Dev.Kernels, a!.View, b!.View, c!.View, m, n, k);
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
