using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Tests.Layers.Attention;

/// <summary>
/// The baseline attention layers (MSA, SRA, local window) on their CPU-style path: head dims that are multiples of
/// 16 (the CPU-style kernels on cpu and PoCL; the scalar/tiled ones on GPUs), against the float64 references.
/// Head dims that are not multiples of 16 (the scalar fallback) are covered by AttentionPropertyTests.
/// </summary>
public abstract partial class AttentionSuite
{
    /// <summary>B, H, W, window, heads, head dim, with relative position bias (0/1): Swin's 7×7 and odd windows.</summary>
    public static TheoryData<int, int, int, int, int, int, int> TransposedWindowKernelShapes() => new()
    {
        { 2, 14, 14, 7, 2, 64, 0 },
        { 1, 9, 10, 7, 3, 32, 1 },  // padded at the bottom and right
        { 40, 9, 10, 7, 3, 16, 1 }, // 12 (head, window) pairs per item: two per work-item
        { 64, 7, 15, 7, 5, 16, 0 }, // 15 pairs per item in chunks of 4: the last chunk is short
        { 1, 5, 7, 2, 3, 16, 1 },
        { 2, 3, 2, 1, 1, 48, 0 },   // s = 1
        { 1, 11, 6, 5, 2, 16, 1 },  // 25 keys: two key vectors, the second mostly padding lanes
    };

    [Theory]
    [MemberData(nameof(TransposedWindowKernelShapes))]
    public void TransposedWindowKernelMatchesReference(int batch, int height, int width, int window, int heads, int headDim, int withBias)
    {
        int dim = heads * headDim, n = batch * height * width, area = window * window;
        var args = new WindowAttentionArgs
        {
            Batch = batch, Height = height, Width = width, Window = window, Heads = heads, HeadDim = headDim,
            QkvStride = 3 * dim + 3, OutStride = dim + 5, OutOffset = 2, HasBias = withBias, Scale = (float)Math.Pow(headDim, -0.5),
        };
        var rng = new Random(batch * 1000 + height * 100 + width * 10 + window + headDim);
        float[] qkv = RandomFloats(rng, n * args.QkvStride, 1.5);
        float[] padKv = RandomFloats(rng, 2 * dim, 0.3);
        float[] bias = RandomFloats(rng, Math.Max(1, heads * area * area), 0.5);
        var dev = Device;
        using var dq = dev.Upload(qkv, qkv.Length);
        using var dp = dev.Upload(padKv, padKv.Length);
        using var db = dev.Upload(bias, bias.Length);
        using var scratch = dev.Allocate((int)AttentionKernels.WindowTransposedScratchLength(args));
        using var dout = dev.Allocate(n * args.OutStride);
        dev.Stream.Fill(dout.View, float.NaN);
        AttentionKernels.WindowTransposedCpu(dev.Stream, dq.View, dp.View, db.View, dout.View, scratch.View, args);
        double[] want = AttentionReference.WindowCore(qkv, padKv, withBias != 0 ? bias : null, args);
        AssertColumns(dout.ToArray(), want, n, args.OutStride, args.OutOffset, dim, $"transposed window kernel (per item {AttentionKernels.WindowTransposedPerItem(args)})", 2e-5);
    }

    /// <summary>B, N, M, heads, head dim: query counts not multiples of 8, key counts around 16 and 32 lanes.</summary>
    public static TheoryData<int, int, int, int, int> BlockedGlobalKernelShapes() => new()
    {
        { 2, 196, 196, 2, 64 },  // the protocol's MSA: 13 key vectors (6 pairs and a single)
        { 3, 37, 49, 3, 48 },    // 49 keys (SRA); d = 48: one 32-channel step and a 16-channel one
        { 1, 1, 1, 1, 16 },
        { 2, 17, 6, 2, 16 },
        { 1, 9, 32, 1, 32 },     // exactly two key vectors, no padding lane
        { 1, 5, 3136, 1, 32 },
        { 100, 11, 7, 5, 16 },   // 5 heads of 100 items: chunks of 2 heads, the last one short
    };

    [Theory]
    [MemberData(nameof(BlockedGlobalKernelShapes))]
    public void BlockedGlobalKernelMatchesReference(int batch, int queries, int keys, int heads, int headDim)
    {
        int dim = heads * headDim;
        var args = new GlobalAttentionArgs
        {
            Batch = batch, Queries = queries, Keys = keys, Heads = heads, HeadDim = headDim,
            QStride = dim + 1, QOffset = 1, KvStride = 2 * dim + 2, KOffset = dim + 2, VOffset = 0,
            OutStride = dim + 3, OutOffset = 3, Scale = (float)Math.Pow(headDim, -0.5),
        };
        var rng = new Random(batch * 7 + queries * 131 + keys + headDim);
        float[] q = RandomFloats(rng, batch * queries * args.QStride, 2.0);
        float[] kv = RandomFloats(rng, batch * keys * args.KvStride, 2.0);
        var dev = Device;
        using var dq = dev.Upload(q, q.Length);
        using var dkv = dev.Upload(kv, kv.Length);
        using var scratch = dev.Allocate((int)AttentionKernels.GlobalBlockedScratchLength(args));
        using var dout = dev.Allocate(batch * queries * args.OutStride);
        dev.Stream.Fill(dout.View, float.NaN);
        AttentionKernels.GlobalBlockedCpu(dev.Stream, dq.View, dkv.View, dout.View, scratch.View, args);
        double[] want = AttentionReference.GlobalCore(q, kv, args);
        AssertColumns(dout.ToArray(), want, batch * queries, args.OutStride, args.OutOffset, dim, $"blocked global kernel (heads per item {AttentionKernels.GlobalBlockedPerItem(args)})", Atol);
    }

