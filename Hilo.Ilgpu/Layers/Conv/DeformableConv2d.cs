using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// A deformable convolution with kernel = stride = k, no padding, dilation 1, on a channels-last token map
/// (B × H·W × Cin → B × ⌊H/k⌋·⌊W/k⌋ × Cout): tap (i, j) of output (oy, ox) reads the map bilinearly at
/// (oy·k + i + Δy, ox·k + j + Δx), zero outside (DCN/torchvision rule), with Δy, Δx the offset channels 2t, 2t + 1
/// of tap t = i·k + j. Parameters <c>weight</c> [Cout, Cin, k, k] and <c>bias</c> [Cout]; with learned offsets
/// (mmcv/DCN's <c>DeformConv2dPack</c>, as in LITv2's DTM) also the child <c>conv_offset</c>, a
/// <see cref="PatchConv2d"/> Cin → 2k² that computes the offsets from the input.
/// Runs as a bilinear gather into a [B·Ho·Wo, k²·Cin] matrix and a GEMM with the reordered weight.
/// </summary>
public sealed class DeformableConv2d : Module
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private Tensor? gemmWeight;
    private Tensor? gemmBias;

    /// <summary>Creates the convolution.</summary>
    /// <param name="device">The device it runs on.</param>
    /// <param name="inChannels">Cin.</param>
    /// <param name="outChannels">Cout.</param>
    /// <param name="kernelSize">k: kernel size and stride (2 in LITv2).</param>
    /// <param name="learnedOffsets">Whether the layer owns the offset conv <c>conv_offset</c> (DeformConv2dPack).</param>
    /// <param name="family">Kernel variant; default the device's <see cref="ComputeDevice.Family"/>.</param>
    public DeformableConv2d(ComputeDevice device, int inChannels, int outChannels, int kernelSize = 2, bool learnedOffsets = true, KernelFamily? family = null) : base(device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Family = family ?? device.Family;
        weight = AddParameter("weight", outChannels, inChannels, kernelSize, kernelSize);
        bias = AddParameter("bias", outChannels);
        if (learnedOffsets)
        {
            ConvOffset = AddChild("conv_offset", new PatchConv2d(device, inChannels, OffsetChannels, kernelSize, bias: true, family: Family));
        }
    }

    /// <summary>Cin.</summary>
    public int InChannels { get; }

    /// <summary>Cout.</summary>
    public int OutChannels { get; }

    /// <summary>k: kernel size and stride.</summary>
    public int KernelSize { get; }

    /// <summary>Offset channels per output position: 2k² (Δy, Δx per tap).</summary>
    public int OffsetChannels => 2 * KernelSize * KernelSize;

    /// <summary>The GEMM variant this layer runs.</summary>
    public KernelFamily Family { get; }

    /// <summary>The offset conv (key <c>conv_offset</c>), or null when offsets are given to <see cref="Forward(Tensor, Tensor, int, int)"/>.</summary>
    public PatchConv2d? ConvOffset { get; }

    /// <summary>
    /// A BatchNorm that follows this conv and is folded into its weight and bias at prepare time (set by the
    /// parent that owns both, e.g. <see cref="DeformableTokenMerging"/>).
    /// </summary>
    internal BatchNorm2d? FoldedNorm { get; set; }

    /// <summary>Output map size: ⌊H/k⌋ × ⌊W/k⌋.</summary>
    public (int Height, int Width) OutputSize(int height, int width) => (height / KernelSize, width / KernelSize);

    /// <summary>The learned offsets for <paramref name="x"/>: a new B × ⌊H/k⌋·⌊W/k⌋ × 2k² tensor (channel 2t = Δy, 2t + 1 = Δx).</summary>
    public Tensor ComputeOffsets(Tensor x, int height, int width)
    {
        if (ConvOffset is null)
        {
            throw new InvalidOperationException($"{nameof(DeformableConv2d)} was created without learned offsets (no conv_offset): pass the offsets to Forward.");
        }
        return ConvOffset.Forward(x, height, width);
    }

    /// <summary>Convolves <paramref name="x"/> (B × H·W × Cin) at the offsets its <c>conv_offset</c> computes.</summary>
    public Tensor Forward(Tensor x, int height, int width) => ForwardWithOwnOffsets(x, height, width, gelu: false);

    /// <summary>
    /// As <see cref="Forward(Tensor, int, int)"/>, followed by GELU (erf form) fused into the GEMM's store — what
    /// LITv2's token merging applies after its folded BatchNorm.
    /// </summary>
    public Tensor ForwardGelu(Tensor x, int height, int width) => ForwardWithOwnOffsets(x, height, width, gelu: true);

    private Tensor ForwardWithOwnOffsets(Tensor x, int height, int width, bool gelu)
    {
        TokenMapChecks.Check(nameof(DeformableConv2d), x, Device, height, width, InChannels, KernelSize);
        using var offsets = ComputeOffsets(x, height, width);
        return Forward(x, offsets, height, width, gelu);
    }

    /// <summary>
    /// Convolves <paramref name="x"/> (B × H·W × Cin) at <paramref name="offsets"/> (B × ⌊H/k⌋·⌊W/k⌋ × 2k²,
    /// channels-last: channel 2t = Δy, 2t + 1 = Δx of tap t = i·k + j) into a new B × ⌊H/k⌋·⌊W/k⌋ × Cout tensor.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor offsets, int height, int width) => Forward(x, offsets, height, width, gelu: false);

    private Tensor Forward(Tensor x, Tensor offsets, int height, int width, bool gelu)
    {
        int batch = TokenMapChecks.Check(nameof(DeformableConv2d), x, Device, height, width, InChannels, KernelSize);
        var (outH, outW) = OutputSize(height, width);
        ArgumentNullException.ThrowIfNull(offsets);
        if (offsets.Rank != 3 || offsets.Dim(0) != batch || offsets.Dim(1) != outH * outW || offsets.Dim(2) != OffsetChannels)
        {
            throw new ArgumentException(TokenMapChecks.Text(
                $"{nameof(DeformableConv2d)}: expected offsets of shape [{batch}, {outH * outW}, {OffsetChannels}] (B × ⌊H/k⌋·⌊W/k⌋ × 2k², channels-last), got {offsets.ShapeText}."));
        }
        TokenMapChecks.CheckDevice(nameof(DeformableConv2d), offsets, Device);
        EnsurePrepared();
        int rows = batch * outH * outW, depth = KernelSize * KernelSize * InChannels;
        using var cols = Device.Allocate(rows, depth);
        DeformKernels.Gather(Device.Kernels, Family, x.View, offsets.View, cols.View, batch, height, width, InChannels, KernelSize);
        var y = Device.Allocate(batch, outH * outW, OutChannels);
        ConvGemm.Run(Device, Family, cols.View, gemmWeight!.View, gemmBias!.View, y.View, rows, OutChannels, depth, gelu);
        return y;
    }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
        float[] w = weight.Value.Data, b = bias.Value.Data;
        if (FoldedNorm is { } norm)
        {
            (w, b) = norm.FoldInto(w, b);
        }
        var tapMajor = PatchKernels.ToTapMajor(w, OutChannels, InChannels, KernelSize);
        var (gw, gb) = ConvGemm.PrepareHost(tapMajor, b, OutChannels, KernelSize * KernelSize * InChannels, Family);
        gemmWeight = Upload(gw, gw.Length);
        gemmBias = Upload(gb, gb.Length);
    }
}
