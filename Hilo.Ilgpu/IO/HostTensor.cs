using System.Globalization;

namespace Hilo.Ilgpu.IO;

/// <summary>
/// A float32 tensor in host memory: a shape and its elements, row-major (C order) and contiguous.
/// The element at index (i0, …, ik) is <c>Data[((i0·s1 + i1)·s2 + …)·sk + ik]</c>. A rank-0 tensor
/// (shape <c>[]</c>) holds one element. This is the exchange type of the checkpoint readers; device
/// tensors are built from it.
/// </summary>
public sealed class HostTensor
{
    private readonly int[] _shape;

    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">A dimension is negative, or the element count differs from
    /// <c>data.Length</c>.</exception>
    public HostTensor(IReadOnlyList<int> shape, float[] data, TensorDType sourceDType = TensorDType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long count = ElementCountOf(shape);
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"shape {FormatShape(shape)} holds {count} elements but data has {data.Length}", nameof(data));
        }
        _shape = shape.ToArray();
        Data = data;
        SourceDType = sourceDType;
    }

    /// <summary>Creates a zero-filled tensor of <paramref name="shape"/>.</summary>
    public static HostTensor Zeros(params int[] shape)
    {
        long count = ElementCountOf(shape);
        if (count > Array.MaxLength)
        {
            throw new ArgumentException($"shape {FormatShape(shape)} is too large for one array", nameof(shape));
        }
        return new HostTensor(shape, new float[count]);
    }

    /// <summary>The dimensions, outermost first (a copy-free read-only view).</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The elements in row-major order; writable, length = product of <see cref="Shape"/>.</summary>
#pragma warning disable CA1819 // The whole point of a host tensor is direct, copy-free access to its array.
    public float[] Data { get; }
#pragma warning restore CA1819

    /// <summary>The element type the tensor had in its file before conversion to float32.</summary>
    public TensorDType SourceDType { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements.</summary>
    public int ElementCount => Data.Length;

    /// <summary>True when <paramref name="shape"/> equals this tensor's shape.</summary>
    public bool HasShape(IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count != _shape.Length)
        {
            return false;
        }
        for (int i = 0; i < _shape.Length; i++)
        {
            if (shape[i] != _shape[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The shape written like PyTorch prints it, e.g. <c>[64, 3, 4, 4]</c>.</summary>
    public string ShapeText => FormatShape(_shape);

    /// <inheritdoc />
    public override string ToString() => $"HostTensor{ShapeText} (from {SourceDType})";

    /// <summary>Product of the dimensions (1 for rank 0).</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the product overflows a long.</exception>
    public static long ElementCountOf(IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"negative dimension in shape {FormatShape(shape)}", nameof(shape));
            }
            try
            {
                count = checked(count * d);
            }
            catch (OverflowException)
            {
                throw new ArgumentException($"shape {FormatShape(shape)} overflows", nameof(shape));
            }
        }
        return count;
    }

    /// <summary>Formats a shape as <c>[a, b, c]</c>.</summary>
    public static string FormatShape(IEnumerable<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
    }
}
