using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;
using Hilo.Ilgpu.Kernels.Layers.Basic;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// Stateless tensor operations (no parameters): GELU, softmax, elementwise add, mean over tokens, and the
/// classifier head composed of a <see cref="LayerNorm"/> and a <see cref="Linear"/>. The out-of-place forms
/// return a new tensor the caller owns; the in-place forms overwrite their first argument. All queue their
/// kernels on the tensor's device stream.
/// </summary>
public static class Ops
{
    /// <summary>GELU in its exact form, <c>x/2 · (1 + erf(x/√2))</c> (PyTorch's default <c>nn.GELU()</c>).</summary>
    public static Tensor Gelu(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = x.Device.Allocate([.. x.Shape]);
        LaunchGelu(x, y);
        return y;
    }

    /// <summary>GELU applied in place.</summary>
    public static void GeluInPlace(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        LaunchGelu(x, x);
    }

    /// <summary>Softmax over the last dimension (numerically stable: the row maximum is subtracted first).</summary>
    public static Tensor Softmax(Tensor x)
    {
        CheckHasLastDim(x, nameof(Softmax));
        var y = x.Device.Allocate([.. x.Shape]);
        LaunchSoftmax(x, y);
        return y;
    }

    /// <summary>Softmax over the last dimension, in place.</summary>
    public static void SoftmaxInPlace(Tensor x)
    {
        CheckHasLastDim(x, nameof(SoftmaxInPlace));
        LaunchSoftmax(x, x);
    }

    /// <summary><c>a + b</c> for two tensors of the same shape.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        CheckSameShape(a, b, nameof(Add));
        var y = a.Device.Allocate([.. a.Shape]);
        LaunchAdd(a, b, y);
        return y;
    }

    /// <summary><c>target += addend</c> (e.g. a residual connection) for two tensors of the same shape.</summary>
    public static void AddInPlace(Tensor target, Tensor addend)
    {
        CheckSameShape(target, addend, nameof(AddInPlace));
        LaunchAdd(target, addend, target);
    }

    /// <summary>Mean over the token dimension: B×N×C → B×C (PyTorch <c>x.mean(dim=1)</c>, the classifier's pooling).</summary>
    public static Tensor MeanOverTokens(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 3 || x.Dim(1) < 1)
        {
            throw new ArgumentException($"{nameof(MeanOverTokens)}: expected tokens of shape [B, N, C] with N ≥ 1, got {x.ShapeText}.", nameof(x));
        }
        int batch = x.Dim(0), tokens = x.Dim(1), channels = x.Dim(2);
        var y = x.Device.Allocate(batch, channels);
        if (y.Length > 0)
        {
            Elementwise.MeanTokens(x.Device.Kernels, x.Device.Family, x.View, y.View, batch, tokens, channels);
        }
        return y;
    }

    /// <summary>
    /// The LITv2 classifier head: <paramref name="norm"/> over channels, mean over tokens, then
    /// <paramref name="head"/>: B×N×C → B×classes. Intermediates are freed; the result is the caller's.
    /// </summary>
    public static Tensor ClassifierHead(Tensor x, LayerNorm norm, Linear head)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(norm);
        ArgumentNullException.ThrowIfNull(head);
        if (x.Rank != 3 || x.Dim(2) != norm.Dim || norm.Dim != head.InFeatures)
        {
            throw new ArgumentException($"ClassifierHead: expected tokens [B, N, {norm.Dim}] for a LayerNorm({norm.Dim}) and a {head}, got {x.ShapeText}.", nameof(x));
        }
        using var normed = norm.Forward(x);
        using var pooled = MeanOverTokens(normed);
        return head.Forward(pooled);
    }

    private static void LaunchGelu(Tensor x, Tensor y)
    {
        if (x.Length > 0)
        {
            Elementwise.Gelu(x.Device.Kernels, x.Device.Family, x.View, y.View, x.Length);
        }
    }

    private static void LaunchAdd(Tensor a, Tensor b, Tensor y)
    {
        if (a.Length > 0)
        {
            Elementwise.Add(a.Device.Kernels, a.Device.Family, a.View, b.View, y.View, a.Length);
        }
    }

    private static void LaunchSoftmax(Tensor x, Tensor y)
    {
        int dim = x.Dim(-1);
        int rows = x.Length / dim;
        if (rows > 0)
        {
            Elementwise.Softmax(x.Device.Kernels, x.Device.Family, x.View, y.View, rows, dim);
        }
    }

    private static void CheckHasLastDim(Tensor x, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 1 || x.Dim(-1) < 1)
        {
            throw new ArgumentException($"{op}: expected a tensor with a non-empty last dimension, got {x.ShapeText}.", nameof(x));
        }
    }

    private static void CheckSameShape(Tensor a, Tensor b, string op)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Device != b.Device)
        {
            throw new ArgumentException($"{op}: the tensors are on different devices ({a.Device.Info.Id}, {b.Device.Info.Id}).");
        }
        if (!a.Shape.SequenceEqual(b.Shape))
        {
            throw new ArgumentException($"{op}: the tensors must have the same shape, got {a.ShapeText} and {b.ShapeText}.");
        }
    }
}
