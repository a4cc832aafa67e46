using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// Swin local-window attention (W-MSA, no shift): tokens attend inside non-overlapping s×s windows (s = 7 by
/// default), with an optional learned relative position bias. Parameters <c>qkv</c>, <c>proj</c> and, with the
/// bias, <c>relative_position_bias_table</c> [(2s−1)², heads] plus the buffer <c>relative_position_index</c>
/// [s², s²] that Swin checkpoints carry (stored as int64; loaded and used as given). Maps not divisible by s are
/// zero-padded at the bottom/right and the output cropped, as Swin's detection backbone does with shift 0 (no
/// mask: padded tokens' keys and values are the qkv biases). With the CPU family (head dim a multiple of 16; other head dims: its scalar kernel) it
/// runs the CPU-family window kernel with transposed keys; the qkv output, the attended tokens and the kernel's
/// scratch are kept across calls.
/// </summary>
public sealed class WindowAttention : Module
{
    private readonly WorkBuffers buffers;
    private readonly Parameter? table;
    private readonly Parameter? index;
    private Tensor? paddedKv;
    private Tensor? bias;

    /// <summary>Creates the layer; weights are zero until loaded or initialised.</summary>
    /// <param name="device">The device to run on.</param>
    /// <param name="dim">Channels C (a multiple of <paramref name="numHeads"/>).</param>
    /// <param name="numHeads">Heads.</param>
    /// <param name="windowSize">Window side s.</param>
    /// <param name="qkvBias">Whether <c>qkv</c> has a bias.</param>
    /// <param name="relativePositionBias">Whether the layer has Swin's relative position bias table.</param>
    public WindowAttention(ComputeDevice device, int dim, int numHeads, int windowSize = 7, bool qkvBias = true, bool relativePositionBias = false)
        : base(device)
    {
        HeadDim = AttentionChecks.HeadDim(nameof(WindowAttention), dim, numHeads);
        if (windowSize < 1)
        {
            throw new ArgumentException($"{nameof(WindowAttention)}: window size must be at least 1, got {windowSize}.", nameof(windowSize));
        }
        Dim = dim;
        NumHeads = numHeads;
        WindowSize = windowSize;
        Scale = AttentionChecks.Scale(HeadDim);
        buffers = new WorkBuffers(device);
        if (relativePositionBias)
        {
            int side = 2 * windowSize - 1;
            table = AddParameter("relative_position_bias_table", side * side, numHeads);
            index = AddConstantBuffer("relative_position_index", RelativePositionIndex(windowSize));
        }
        Qkv = AddChild("qkv", new Linear(device, dim, 3 * dim, qkvBias));
        Proj = AddChild("proj", new Linear(device, dim, dim, true));
    }

    /// <summary>Channels C.</summary>
    public int Dim { get; }

    /// <summary>Heads.</summary>
    public int NumHeads { get; }

    /// <summary>Channels per head.</summary>
    public int HeadDim { get; }

    /// <summary>Window side s.</summary>
    public int WindowSize { get; }

    /// <summary>Whether the layer adds a relative position bias.</summary>
    public bool HasRelativePositionBias => table is not null;

    /// <summary>The logit scale, head_dim^-0.5.</summary>
    public float Scale { get; }

    /// <summary><c>qkv</c> (C → 3C).</summary>
    public Linear Qkv { get; }

    /// <summary><c>proj</c> (C → C).</summary>
    public Linear Proj { get; }

    /// <summary>
    /// Swin's index into the bias table: entry (i, j) for query i and key j of a window (row-major positions) is
    /// <c>(yi − yj + s − 1)·(2s − 1) + (xi − xj + s − 1)</c>.
    /// </summary>
    public static HostTensor RelativePositionIndex(int windowSize)
    {
        int area = windowSize * windowSize, side = 2 * windowSize - 1;
        var data = new float[area * area];
        for (int i = 0; i < area; i++)
        {
            for (int j = 0; j < area; j++)
            {
                int dy = i / windowSize - j / windowSize, dx = i % windowSize - j % windowSize;
                data[i * area + j] = (dy + windowSize - 1) * side + dx + windowSize - 1;
            }
        }
        return new HostTensor([area, area], data);
    }

    /// <summary>Applies the layer to <paramref name="x"/> (B × H·W × C) over an H×W map; returns a new B × H·W × C tensor.</summary>
    public Tensor Forward(Tensor x, int height, int width)
    {
        int batch = AttentionChecks.TokenMap(nameof(WindowAttention), x, Dim, height, width);
        EnsurePrepared();
        var qkv = buffers.Get("qkv", batch, height * width, 3 * Dim);
        Qkv.ForwardInto(x, qkv.View, 3 * Dim, 0);
        var attended = buffers.Get("attended", batch, height * width, Dim);
        var args = new WindowAttentionArgs
        {
            Batch = batch, Height = height, Width = width, Window = WindowSize, Heads = NumHeads, HeadDim = HeadDim,
            QkvStride = 3 * Dim, OutStride = Dim, OutOffset = 0, HasBias = bias is null ? 0 : 1, Scale = Scale,
        };
        var biasView = (bias ?? paddedKv!).View;
        if (Device.Family == KernelFamily.Cpu && AttentionCpu.VectorSupports(HeadDim))
        {
            var scratch = buffers.Get("scratch", checked((int)AttentionCpu.WindowTransposedScratchLength(args)));
            AttentionCpu.WindowTransposedCpu(Device.Kernels, qkv.View, paddedKv!.View, biasView, attended.View, scratch.View, args);
        }
        else if (Device.Family == KernelFamily.Cpu)
        {
            AttentionCpu.WindowScalar(Device.Kernels, qkv.View, paddedKv!.View, biasView, attended.View, args);
        }
        else if (AttentionKernels.SharedSupports(args))
        {
            // Keys staged in shared memory, read coalesced (WindowAttentionPacked32 for head dim 32, Swin's).
            AttentionKernels.WindowShared(Device.Kernels, qkv.View, paddedKv!.View, biasView, attended.View, args);
        }
        else
        {
            AttentionKernels.Window(Device.Kernels, qkv.View, paddedKv!.View, biasView, attended.View, args);
        }
        return Proj.Forward(attended);
    }

    /// <inheritdoc />
    protected override void DisposeCore() => buffers.Dispose();

    /// <inheritdoc />
    protected override void PrepareCore()
    {
        paddedKv = Upload(AttentionChecks.PaddedKv(Qkv, Dim), 2 * Dim);
        bias = table is null ? null : Upload(GatherBias(), NumHeads, WindowSize * WindowSize, WindowSize * WindowSize);
    }

    // bias[h, i, j] = table[index[i, j], h]: the per-head [s², s²] bias the kernel adds to the logits.
    private float[] GatherBias()
    {
        int area = WindowSize * WindowSize, rows = table!.Shape[0];
        float[] idx = index!.Value.Data, values = table.Value.Data;
        var gathered = new float[NumHeads * area * area];
        for (int e = 0; e < area * area; e++)
        {
            float v = idx[e];
            if (!(v >= 0 && v < rows) || v != MathF.Floor(v))
            {
                throw new InvalidDataException($"{nameof(WindowAttention)}: relative_position_index[{e / area}, {e % area}] = {v} is not an index into the {rows}-row bias table.");
            }
            for (int h = 0; h < NumHeads; h++)
            {
                gathered[h * area * area + e] = values[(int)v * NumHeads + h];
            }
        }
        return gathered;
    }
}
