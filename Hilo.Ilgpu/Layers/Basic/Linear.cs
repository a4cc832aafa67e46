using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;
using Hilo.Ilgpu.Kernels.Gemm;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// PyTorch's <c>nn.Linear</c>: <c>y = x · weightᵀ + bias</c> over the last dimension, for inputs of any rank
/// <c>[..., in]</c> → <c>[..., out]</c>. Parameters <c>weight</c> <c>[out, in]</c> and (optional) <c>bias</c> <c>[out]</c>.
/// The GEMM variant (the CPU family's panel GEMM with weightᵀ packed once, in one of several work shapes, or the ILGPU
/// tiled GEMM with weightᵀ stored once) is chosen per input row count by the device's tuner (docs/scheduler.md);
/// the device family's variant is the default. The bias is fused into the GEMM, and <see cref="ForwardInto(Tensor, ArrayView{float}, int, int, bool)"/>
/// writes into a column slice of a wider output (e.g. two projections side by side) or adds to it (a residual).
/// </summary>
public sealed partial class Linear : Module
{
    private Tensor? paddedBias;

    /// <summary>Creates the layer (weights zero until loaded or initialised).</summary>
    /// <param name="device">The device it runs on.</param>
    /// <param name="inFeatures">Size of the input's last dimension.</param>
    /// <param name="outFeatures">Size of the output's last dimension.</param>
    /// <param name="bias">Whether the layer has a <c>bias</c> parameter.</param>
    /// <param name="family">Kernel variant; default: chosen by the device's tuner (the default variant of the device's <see cref="ComputeDevice.Family"/> unless measured otherwise). Given: that family's variant always.</param>
    public Linear(ComputeDevice device, int inFeatures, int outFeatures, bool bias = true, KernelFamily? family = null)
        : base(device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        if (family is { } f && !device.Allows(f))
        {
            throw new ArgumentException($"{nameof(Linear)}: {f} kernels do not run on {device}.", nameof(family));
        }
        Family = family ?? device.Family;
        // An explicit family pins its default variant; otherwise the device's tuner chooses per shape.
        Variant = family is null ? null : DefaultVariant;
        Weight = AddParameter("weight", outFeatures, inFeatures);
        Bias = bias ? AddParameter("bias", outFeatures) : null;
    }

    /// <summary>Size of the input's last dimension.</summary>
    public int InFeatures { get; }

    /// <summary>Size of the output's last dimension.</summary>
    public int OutFeatures { get; }

    /// <summary>The kernel family of the default variant (<see cref="DefaultVariant"/>).</summary>
    public KernelFamily Family { get; }

    /// <summary>The <c>weight</c> parameter, <c>[out, in]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The <c>bias</c> parameter, <c>[out]</c>, or null for a layer without bias.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
        // The layout of the variant expected to run is built now; another variant's on its first use (tuning).
        ReleaseVariantWeights();
        PrepareVariantWeights(Variant ?? DefaultVariant);
        var bias = new float[PanelGemmCpu.PaddedBiasLength(OutFeatures)];
        Bias?.Value.Data.CopyTo(bias, 0);
        paddedBias = Upload(bias, bias.Length);
    }

    /// <summary>Applies the layer to <paramref name="x"/> <c>[..., in]</c>; returns a new tensor <c>[..., out]</c> the caller owns.</summary>
    public Tensor Forward(Tensor x)
    {
        int rows = CheckInput(x);
        var shape = x.Shape.ToArray();
        shape[^1] = OutFeatures;
        var y = Device.Allocate(shape);
        try
        {
            Run(x.View, InFeatures, rows, y.View, OutFeatures, accumulate: false);
        }
        catch
        {
            y.Dispose();
            throw;
        }
        return y;
    }

    /// <summary>
    /// Applies the layer to <paramref name="x"/> <c>[..., in]</c> (R rows) and writes row r of the result to
    /// <c>output[r * outputRowStride + outputColumnOffset ..][0 .. out]</c>, or adds it there when
    /// <paramref name="accumulate"/> (a fused residual add). Other columns of <paramref name="output"/> are untouched.
    /// </summary>
    public void ForwardInto(Tensor x, ArrayView<float> output, int outputRowStride, int outputColumnOffset, bool accumulate = false)
    {
        int rows = CheckInput(x);
        ForwardInto(x.View, InFeatures, rows, output, outputRowStride, outputColumnOffset, accumulate);
    }

    /// <summary>
    /// The raw form of <see cref="ForwardInto(Tensor, ArrayView{float}, int, int, bool)"/>: <paramref name="rows"/>
    /// input rows of <see cref="InFeatures"/> values at <c>input[r * inputRowStride]</c> (e.g. a column slice of a
    /// wider tensor).
    /// </summary>
    public void ForwardInto(ArrayView<float> input, int inputRowStride, int rows, ArrayView<float> output, int outputRowStride, int outputColumnOffset, bool accumulate = false)
    {
        EnsurePrepared();
        if (rows < 0 || inputRowStride < InFeatures)
        {
            throw new ArgumentException($"{nameof(Linear)}({InFeatures} → {OutFeatures}): {rows} input rows with row stride {inputRowStride}; the stride must be at least {InFeatures}.");
        }
        if (outputColumnOffset < 0 || outputRowStride < outputColumnOffset + OutFeatures)
        {
            throw new ArgumentException($"{nameof(Linear)}({InFeatures} → {OutFeatures}): output column offset {outputColumnOffset} with row stride {outputRowStride} does not leave room for {OutFeatures} columns.");
        }
        long needIn = rows == 0 ? 0 : (long)(rows - 1) * inputRowStride + InFeatures;
        long needOut = rows == 0 ? 0 : (long)(rows - 1) * outputRowStride + outputColumnOffset + OutFeatures;
        if (input.Length < needIn || output.Length < needOut)
        {
            throw new ArgumentException($"{nameof(Linear)}({InFeatures} → {OutFeatures}): {rows} rows need an input of {needIn} and an output of {needOut} elements; got {input.Length} and {output.Length}.");
        }
        if (rows == 0)
        {
            return;
        }
        var target = output.SubView(outputColumnOffset, output.Length - outputColumnOffset);
        Run(input, inputRowStride, rows, target, outputRowStride, accumulate);
    }

    private void Run(ArrayView<float> input, int lda, int rows, ArrayView<float> output, int ldc, bool accumulate)
    {
        EnsurePrepared();
        Launch(VariantFor(rows), input, lda, rows, output, ldc, accumulate);
    }

    private int CheckInput(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Device != Device)
        {
            throw new ArgumentException($"{nameof(Linear)}: the input is on {x.Device.Info.Id}, the layer on {Device.Info.Id}.", nameof(x));
        }
        if (x.Rank < 1 || x.Dim(-1) != InFeatures)
        {
            throw new ArgumentException($"{nameof(Linear)}({InFeatures} → {OutFeatures}): expected an input of shape [..., {InFeatures}], got {x.ShapeText}.", nameof(x));
        }
        return x.Length / InFeatures;
    }

    /// <inheritdoc />
    public override string ToString() => $"Linear(in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is null ? "False" : "True")})";
}
