using Hilo.Ilgpu.Kernels.Layers.Basic;
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
        Log($"{Device.Family} style, head dim {headDim}: {(Device.Family == KernelFamily.Cpu && AttentionCpu.VectorSupports(headDim) ? "CPU-style kernels" : "scalar kernels")}");
}
