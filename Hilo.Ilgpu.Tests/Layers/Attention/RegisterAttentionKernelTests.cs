using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Layers.Attention;

/// <summary>
/// The head-dim-32 attention kernels that keep q and the output row in registers (<see cref="AttentionKernels.GlobalAttentionFlash32"/>,
/// <see cref="AttentionKernels.WindowAttentionPacked32"/>) against the float64 references, on shapes that leave partial
/// blocks, tiles, chunks and windows. ILGPU kernels only: one subclass per ILGPU accelerator.
/// </summary>
public abstract class RegisterAttentionKernelSuite(DeviceFixture fixture) : AttentionTestBase(fixture)
{
    private const int D = 32;

    /// <summary>B, N, M, heads (head dim 32).</summary>
    public static TheoryData<int, int, int, int> FlashShapes() => new()
    {
        { 1, 1, 1, 1 },      // one query, one key: a chunk of 1 real key and 3 zero rows
        { 2, 33, 101, 3 },   // one query past a block of 32; 101 keys = 3 tiles of 32 and one of 5 (chunk padded to 8)
        { 3, 70, 49, 2 },    // HiLo Lo-Fi's 7×7 pooled keys; a partial third block of queries
        { 1, 32, 64, 1 },    // exact multiples
        { 2, 5, 3, 2 },      // fewer keys than a chunk
    };

