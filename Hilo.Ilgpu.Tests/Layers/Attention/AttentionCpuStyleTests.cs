using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Kernels.Layers.Attention;

namespace Hilo.Ilgpu.Tests.Layers.Attention;

/// <summary>
/// The CPU family's vector attention kernels against the float64 references, on the CPU accelerator (the only one
/// they run on); the layers that use them are tested on every accelerator by <see cref="AttentionSuite"/>.
/// </summary>
public sealed partial class AttentionCpuFamilyKernels(CpuFamilyFixture fixture) : AttentionTestBase(fixture), IClassFixture<CpuFamilyFixture>
{
    /// <summary>B, H, W, window, heads, head dim (multiples of 16), with relative position bias (0/1).</summary>
    public static TheoryData<int, int, int, int, int, int, int> CpuWindowKernelShapes() => new()
    {
        { 2, 4, 4, 2, 2, 64, 0 },
        { 1, 5, 7, 2, 3, 16, 1 },  // padded at the bottom and right
        { 1, 9, 10, 7, 2, 48, 1 }, // Swin's window on a padded map
        { 1, 3, 2, 1, 1, 32, 0 },
    };

    [Theory]
    [MemberData(nameof(CpuWindowKernelShapes))]
    public void CpuStyleWindowKernelMatchesReference(int batch, int height, int width, int window, int heads, int headDim, int withBias)
    {
        int dim = heads * headDim, n = batch * height * width, area = window * window;
        var args = new WindowAttentionArgs
        {
            Batch = batch, Height = height, Width = width, Window = window, Heads = heads, HeadDim = headDim,
            QkvStride = 3 * dim + 3, OutStride = dim + 5, OutOffset = 2, HasBias = withBias, Scale = (float)Math.Pow(headDim, -0.5),
        };
        var rng = new Random(batch * 1000 + height * 100 + width * 10 + window + headDim);
        float[] qkv = RandomFloats(rng, n * args.QkvStride);
        float[] padKv = RandomFloats(rng, 2 * dim, 0.3);
        float[] bias = RandomFloats(rng, Math.Max(1, heads * area * area), 0.5);
        var dev = Device;
        using var dq = dev.Upload(qkv, qkv.Length);
        using var dp = dev.Upload(padKv, padKv.Length);
        using var db = dev.Upload(bias, bias.Length);
        using var scratch = dev.Allocate((int)AttentionCpu.WindowCpuScratchLength(args));
        using var dout = dev.Allocate(n * args.OutStride);
        Elementwise.Fill(dev.Kernels, dev.Family, dout.View, float.NaN);
        AttentionCpu.WindowCpu(dev.Kernels, dq.View, dp.View, db.View, dout.View, scratch.View, args);
        double[] want = AttentionReference.WindowCore(qkv, padKv, withBias != 0 ? bias : null, args);
        AssertColumns(dout.ToArray(), want, n, args.OutStride, args.OutOffset, dim, "CPU-style window kernel", 2e-5);
    }

    /// <summary>B, N, M, heads, head dim (multiples of 16): 49 keys is HiLo's Lo-Fi at 14×14, s = 2.</summary>
    public static TheoryData<int, int, int, int, int> CpuGlobalKernelShapes() => new()
    {
        { 1, 1, 1, 1, 16 },
        { 2, 37, 49, 3, 64 },
        { 2, 17, 6, 2, 48 },
        { 1, 5, 3136, 1, 32 },
    };

    [Theory]
    [MemberData(nameof(CpuGlobalKernelShapes))]
    public void CpuStyleGlobalKernelMatchesReference(int batch, int queries, int keys, int heads, int headDim)
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
        using var scratch = dev.Allocate((int)AttentionCpu.GlobalCpuScratchLength(args));
        using var dout = dev.Allocate(batch * queries * args.OutStride);
        Elementwise.Fill(dev.Kernels, dev.Family, dout.View, float.NaN);
        AttentionCpu.GlobalCpu(dev.Kernels, dq.View, dkv.View, dout.View, scratch.View, args);
        double[] want = AttentionReference.GlobalCore(q, kv, args);
        AssertColumns(dout.ToArray(), want, batch * queries, args.OutStride, args.OutOffset, dim, "CPU-style global kernel", Atol);
    }

    [Fact]
    public void CpuStyleLaunchersRejectUnsupportedHeadDimsAndShortScratch()
    {
        var dev = Device;
        using var buffer = dev.Allocate(4096);
        var g = new GlobalAttentionArgs { Batch = 1, Queries = 2, Keys = 3, Heads = 1, HeadDim = 8, QStride = 8, KvStride = 16, KOffset = 0, VOffset = 8, OutStride = 8, Scale = 1f };
        var e = Assert.Throws<ArgumentException>(() => AttentionCpu.GlobalCpu(dev.Kernels, buffer.View, buffer.View, buffer.View, buffer.View, g));
        Assert.Contains("multiple of 16", e.Message, StringComparison.Ordinal);
        g.HeadDim = 16;
        g.QStride = 16;
        g.KvStride = 32;
        g.VOffset = 16;
        g.OutStride = 16;
        e = Assert.Throws<ArgumentException>(() => AttentionCpu.GlobalCpu(dev.Kernels, buffer.View, buffer.View, buffer.View, buffer.View.SubView(0, 2), g));
        Assert.Contains("scratch", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>
/// The CPU family's vector attention kernels against the float64 references, on the CPU accelerator (the only one
/// they run on); the layers that use them are tested on every accelerator by <see cref="AttentionSuite"/>.
/// </summary>
public sealed partial class AttentionCpuFamilyKernels
{
    [Theory]
    [InlineData(2, 5, 7, 16, 2)]
    [InlineData(1, 14, 14, 48, 2)]
    [InlineData(3, 4, 9, 32, 3)]
    [InlineData(1, 3, 2, 16, 1)]
    public void CpuStylePoolMatchesScalarPoolExactly(int batch, int height, int width, int channels, int s)
    {
        var dev = Device;
        var (outH, outW) = Hilo.Ilgpu.Kernels.Layers.Conv.PoolKernels.OutputSize(height, width, s);
        float[] x = RandomFloats(new Random(height * 31 + width + s), batch * height * width * channels);
        using var dx = dev.Upload(x, x.Length);
        using var a = dev.Allocate(batch * outH * outW * channels);
        using var b = dev.Allocate(batch * outH * outW * channels);
        // The ILGPU kernel (one thread per output value) and the CPU family's (16 channels per step) sum in the same order.
        Hilo.Ilgpu.Kernels.Layers.Conv.PoolKernels.AvgPool(dev.Kernels, KernelFamily.Ilgpu, dx.View, a.View, batch, height, width, channels, s);
        Hilo.Ilgpu.Kernels.Layers.Conv.PoolKernels.AvgPool(dev.Kernels, KernelFamily.Cpu, dx.View, b.View, batch, height, width, channels, s);
        Assert.Equal(a.ToArray(), b.ToArray());
    }
}
