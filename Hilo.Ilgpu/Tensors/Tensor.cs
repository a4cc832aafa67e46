using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu;

/// <summary>
/// A float32 tensor on a <see cref="ComputeDevice"/>: dense, row-major (last dimension fastest), like a contiguous
/// PyTorch tensor. Token tensors are B×N×C with N = H·W row-major over the map; images are NCHW. Its memory is an
/// ILGPU buffer: <see cref="View"/> goes straight into your own ILGPU kernels. A tensor either owns its buffer or is an
/// alias (<see cref="Reshape"/>) of another tensor's memory.
/// </summary>
public sealed class Tensor : IDisposable
{
    private readonly DeviceBuffer? owned;
    private readonly int[] shape;

    internal Tensor(ComputeDevice device, DeviceBuffer? owned, ArrayView<float> view, int[] shape)
    {
        Device = device;
        this.owned = owned;
        View = view;
        this.shape = shape;
    }

    /// <summary>The device holding the data.</summary>
    public ComputeDevice Device { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public IReadOnlyList<int> Shape => shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>Number of elements.</summary>
    public int Length => (int)View.Length;

    /// <summary>The elements as an ILGPU view, for kernel launches (of this library's kernels or your own).</summary>
    public ArrayView<float> View { get; }

    /// <summary>Size of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public int Dim(int axis) => shape[axis < 0 ? shape.Length + axis : axis];

    /// <summary>The shape as text, e.g. <c>[2, 196, 384]</c>.</summary>
    public string ShapeText => HostTensor.FormatShape(shape);

    /// <summary>An alias of the same memory with another shape of the same element count (no copy).</summary>
    public Tensor Reshape(params int[] newShape)
    {
        ArgumentNullException.ThrowIfNull(newShape);
        if (HostTensor.ElementCountOf(newShape) != Length)
        {
            throw new ArgumentException($"Cannot reshape {ShapeText} ({Length} elements) to {HostTensor.FormatShape(newShape)}.", nameof(newShape));
        }
        return new Tensor(Device, null, View, (int[])newShape.Clone());
    }

    /// <summary>Copies the tensor to the host (waits for queued work).</summary>
    public HostTensor ToHost() => new(shape, ToArray());

    /// <summary>Copies the elements to a new array (waits for queued work).</summary>
    public float[] ToArray()
    {
        var data = new float[Length];
        Device.Kernels.CopyToHost(View, data);
        return data;
    }

    /// <summary>Throws unless the tensor has <paramref name="expected"/> shape; -1 matches any size.</summary>
    public void ExpectShape(string what, params int[] expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        bool ok = expected.Length == shape.Length;
        for (int i = 0; ok && i < expected.Length; i++)
        {
            ok = expected[i] < 0 || expected[i] == shape[i];
        }
        if (!ok)
        {
            string want = "[" + string.Join(", ", expected.Select(e => e < 0 ? "*" : e.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
            throw new ArgumentException($"{what}: expected a tensor of shape {want}, got {ShapeText}.");
        }
    }

    /// <summary>Frees the buffer if this tensor owns it (aliases free nothing).</summary>
    public void Dispose() => owned?.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"Tensor{ShapeText} on {Device.Info.Id}";
}