    [Theory]
    [MemberData(nameof(FlashShapes))]
    public void FlashGlobalKernelMatchesReference(int batch, int queries, int keys, int heads)
    {
        var args = GlobalArgs(batch, queries, keys, heads);
        var rng = new Random(batch * 7 + queries * 131 + keys);
        // Logits up to ~±20 (sigma 2): the max subtraction and the rescale between chunks matter.
        float[] q = RandomFloats(rng, batch * queries * args.QStride, 2.0);
        float[] kv = RandomFloats(rng, batch * keys * args.KvStride, 2.0);
        double[] want = AttentionReference.GlobalCore(q, kv, args);
        RunGlobal(q, kv, args, want, AttentionKernels.GlobalFlash, "flash global kernel");
        // Global picks it for head dim 32; the general tiled kernel still takes head dim 32 too.
        Assert.True(AttentionKernels.FlashSupports(args));
        RunGlobal(q, kv, args, want, AttentionKernels.Global, "Global (head dim 32)");
        RunGlobal(q, kv, args, want, AttentionKernels.GlobalTiled, "general tiled global kernel");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FlashGlobalKernelRescalesWhenTheMaximumGrows(bool rising)
    {
        // Key m is q's direction times (m − 20)/4 (or its reverse): logits run monotonically over ±300, so every chunk
        // of a rising run brings a new maximum (the rescale) and a falling run none after the first; without the max
        // subtraction exp overflows.
        var args = GlobalArgs(1, 3, 45, 1);
        var rng = new Random(5);
        float[] q = RandomFloats(rng, 3 * args.QStride);
        var kv = new float[45 * args.KvStride];
        for (int m = 0; m < 45; m++)
        {
            float t = (rising ? m - 20 : 24 - m) / 4f;
            for (int j = 0; j < D; j++)
            {
                kv[m * args.KvStride + args.KOffset + j] = t * q[args.QOffset + j];
                kv[m * args.KvStride + args.VOffset + j] = (float)rng.NextDouble();
            }
        }
        RunGlobal(q, kv, args, AttentionReference.GlobalCore(q, kv, args), AttentionKernels.GlobalFlash, rising ? "rising logits" : "falling logits");
    }

    /// <summary>B, H, W, window, heads, with relative position bias (0/1) (head dim 32).</summary>
    public static TheoryData<int, int, int, int, int, int> PackedShapes() => new()
    {
        { 2, 5, 7, 2, 3, 0 },  // HiLo Hi-Fi's 2×2: 12 windows (some padded) in one group of 16
        { 1, 9, 9, 2, 2, 1 },  // 25 windows: a full group and a partial one
        { 2, 7, 8, 3, 2, 1 },  // s = 3: 7 windows a group, 12 slots each (3 zero slots)
        { 1, 6, 6, 5, 1, 1 },  // s = 5: 2 windows a group, 28 slots each
        { 1, 9, 10, 7, 1, 1 }, // Swin's 7×7 on a padded map: 49 of 64 lanes
        { 1, 8, 8, 8, 2, 0 },  // s = 8: 64 queries, one window a group
    };

    [Theory]
    [MemberData(nameof(PackedShapes))]
    public void PackedWindowKernelMatchesReference(int batch, int height, int width, int window, int heads, int withBias)
    {
        int dim = heads * D, n = batch * height * width, area = window * window;
        var args = new WindowAttentionArgs
        {
            Batch = batch, Height = height, Width = width, Window = window, Heads = heads, HeadDim = D,
            QkvStride = 3 * dim + 3, OutStride = dim + 5, OutOffset = 2, HasBias = withBias, Scale = (float)Math.Pow(D, -0.5),
        };
        var rng = new Random(batch * 1000 + height * 100 + width * 10 + window);
        float[] qkv = RandomFloats(rng, n * args.QkvStride, 1.5);
        float[] padKv = RandomFloats(rng, 2 * dim, 0.3);
        float[] bias = RandomFloats(rng, heads * area * area, 0.5);
        double[] want = AttentionReference.WindowCore(qkv, padKv, withBias != 0 ? bias : null, args);
        var dev = Device;
        using var dq = dev.Upload(qkv, qkv.Length);
        using var dp = dev.Upload(padKv, padKv.Length);
        using var db = dev.Upload(bias, bias.Length);
        using var dout = dev.Allocate(n * args.OutStride);
        Assert.True(AttentionKernels.PackedSupports(args));
        foreach (var (run, what) in new (WindowLauncher, string)[] { (AttentionKernels.WindowPacked, "packed window kernel"), (AttentionKernels.WindowShared, "WindowShared (head dim 32)") })
        {
            Elementwise.Fill(dev.Kernels, dev.Family, dout.View, float.NaN);
            run(dev.Kernels, dq.View, dp.View, db.View, dout.View, args);
            AssertColumns(dout.ToArray(), want, n, args.OutStride, args.OutOffset, dim, what, 2e-5);
        }
    }

    [Fact]
    public void RegisterKernelLaunchersRejectOtherGeometriesByName()
    {
        var dev = Device;
        using var buf = dev.Allocate(4096);
        var g = GlobalArgs(1, 2, 2, 1) with { HeadDim = 16, QStride = 16, KvStride = 32, KOffset = 0, VOffset = 16, OutStride = 16, OutOffset = 0 };
        var e = Assert.Throws<ArgumentException>(() => AttentionKernels.GlobalFlash(dev.Kernels, buf.View, buf.View, buf.View, g));
        Assert.Contains("head dim 16 is not 32", e.Message, StringComparison.Ordinal);
        var w = new WindowAttentionArgs { Batch = 1, Height = 2, Width = 2, Window = 1, Heads = 1, HeadDim = D, QkvStride = 96, OutStride = 32, Scale = 1f };
        Assert.False(AttentionKernels.PackedSupports(w));
        e = Assert.Throws<ArgumentException>(() => AttentionKernels.WindowPacked(dev.Kernels, buf.View, buf.View, buf.View, buf.View, w));
        Assert.Contains("several windows per group", e.Message, StringComparison.Ordinal);
        Assert.False(AttentionKernels.PackedSupports(w with { Window = 9 }));
        Assert.False(AttentionKernels.PackedSupports(w with { Window = 2, HeadDim = 16 }));
        Assert.True(AttentionKernels.SharedSupports(w with { Window = 2, HeadDim = 16 }));
    }

    private delegate void GlobalLauncher(KernelDevice device, ILGPU.ArrayView<float> q, ILGPU.ArrayView<float> kv, ILGPU.ArrayView<float> output, GlobalAttentionArgs args);

    private delegate void WindowLauncher(KernelDevice device, ILGPU.ArrayView<float> qkv, ILGPU.ArrayView<float> padKv, ILGPU.ArrayView<float> bias, ILGPU.ArrayView<float> output, WindowAttentionArgs args);

    // q, k and v strided with column offsets, as the layers pass them; the output slice inside wider rows.
    private static GlobalAttentionArgs GlobalArgs(int batch, int queries, int keys, int heads)
    {
        int dim = heads * D;
        return new GlobalAttentionArgs
        {
            Batch = batch, Queries = queries, Keys = keys, Heads = heads, HeadDim = D,
            QStride = dim + 1, QOffset = 1, KvStride = 2 * dim + 2, KOffset = dim + 2, VOffset = 0,
            OutStride = dim + 3, OutOffset = 3, Scale = (float)Math.Pow(D, -0.5),
        };
    }

    private void RunGlobal(float[] q, float[] kv, GlobalAttentionArgs args, double[] want, GlobalLauncher run, string what)
    {
        var dev = Device;
        using var dq = dev.Upload(q, q.Length);
        using var dkv = dev.Upload(kv, kv.Length);
        using var dout = dev.Allocate(args.Batch * args.Queries * args.OutStride);
        Elementwise.Fill(dev.Kernels, dev.Family, dout.View, float.NaN);
        run(dev.Kernels, dq.View, dkv.View, dout.View, args);
        AssertColumns(dout.ToArray(), want, args.Batch * args.Queries, args.OutStride, args.OutOffset, args.Heads * args.HeadDim, what, Atol);
    }
}

public sealed class IlgpuCpuRegisterAttentionKernels(IlgpuCpuFixture fixture) : RegisterAttentionKernelSuite(fixture), IClassFixture<IlgpuCpuFixture>;

public sealed class OpenCLRegisterAttentionKernels(OpenCLFixture fixture) : RegisterAttentionKernelSuite(fixture), IClassFixture<OpenCLFixture>;

public sealed class CudaRegisterAttentionKernels(CudaFixture fixture) : RegisterAttentionKernelSuite(fixture), IClassFixture<CudaFixture>;
