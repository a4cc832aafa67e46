using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Kernels.Layers.Basic;

namespace Hilo.Ilgpu.Tests.Layers.Attention;

/// <summary>The CPU family's register-blocked kernels of the baselines (Swin windows, MSA/SRA global attention).</summary>
public sealed partial class AttentionCpuFamilyKernels
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
        using var scratch = dev.Allocate((int)AttentionCpu.WindowTransposedScratchLength(args));
        using var dout = dev.Allocate(n * args.OutStride);
        Elementwise.Fill(dev.Kernels, dev.Family, dout.View, float.NaN);
        AttentionCpu.WindowTransposedCpu(dev.Kernels, dq.View, dp.View, db.View, dout.View, scratch.View, args);
        double[] want = AttentionReference.WindowCore(qkv, padKv, withBias != 0 ? bias : null, args);
        AssertColumns(dout.ToArray(), want, n, args.OutStride, args.OutOffset, dim, $"transposed window kernel (per item {AttentionCpu.WindowTransposedPerItem(args)})", 2e-5);
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
        using var scratch = dev.Allocate((int)AttentionCpu.GlobalBlockedScratchLength(args));
        using var dout = dev.Allocate(batch * queries * args.OutStride);
        Elementwise.Fill(dev.Kernels, dev.Family, dout.View, float.NaN);
        AttentionCpu.GlobalBlockedCpu(dev.Kernels, dq.View, dkv.View, dout.View, scratch.View, args);
        double[] want = AttentionReference.GlobalCore(q, kv, args);
        AssertColumns(dout.ToArray(), want, batch * queries, args.OutStride, args.OutOffset, dim, $"blocked global kernel (heads per item {AttentionCpu.GlobalBlockedPerItem(args)})", Atol);
    }

    [Fact]
    public void BlockedGlobalChunksAndScratchFollowTheBatch()
    {
        // The protocol's MSA: 64 items × 12 heads in chunks of 3 heads (256 work-items), 208 key lanes.
        var msa = new GlobalAttentionArgs { Batch = 64, Queries = 196, Keys = 196, Heads = 12, HeadDim = 64 };
        Assert.Equal(3, AttentionCpu.GlobalBlockedPerItem(msa));
        Assert.Equal(64L * 4 * ((64 + 9) * 208 + 8), AttentionCpu.GlobalBlockedScratchLength(msa));
        Assert.Equal(1, AttentionCpu.GlobalBlockedPerItem(msa with { Batch = 2 }));
        var dev = Device;
        using var buffer = dev.Allocate(8192);
        var g = new GlobalAttentionArgs { Batch = 1, Queries = 2, Keys = 3, Heads = 1, HeadDim = 16, QStride = 16, KvStride = 32, KOffset = 0, VOffset = 16, OutStride = 16, Scale = 1f };
        var e = Assert.Throws<ArgumentException>(() => AttentionCpu.GlobalBlockedCpu(dev.Kernels, buffer.View, buffer.View, buffer.View, buffer.View.SubView(0, 100), g));
        Assert.Contains("scratch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TransposedWindowChunksCoverEveryPairAndRejectShortScratch()
    {
        // 64 items of 4 windows × 12 heads (the attention protocol): 4 chunks of 12 pairs, 256 work-items.
        var bench = new WindowAttentionArgs { Batch = 64, Height = 14, Width = 14, Window = 7, Heads = 12, HeadDim = 64 };
        Assert.Equal(12, AttentionCpu.WindowTransposedPerItem(bench));
        Assert.Equal(64L * 4 * ((2 * 64 + 9) * 64 + 8), AttentionCpu.WindowTransposedScratchLength(bench));
        // One item: every pair its own work-item.
        Assert.Equal(1, AttentionCpu.WindowTransposedPerItem(bench with { Batch = 1 }));

        var dev = Device;
        using var buffer = dev.Allocate(8192);
        var a = new WindowAttentionArgs { Batch = 1, Height = 2, Width = 2, Window = 2, Heads = 1, HeadDim = 16, QkvStride = 48, OutStride = 16, Scale = 1f };
        var e = Assert.Throws<ArgumentException>(() => AttentionCpu.WindowTransposedCpu(dev.Kernels, buffer.View, buffer.View, buffer.View, buffer.View, buffer.View.SubView(0, 10), a));
        Assert.Contains("scratch", e.Message, StringComparison.Ordinal);
        a.HeadDim = 8;
        a.QkvStride = 24;
        e = Assert.Throws<ArgumentException>(() => AttentionCpu.WindowTransposedCpu(dev.Kernels, buffer.View, buffer.View, buffer.View, buffer.View, buffer.View, a));
        Assert.Contains("multiple of 16", e.Message, StringComparison.Ordinal);
    }
}
