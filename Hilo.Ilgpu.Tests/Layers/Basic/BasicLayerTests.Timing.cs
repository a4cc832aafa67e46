using System.Diagnostics;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers.Basic;

public abstract partial class BasicLayerTests
{
    /// <summary>
    /// Times of LITv2-S-sized work (explicit: run with <c>-explicit on</c>; no timing asserts): a Linear
    /// 12544×768 → 2304 (stage-1 tokens of a batch of 4 … as one GEMM), and GELU over 5M elements.
    /// </summary>
    [Fact(Explicit = true)]
    public void TimeLinearAndGelu()
    {
        const int Rows = 12544, In = 768, Out = 2304;
        using var layer = new Linear(Device, In, Out);
        layer.InitializeRandom(1);
        var rng = new Random(2);
        using var x = Upload(RandomFloats(rng, Rows * In), Rows, In);
        using var y = Device.Allocate(Rows, Out);
        double linear = Best(() => layer.ForwardInto(x, y.View, Out, 0), 3);
        double flop = 2.0 * Rows * In * Out;
        Log(Invariant($"Linear {Rows}x{In} -> {Out} ({layer.Style}-style) on {Device.Info.Name}: {linear * 1e3:F1} ms, {flop / linear / 1e9:F1} GFLOP/s"));
        if (layer.Style == KernelStyle.Cpu)
        {
            // Same run, the plain panel GEMM (no bias, no strides) on the same shape, for a ratio.
            using var packed = Device.Allocate(Hilo.Ilgpu.Kernels.Gemm.PanelGemmKernels.PackedLength(In, Out));
            using var w = Upload(RandomFloats(rng, In * Out), In, Out);
            Hilo.Ilgpu.Kernels.Gemm.PanelGemmKernels.Pack(Device.Stream, w.View, packed.View, In, Out);
            double plain = Best(() => Hilo.Ilgpu.Kernels.Gemm.PanelGemmKernels.Multiply(Device.Stream, x.View, packed.View, y.View, Rows, Out, In), 3);
            Log(Invariant($"plain PanelGemm, same shape: {plain * 1e3:F1} ms, {flop / plain / 1e9:F1} GFLOP/s"));
        }

        using var g = Upload(RandomFloats(rng, 5_000_000, 4.0), 5_000_000);
        double gelu = Best(() => Ops.GeluInPlace(g), 3);
        Log(Invariant($"GELU in place, 5M elements: {gelu * 1e3:F1} ms ({gelu * 1e9 / 5e6:F2} ns/element)"));
    }

    [Fact(Explicit = true)]
    public void TimeGeluVariants()
    {
        const int N = 5_000_000;
        using var g = Upload(RandomFloats(new Random(3), N, 4.0), N);
        foreach (int perItem in new[] { 1, 16, 64, 256, 1024 })
        {
            foreach (int group in new[] { 0, 64 })
            {
                int items = (N + perItem - 1) / perItem;
                var dims = group == 0 ? new Hilo.Ilgpu.Compute.LaunchDims(items) : new Hilo.Ilgpu.Compute.LaunchDims(new Hilo.Ilgpu.Compute.Index3D(items), new Hilo.Ilgpu.Compute.Index3D(group));
                double t = Best(() => Device.Stream.Launch(Hilo.Ilgpu.Kernels.Layers.Basic.ElementwiseKernels.GeluKernel, dims, g.View, g.View, N, perItem), 3);
                Log(Invariant($"GELU perItem {perItem} group {group}: {t * 1e3:F1} ms"));
            }
        }
    }

    private double Best(Action run, int repeats)
    {
        run();
        Device.Synchronize();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            Device.Synchronize();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }
}
