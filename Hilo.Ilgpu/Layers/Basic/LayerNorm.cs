using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;
using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// PyTorch's <c>nn.LayerNorm(dim, eps)</c> over the last dimension, with its elementwise affine parameters
/// <c>weight</c> and <c>bias</c> <c>[dim]</c>: <c>y = (x − mean) / sqrt(var + eps) · weight + bias</c>.
/// </summary>
public sealed class LayerNorm : Module
{
    private Tensor? weight;
    private Tensor? bias;

    /// <summary>Creates the layer (weights zero until loaded or initialised).</summary>
    /// <param name="device">The device it runs on.</param>
    /// <param name="dim">Size of the normalised last dimension.</param>
    /// <param name="eps">Added to the variance (PyTorch's default 1e-5).</param>
    public LayerNorm(ComputeDevice device, int dim, float eps = 1e-5f)
        : base(device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        if (!(eps >= 0) || float.IsInfinity(eps))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "LayerNorm eps must be finite and ≥ 0.");
        }
        Dim = dim;
        Eps = eps;
        Weight = AddParameter("weight", dim);
        Bias = AddParameter("bias", dim);
    }

    /// <summary>Size of the normalised last dimension.</summary>
    public int Dim { get; }

    /// <summary>Added to the variance.</summary>
    public float Eps { get; }

    /// <summary>The <c>weight</c> parameter (scale).</summary>
    public Parameter Weight { get; }

    /// <summary>The <c>bias</c> parameter (shift).</summary>
    public Parameter Bias { get; }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
        weight = Upload(Weight);
        bias = Upload(Bias);
    }

    /// <summary>Normalises <paramref name="x"/> <c>[..., dim]</c>; returns a new tensor of the same shape the caller owns.</summary>
    public Tensor Forward(Tensor x)
    {
        CheckInput(x);
        var y = Device.Allocate([.. x.Shape]);
        Run(x.View, y.View, x.Length / Dim);
        return y;
    }

    /// <summary>Normalises <paramref name="x"/> into <paramref name="output"/> (same shape; may be <paramref name="x"/> itself).</summary>
    public void ForwardInto(Tensor x, Tensor output)
    {
        CheckInput(x);
        ArgumentNullException.ThrowIfNull(output);
        if (!output.Shape.SequenceEqual(x.Shape))
        {
            throw new ArgumentException($"{nameof(LayerNorm)}({Dim}): the output must have the input's shape {x.ShapeText}, got {output.ShapeText}.", nameof(output));
        }
        Run(x.View, output.View, x.Length / Dim);
    }

    /// <summary>
    /// A block's residual connection and the LayerNorm after it: adds <paramref name="residual"/> into
    /// <paramref name="x"/> (same shape) and returns the normalised sum as a new tensor the caller owns. The ILGPU family
    /// does both in one pass over the rows (<see cref="Elementwise.AddLayerNorm"/>); the CPU family adds, then normalises.
    /// </summary>
    public Tensor AddForward(Tensor x, Tensor residual)
    {
        CheckInput(x);
        ArgumentNullException.ThrowIfNull(residual);
        if (!residual.Shape.SequenceEqual(x.Shape) || residual.Device != Device)
        {
            throw new ArgumentException($"{nameof(LayerNorm)}({Dim}): the residual must have the input's shape {x.ShapeText} on {Device.Info.Id}, got {residual.ShapeText}.", nameof(residual));
        }
        if (Device.Family == KernelFamily.Cpu)
        {
            Ops.AddInPlace(x, residual);
            return Forward(x);
        }
        EnsurePrepared();
        var y = Device.Allocate([.. x.Shape]);
        int rows = x.Length / Dim;
        if (rows > 0)
        {
            Elementwise.AddLayerNorm(Device.Kernels, x.View, residual.View, weight!.View, bias!.View, y.View, rows, Dim, Eps);
        }
        return y;
    }

    private void Run(ArrayView<float> x, ArrayView<float> y, int rows)
    {
        EnsurePrepared();
        if (rows > 0)
        {
            Elementwise.LayerNorm(Device.Kernels, Device.Family, x, weight!.View, bias!.View, y, rows, Dim, Eps);
        }
    }

    private void CheckInput(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Device != Device)
        {
            throw new ArgumentException($"{nameof(LayerNorm)}: the input is on {x.Device.Info.Id}, the layer on {Device.Info.Id}.", nameof(x));
        }
        if (x.Rank < 1 || x.Dim(-1) != Dim)
        {
            throw new ArgumentException($"{nameof(LayerNorm)}({Dim}): expected an input of shape [..., {Dim}], got {x.ShapeText}.", nameof(x));
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"LayerNorm(({Dim},), eps={Eps})";
}
