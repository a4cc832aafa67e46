using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// A non-overlapping <c>nn.Conv2d(Cin, Cout, kernel_size=k, stride=k)</c> (no padding) on a channels-last token
/// map: B × H·W × Cin → B × ⌊H/k⌋·⌊W/k⌋ × Cout (an odd last row/column is dropped, as PyTorch does). Used by
/// SRA's <c>sr</c>, DTM's <c>conv_offset</c> and, through <see cref="ForwardImage"/>, the patch embedding.
/// Parameters <c>weight</c> [Cout, Cin, k, k] (OIHW) and <c>bias</c> [Cout]. Runs as a patch gather (im2col) and
/// a GEMM with the weight reordered once, at prepare time, to the gather's (kh, kw, cin) column order.
/// </summary>
public sealed class PatchConv2d : Module
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private Tensor? gemmWeight;
    private Tensor? gemmBias;

    /// <summary>Creates the convolution.</summary>
    /// <param name="device">The device it runs on.</param>
    /// <param name="inChannels">Cin.</param>
    /// <param name="outChannels">Cout.</param>
    /// <param name="kernelSize">k: kernel size and stride.</param>
    /// <param name="bias">Whether the conv has a <c>bias</c> (PyTorch's default: yes).</param>
    /// <param name="family">Kernel variant; default the device's <see cref="ComputeDevice.Family"/>.</param>
    public PatchConv2d(ComputeDevice device, int inChannels, int outChannels, int kernelSize, bool bias = true, KernelFamily? family = null) : base(device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Family = family ?? device.Family;
        weight = AddParameter("weight", outChannels, inChannels, kernelSize, kernelSize);
        this.bias = bias ? AddParameter("bias", outChannels) : null;
    }

    /// <summary>Cin.</summary>
    public int InChannels { get; }

    /// <summary>Cout.</summary>
    public int OutChannels { get; }

    /// <summary>k: kernel size and stride.</summary>
    public int KernelSize { get; }

    /// <summary>The GEMM variant this layer runs.</summary>
    public KernelFamily Family { get; }

    /// <summary>The <c>weight</c> parameter, [Cout, Cin, k, k].</summary>
    public Parameter Weight => weight;

    /// <summary>The <c>bias</c> parameter, [Cout], or null.</summary>
    public Parameter? Bias => bias;

    /// <summary>Output map size of a token map: ⌊H/k⌋ × ⌊W/k⌋.</summary>
    public (int Height, int Width) OutputSize(int height, int width) => (height / KernelSize, width / KernelSize);

    /// <summary>Convolves <paramref name="x"/> (B × H·W × Cin) into a new B × ⌊H/k⌋·⌊W/k⌋ × Cout tensor.</summary>
    public Tensor Forward(Tensor x, int height, int width)
    {
        int batch = TokenMapChecks.Check(nameof(PatchConv2d), x, Device, height, width, InChannels, KernelSize);
        EnsurePrepared();
        var (outH, outW) = OutputSize(height, width);
        int rows = batch * outH * outW, depth = KernelSize * KernelSize * InChannels;
        using var patches = Device.Allocate(rows, depth);
        PatchKernels.GatherTokens(Device.Kernels, Family, x.View, patches.View, batch, height, width, InChannels, KernelSize);
        return Multiply(patches, rows, [batch, outH * outW, OutChannels]);
    }

    /// <summary>
    /// Convolves an NCHW image (B × Cin × H × W) zero-padded at the right and bottom to multiples of k (the
    /// detection backbone's patch embedding) into a new B × ⌈H/k⌉·⌈W/k⌉ × Cout token tensor.
    /// </summary>
    public Tensor ForwardImage(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Rank != 4 || image.Dim(1) != InChannels || image.Dim(2) < 1 || image.Dim(3) < 1)
        {
            throw new ArgumentException(TokenMapChecks.Text($"{nameof(PatchConv2d)}: expected an NCHW image of shape [B, {InChannels}, H, W], got {image.ShapeText}."));
        }
        TokenMapChecks.CheckDevice(nameof(PatchConv2d), image, Device);
        EnsurePrepared();
        int batch = image.Dim(0), height = image.Dim(2), width = image.Dim(3), k = KernelSize;
        int outH = (height + k - 1) / k, outW = (width + k - 1) / k;
        int rows = batch * outH * outW, depth = k * k * InChannels;
        using var patches = Device.Allocate(rows, depth);
        PatchKernels.GatherImage(Device.Kernels, Family, image.View, patches.View, batch, InChannels, height, width, k);
        return Multiply(patches, rows, [batch, outH * outW, OutChannels]);
    }

    private Tensor Multiply(Tensor patches, int rows, int[] shape)
    {
        var y = Device.Allocate(shape);
        ConvGemm.Run(Device, Family, patches.View, gemmWeight!.View, gemmBias!.View, y.View, rows, OutChannels, KernelSize * KernelSize * InChannels);
        return y;
    }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
        var tapMajor = PatchKernels.ToTapMajor(weight.Value.Data, OutChannels, InChannels, KernelSize);
        var (w, b) = ConvGemm.PrepareHost(tapMajor, bias?.Value.Data, OutChannels, KernelSize * KernelSize * InChannels, Family);
        gemmWeight = Upload(w, w.Length);
        gemmBias = Upload(b, b.Length);
    }

    /// <inheritdoc />
    public override string ToString() =>
        TokenMapChecks.Text($"Conv2d({InChannels}, {OutChannels}, kernel_size=({KernelSize}, {KernelSize}), stride=({KernelSize}, {KernelSize}){(bias is null ? ", bias=False" : "")})");
}
