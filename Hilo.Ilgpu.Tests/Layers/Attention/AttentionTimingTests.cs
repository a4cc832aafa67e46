using System.Diagnostics;
using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers.Attention;

public abstract partial class AttentionSuite
{
    /// <summary>
    /// Times the HiLo layer at the paper's benchmark shape (batch 64, 14×14, dim 768, 12 heads, s = 2, α = 0.9)
    /// and each of its steps on their own (explicit: no timing asserts; run in Release).
    /// </summary>
    [Fact(Explicit = true)]
    public void HiLoBenchmarkLayerTimings()
    {
        const int Batch = 64, Side = 14, Dim = 768, Heads = 12, N = Side * Side;
        var dev = Device;
        using var layer = new HiLoAttention(dev, Dim, Heads, 2, 0.9, qkvBias: true);
        layer.InitializeRandom(1);
        layer.Prepare();
        using var x = dev.Upload(RandomFloats(new Random(2), Batch * N * Dim), Batch, N, Dim);
        double whole = TimeBest("HiLo forward", () => layer.Forward(x, Side, Side).Dispose(), 7);
        Log($"HiLo layer, batch {Batch}: {whole:F1} ms/forward, {Batch * 1000.0 / whole:F1} img/s");

        // The steps, each on its own (same buffers the layer would use).
        int hDim = layer.HiFiDim, lDim = layer.LoFiDim;
        using var qkv = dev.Allocate(Batch, N, 3 * hDim);
        using var hOut = dev.Allocate(Batch, N, hDim);
        using var q = dev.Allocate(Batch, N, lDim);
        using var pooled = dev.Allocate(Batch, 49, Dim);
        using var kv = dev.Allocate(Batch, 49, 2 * lDim);
        using var lOut = dev.Allocate(Batch, N, lDim);
        using var y = dev.Allocate(Batch, N, Dim);
        using var padKv = dev.Allocate(2 * hDim);
        dev.Stream.Fill(padKv.View, 0f);
        var wArgs = new WindowAttentionArgs
        {
            Batch = Batch, Height = Side, Width = Side, Window = 2, Heads = layer.HiFiHeads, HeadDim = layer.HeadDim,
            QkvStride = 3 * hDim, OutStride = hDim, OutOffset = 0, HasBias = 0, Scale = layer.Scale,
        };
        var gArgs = new GlobalAttentionArgs
        {
            Batch = Batch, Queries = N, Keys = 49, Heads = layer.LoFiHeads, HeadDim = layer.HeadDim,
            QStride = lDim, QOffset = 0, KvStride = 2 * lDim, KOffset = 0, VOffset = lDim, OutStride = lDim, OutOffset = 0, Scale = layer.Scale,
        };
        double total = 0;
        total += TimeBest("  h_qkv GEMM", () => layer.HQkv!.ForwardInto(x, qkv.View, 3 * hDim, 0));
        total += TimeBest("  Hi-Fi window attention", () => AttentionKernels.Window(dev.Stream, qkv.View, padKv.View, padKv.View, hOut.View, wArgs));
        total += TimeBest("  h_proj GEMM", () => layer.HProj!.ForwardInto(hOut, y.View, Dim, 0));
        total += TimeBest("  l_q GEMM", () => layer.LQ!.ForwardInto(x, q.View, lDim, 0));
        total += TimeBest("  avg pool", () => PoolKernels.AvgPool(dev.Stream, x.View, pooled.View, Batch, Side, Side, Dim, 2));
        TimeBest("  avg pool, CPU style", () => LoFiPoolKernels.AvgPool(dev.Stream, x.View, pooled.View, Batch, Side, Side, Dim, 2));
        total += TimeBest("  l_kv GEMM", () => layer.LKv!.ForwardInto(pooled, kv.View, 2 * lDim, 0));
        total += TimeBest("  Lo-Fi attention", () => AttentionKernels.Global(dev.Stream, q.View, kv.View, lOut.View, gArgs));
        using var gScratch = dev.Allocate((int)AttentionKernels.GlobalCpuScratchLength(gArgs));
        using var wScratch = dev.Allocate((int)AttentionKernels.WindowCpuScratchLength(wArgs));
        TimeBest("  Hi-Fi window attention, CPU style", () => AttentionKernels.WindowCpu(dev.Stream, qkv.View, padKv.View, padKv.View, hOut.View, wScratch.View, wArgs));
        TimeBest("  Lo-Fi attention, CPU style", () => AttentionKernels.GlobalCpu(dev.Stream, q.View, kv.View, lOut.View, gScratch.View, gArgs));
        total += TimeBest("  l_proj GEMM", () => layer.LProj!.ForwardInto(lOut, y.View, Dim, hDim));
        Log($"  sum of steps: {total:F1} ms");
    }

    private double TimeBest(string what, Action run, int repeats = 5)
    {
        run();
        Device.Synchronize();
        double best = double.MaxValue, sum = 0, bestCpu = double.MaxValue;
        using var process = Process.GetCurrentProcess();
        for (int i = 0; i < repeats; i++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            run();
            Device.Synchronize();
            double ms = sw.Elapsed.TotalMilliseconds;
            process.Refresh();
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu0).TotalMilliseconds);
            sum += ms;
            best = Math.Min(best, ms);
        }
        // On a shared machine the wall time depends on the load; the CPU time the process used (all threads) does
        // much less: half of it is the wall time the two cores would need alone.
        Log($"{what}: best {best:F2} ms, mean {sum / repeats:F2} ms; CPU time {bestCpu:F1} ms (÷2 = {bestCpu / 2:F1} ms)");
        return best;
    }
}
