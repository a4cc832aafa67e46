using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Kernels.Layers.Attention;

namespace Hilo.Ilgpu.Tests.Layers.Attention;

/// <summary>
/// The scalar attention kernels of the fixture's family: the ILGPU kernels (<see cref="AttentionKernels"/>) or the CPU
/// family's scalar twins (<see cref="AttentionCpu.WindowScalar"/>, <see cref="AttentionCpu.GlobalScalar"/>).
/// </summary>
public abstract partial class AttentionSuite
{
    private void Window(KernelDevice dev, ILGPU.ArrayView<float> qkv, ILGPU.ArrayView<float> padKv, ILGPU.ArrayView<float> bias, ILGPU.ArrayView<float> output, WindowAttentionArgs args)
    {
        if (Family == KernelFamily.Cpu)
        {
            AttentionCpu.WindowScalar(dev, qkv, padKv, bias, output, args);
        }
        else
        {
            AttentionKernels.Window(dev, qkv, padKv, bias, output, args);
        }
    }

    private void Global(KernelDevice dev, ILGPU.ArrayView<float> q, ILGPU.ArrayView<float> kv, ILGPU.ArrayView<float> output, GlobalAttentionArgs args)
    {
        if (Family == KernelFamily.Cpu)
        {
            AttentionCpu.GlobalScalar(dev, q, kv, output, args);
        }
        else
        {
            AttentionKernels.Global(dev, q, kv, output, args);
        }
    }

    /// <summary>B, H, W, window, heads, head dim, with relative position bias (0/1).</summary>
    public static TheoryData<int, int, int, int, int, int, int> WindowKernelShapes() => new()
    {
        { 1, 4, 4, 2, 1, 4, 0 },
        { 2, 5, 7, 2, 3, 5, 0 },   // padded at the bottom and right
        { 2, 6, 9, 4, 2, 8, 1 },
        { 1, 9, 10, 7, 2, 3, 1 },  // Swin's window on a padded map
        { 1, 3, 2, 1, 2, 2, 0 },   // s = 1: each token attends to itself
    };

    [Theory]
    [MemberData(nameof(WindowKernelShapes))]
    public void WindowKernelMatchesReference(int batch, int height, int width, int window, int heads, int headDim, int withBias)
    {
        int dim = heads * headDim, n = batch * height * width, area = window * window;
        var args = new WindowAttentionArgs
        {
            Batch = batch, Height = height, Width = width, Window = window, Heads = heads, HeadDim = headDim,
            QkvStride = 3 * dim + 3, OutStride = dim + 5, OutOffset = 2, HasBias = withBias, Scale = (float)Math.Pow(headDim, -0.5),
        };
        var rng = new Random(batch * 1000 + height * 100 + width * 10 + window);
        float[] qkv = RandomFloats(rng, n * args.QkvStride);
        float[] padKv = RandomFloats(rng, 2 * dim, 0.3);
        float[] bias = RandomFloats(rng, Math.Max(1, heads * area * area), 0.5);
        var dev = Device;
        using var dq = dev.Upload(qkv, qkv.Length);
        using var dp = dev.Upload(padKv, padKv.Length);
        using var db = dev.Upload(bias, bias.Length);
        using var dout = dev.Allocate(n * args.OutStride);
        double[] want = AttentionReference.WindowCore(qkv, padKv, withBias != 0 ? bias : null, args);
        Elementwise.Fill(dev.Kernels, dev.Family, dout.View, float.NaN);
        Window(dev.Kernels, dq.View, dp.View, db.View, dout.View, args);
        AssertColumns(dout.ToArray(), want, n, args.OutStride, args.OutOffset, dim, "window kernel", 2e-5);
        if (Family == KernelFamily.Ilgpu)
        {
            // The ILGPU family's other window kernel: one group per window, keys and values staged in shared memory.
            Assert.True(AttentionKernels.GroupedSupports(args));
            Elementwise.Fill(dev.Kernels, dev.Family, dout.View, float.NaN);
            AttentionKernels.WindowGrouped(dev.Kernels, dq.View, dp.View, db.View, dout.View, args);
            AssertColumns(dout.ToArray(), want, n, args.OutStride, args.OutOffset, dim, "grouped window kernel", 2e-5);
        }
    }