    [Fact]
    public void BlockedGlobalChunksAndScratchFollowTheBatch()
    {
        // The protocol's MSA: 64 items × 12 heads in chunks of 3 heads (256 work-items), 208 key lanes.
        var msa = new GlobalAttentionArgs { Batch = 64, Queries = 196, Keys = 196, Heads = 12, HeadDim = 64 };
        Assert.Equal(3, AttentionKernels.GlobalBlockedPerItem(msa));
        Assert.Equal(64L * 4 * ((64 + 9) * 208 + 8), AttentionKernels.GlobalBlockedScratchLength(msa));
        Assert.Equal(1, AttentionKernels.GlobalBlockedPerItem(msa with { Batch = 2 }));
        var dev = Device;
        using var buffer = dev.Allocate(8192);
        var g = new GlobalAttentionArgs { Batch = 1, Queries = 2, Keys = 3, Heads = 1, HeadDim = 16, QStride = 16, KvStride = 32, KOffset = 0, VOffset = 16, OutStride = 16, Scale = 1f };
        var e = Assert.Throws<ArgumentException>(() => AttentionKernels.GlobalBlockedCpu(dev.Stream, buffer.View, buffer.View, buffer.View, buffer.View.SubView(0, 100), g));
        Assert.Contains("scratch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TransposedWindowChunksCoverEveryPairAndRejectShortScratch()
    {
        // 64 items of 4 windows × 12 heads (the attention protocol): 4 chunks of 12 pairs, 256 work-items.
        var bench = new WindowAttentionArgs { Batch = 64, Height = 14, Width = 14, Window = 7, Heads = 12, HeadDim = 64 };
        Assert.Equal(12, AttentionKernels.WindowTransposedPerItem(bench));
        Assert.Equal(64L * 4 * ((2 * 64 + 9) * 64 + 8), AttentionKernels.WindowTransposedScratchLength(bench));
        // One item: every pair its own work-item.
        Assert.Equal(1, AttentionKernels.WindowTransposedPerItem(bench with { Batch = 1 }));

        var dev = Device;
        using var buffer = dev.Allocate(8192);
        var a = new WindowAttentionArgs { Batch = 1, Height = 2, Width = 2, Window = 2, Heads = 1, HeadDim = 16, QkvStride = 48, OutStride = 16, Scale = 1f };
        var e = Assert.Throws<ArgumentException>(() => AttentionKernels.WindowTransposedCpu(dev.Stream, buffer.View, buffer.View, buffer.View, buffer.View, buffer.View.SubView(0, 10), a));
        Assert.Contains("scratch", e.Message, StringComparison.Ordinal);
        a.HeadDim = 8;
        a.QkvStride = 24;
        e = Assert.Throws<ArgumentException>(() => AttentionKernels.WindowTransposedCpu(dev.Stream, buffer.View, buffer.View, buffer.View, buffer.View, buffer.View, a));
        Assert.Contains("multiple of 16", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, 14, 14, 128, 2, true)]  // 196 tokens: the protocol's MSA (13 key vectors, the last 4 lanes real)
    [InlineData(3, 5, 7, 48, 3, false)]    // 35 tokens
    [InlineData(1, 13, 15, 64, 2, true)]   // 195 tokens
    [InlineData(2, 1, 1, 16, 1, true)]     // a single token
    public void MsaCpuStyleHeadDimsMatchFloat64Reference(int batch, int height, int width, int dim, int heads, bool qkvBias)
    {
        using var layer = new MultiHeadAttention(Device, dim, heads, qkvBias);
        LogRoute(layer.HeadDim);
        int n = height * width;
        var (x, p) = RandomCase(layer, batch * n * dim, n + dim + 7);
        double[] want = AttentionReference.Msa(x.Data.Select(v => (double)v).ToArray(), batch, n, dim, heads, p);
        CheckForward(x, [batch, n, dim], t => layer.Forward(t, height, width), want, $"MSA {batch}x{n} dim {dim} heads {heads}");
    }

    [Theory]
    [InlineData(2, 14, 14, 128, 2, 2, true)]  // 49 keys, as the protocol's SRA
    [InlineData(3, 7, 9, 48, 3, 2, false)]    // 12 keys from an odd map (the conv floors)
    [InlineData(1, 10, 13, 32, 1, 3, true)]   // 12 keys, r = 3
    [InlineData(2, 5, 6, 32, 2, 1, true)]     // r = 1: 30 keys, no reduction
    public void SraCpuStyleHeadDimsMatchFloat64Reference(int batch, int height, int width, int dim, int heads, int srRatio, bool qkvBias)
    {
        using var layer = new SpatialReductionAttention(Device, dim, heads, qkvBias, srRatio);
        LogRoute(layer.HeadDim);
        var (x, p) = RandomCase(layer, batch * height * width * dim, height * width + srRatio + 3);
        double[] want = AttentionReference.Sra(x.Data.Select(v => (double)v).ToArray(), batch, height, width, dim, heads, srRatio, p);
        CheckForward(x, [batch, height * width, dim], t => layer.Forward(t, height, width), want, $"SRA {batch}x{height}x{width} dim {dim} r {srRatio}");
    }

    [Theory]
    [InlineData(2, 14, 14, 128, 2, 7, false)] // the protocol's local window: 4 full windows
    [InlineData(2, 14, 14, 64, 4, 7, true)]   // with Swin's relative position bias
    [InlineData(3, 9, 10, 48, 3, 7, true)]    // padded windows, bias, batch 3
    [InlineData(1, 5, 6, 32, 2, 3, true)]
    [InlineData(2, 4, 5, 16, 1, 1, false)]    // s = 1
    public void WindowAttentionCpuStyleHeadDimsMatchFloat64Reference(int batch, int height, int width, int dim, int heads, int window, bool bias)
    {
        using var layer = new WindowAttention(Device, dim, heads, window, qkvBias: true, relativePositionBias: bias);
        LogRoute(layer.HeadDim);
        var (x, p) = RandomCase(layer, batch * height * width * dim, height * 17 + width + dim);
        double[] want = AttentionReference.WindowAttention(x.Data.Select(v => (double)v).ToArray(), batch, height, width, dim, heads, window, p);
        CheckForward(x, [batch, height * width, dim], t => layer.Forward(t, height, width), want, $"window {batch}x{height}x{width} dim {dim} s {window} bias {bias}");
    }

    /// <summary>
    /// The layers keep intermediates across calls: forwards of other shapes in between must neither change an
    /// output already returned nor leave stale data in the next one.
    /// </summary>
    [Fact]
    public void BaselinesReuseBuffersAcrossShapesWithoutAliasingOutputs()
    {
        const int Dim = 32, Heads = 2;
        var dev = Device;
        using var msa = new MultiHeadAttention(dev, Dim, Heads, qkvBias: true);
        using var sra = new SpatialReductionAttention(dev, Dim, Heads, qkvBias: true, srRatio: 2);
        using var window = new WindowAttention(dev, Dim, Heads, 7, qkvBias: true, relativePositionBias: true);
        (int Batch, int H, int W)[] shapes = [(2, 9, 8), (1, 14, 14), (2, 9, 8), (3, 4, 6)];
        foreach (var (module, seed) in new (Module, int)[] { (msa, 1), (sra, 2), (window, 3) })
        {
            var (_, p) = RandomCase(module, 1, seed);
            var outputs = new List<(Tensor Y, double[] Want, string What)>();
            try
            {
                foreach (var (batch, h, w) in shapes)
                {
                    float[] x = RandomFloats(new Random(batch * 100 + h * 10 + w), batch * h * w * Dim);
                    double[] xd = Array.ConvertAll(x, v => (double)v);
                    using var input = dev.Upload(x, batch, h * w, Dim);
                    var (y, want) = module switch
                    {
                        MultiHeadAttention m => (m.Forward(input, h, w), AttentionReference.Msa(xd, batch, h * w, Dim, Heads, p)),
                        SpatialReductionAttention s => (s.Forward(input, h, w), AttentionReference.Sra(xd, batch, h, w, Dim, Heads, 2, p)),
                        WindowAttention a => (a.Forward(input, h, w), AttentionReference.WindowAttention(xd, batch, h, w, Dim, Heads, 7, p)),
                        _ => throw new InvalidOperationException(),
                    };
                    outputs.Add((y, want, $"{module.GetType().Name} {batch}x{h}x{w}"));
                }
                // Checked after all forwards: the earlier outputs were not overwritten by the later calls.
                foreach (var (y, want, what) in outputs)
                {
                    AssertClose(want, y.ToArray(), Atol, what);
                }
            }
            finally
            {
                outputs.ForEach(o => o.Y.Dispose());
            }
        }
    }

    private void LogRoute(int headDim) =>
        Log($"{Device.Style} style, head dim {headDim}: {(Device.Style == KernelStyle.Cpu && AttentionKernels.CpuStyleSupports(headDim) ? "CPU-style kernels" : "scalar kernels")}");
}