    /// <summary>B, N, M, heads, head dim; M = 3136 is the stage-1 MSA size (56×56 keys).</summary>
    public static TheoryData<int, int, int, int, int> GlobalKernelShapes() => new()
    {
        { 1, 1, 1, 1, 1 },
        { 2, 13, 4, 3, 5 },
        { 2, 7, 30, 2, 8 },
        { 1, 5, 3136, 2, 16 },
        { 2, 70, 100, 2, 32 },     // head dim 32 (the constant kernel): a partial second block of queries and tile of keys
        { 1, 3, 65, 1, 64 },       // the largest tiled head dim; one key past a tile
        { 1, 2, 5, 1, 65 },        // past it: the per-query kernel
    };

    [Theory]
    [MemberData(nameof(GlobalKernelShapes))]
    public void GlobalKernelMatchesReference(int batch, int queries, int keys, int heads, int headDim)
    {
        int dim = heads * headDim;
        var args = new GlobalAttentionArgs
        {
            Batch = batch, Queries = queries, Keys = keys, Heads = heads, HeadDim = headDim,
            QStride = dim + 1, QOffset = 1, KvStride = 2 * dim + 2, KOffset = dim + 2, VOffset = 0,
            OutStride = dim + 3, OutOffset = 3, Scale = (float)Math.Pow(headDim, -0.5),
        };
        var rng = new Random(batch * 7 + queries * 131 + keys);
        // Logits up to ~±20: exercises the max subtraction (exp would overflow float past ~88).
        float[] q = RandomFloats(rng, batch * queries * args.QStride, 2.0);
        float[] kv = RandomFloats(rng, batch * keys * args.KvStride, 2.0);
        var dev = Device;
        using var dq = dev.Upload(q, q.Length);
        using var dkv = dev.Upload(kv, kv.Length);
        using var dout = dev.Allocate(batch * queries * args.OutStride);
        Elementwise.Fill(dev.Kernels, dev.Family, dout.View, float.NaN);
        Global(dev.Kernels, dq.View, dkv.View, dout.View, args);
        double[] want = AttentionReference.GlobalCore(q, kv, args);
        AssertColumns(dout.ToArray(), want, batch * queries, args.OutStride, args.OutOffset, dim, "global kernel", Atol);
        if (Family == KernelFamily.Ilgpu)
        {
            // Global runs the tiled kernel up to head dim 64; the per-query kernel stays right for every head dim.
            Assert.Equal(headDim <= AttentionKernels.MaxTiledHeadDim, AttentionKernels.TiledSupports(args));
            Elementwise.Fill(dev.Kernels, dev.Family, dout.View, float.NaN);
            AttentionKernels.GlobalPerQuery(dev.Kernels, dq.View, dkv.View, dout.View, args);
            AssertColumns(dout.ToArray(), want, batch * queries, args.OutStride, args.OutOffset, dim, "per-query global kernel", Atol);
        }
    }

    [Fact]
    public void GlobalKernelSurvivesHugeLogits()
    {
        // Logits of ±1e4: a softmax without the max subtraction gives inf/inf = NaN.
        var args = new GlobalAttentionArgs { Batch = 1, Queries = 2, Keys = 3, Heads = 1, HeadDim = 1, QStride = 1, KvStride = 2, KOffset = 0, VOffset = 1, OutStride = 1, Scale = 1f };
        float[] q = [100f, -100f];
        float[] kv = [100f, 1f, 99f, 2f, -100f, 3f];
        var dev = Device;
        using var dq = dev.Upload(q, 2);
        using var dkv = dev.Upload(kv, 6);
        using var dout = dev.Allocate(2);
        Global(dev.Kernels, dq.View, dkv.View, dout.View, args);
        AssertClose(AttentionReference.GlobalCore(q, kv, args), dout.ToArray(), 1e-6, "huge logits");
    }

    [Fact]
    public void KernelLaunchersRejectShortViews()
    {
        var dev = Device;
        using var small = dev.Allocate(4);
        var w = new WindowAttentionArgs { Batch = 1, Height = 2, Width = 2, Window = 2, Heads = 1, HeadDim = 2, QkvStride = 6, OutStride = 2, Scale = 1f };
        var e = Assert.Throws<ArgumentException>(() => Window(dev.Kernels, small.View, small.View, small.View, small.View, w));
        Assert.Contains("qkv view", e.Message, StringComparison.Ordinal);
        var g = new GlobalAttentionArgs { Batch = 1, Queries = 2, Keys = 0, Heads = 1, HeadDim = 2, QStride = 2, KvStride = 4, KOffset = 0, VOffset = 2, OutStride = 2, Scale = 1f };
        Assert.Throws<ArgumentException>(() => Global(dev.Kernels, small.View, small.View, small.View, g));
    }
}
