namespace Hilo.Ilgpu.Compute;

/// <summary>A strided row-major 2D window onto a 1D view: element (y, x) is <c>Data[y * Stride + x]</c>.</summary>
/// <typeparam name="T">Element type.</typeparam>
public readonly struct ArrayView2D<T> where T : unmanaged
{
    /// <summary>Creates a 2D view; checks that every element lies inside <paramref name="data"/>.</summary>
    public ArrayView2D(ArrayView<T> data, int width, int height, int stride)
    {
        if (width < 0 || height < 0 || stride < width ||
            (height > 0 && width > 0 && (long)(height - 1) * stride + width > data.Length))
        {
            throw new ArgumentException(
                $"A {height}x{width} view with row stride {stride} does not fit in a view of length {data.Length}.");
        }
        Data = data;
        Width = width;
        Height = height;
        Stride = stride;
    }

    /// <summary>The underlying 1D view.</summary>
    public ArrayView<T> Data { get; }

    /// <summary>Number of columns (x extent).</summary>
    public int Width { get; }

    /// <summary>Number of rows (y extent).</summary>
    public int Height { get; }

    /// <summary>Distance between the starts of two consecutive rows, in elements.</summary>
    public int Stride { get; }

    /// <summary>Element at row <paramref name="y"/>, column <paramref name="x"/>.</summary>
    public ref T this[int y, int x] => ref Data[y * Stride + x];

    /// <summary>Row <paramref name="y"/> as a 1D view of <see cref="Width"/> elements.</summary>
    public ArrayView<T> Row(int y) => Data.SubView(y * Stride, Width);
}

/// <summary>A strided 3D window onto a 1D view: element (z, y, x) is <c>Data[z * SliceStride + y * RowStride + x]</c>.</summary>
/// <typeparam name="T">Element type.</typeparam>
public readonly struct ArrayView3D<T> where T : unmanaged
{
    /// <summary>Creates a 3D view; checks that every element lies inside <paramref name="data"/>.</summary>
    public ArrayView3D(ArrayView<T> data, int width, int height, int depth, int rowStride, int sliceStride)
    {
        if (width < 0 || height < 0 || depth < 0 || rowStride < width || sliceStride < (long)rowStride * Math.Max(height - 1, 0) + width ||
            (width > 0 && height > 0 && depth > 0 &&
             (long)(depth - 1) * sliceStride + (long)(height - 1) * rowStride + width > data.Length))
        {
            throw new ArgumentException(
                $"A {depth}x{height}x{width} view with strides ({sliceStride}, {rowStride}) does not fit in a view of length {data.Length}.");
        }
        Data = data;
        Width = width;
        Height = height;
        Depth = depth;
        RowStride = rowStride;
        SliceStride = sliceStride;
    }

    /// <summary>The underlying 1D view.</summary>
    public ArrayView<T> Data { get; }

    /// <summary>x extent.</summary>
    public int Width { get; }

    /// <summary>y extent.</summary>
    public int Height { get; }

    /// <summary>z extent.</summary>
    public int Depth { get; }

    /// <summary>Elements between consecutive rows.</summary>
    public int RowStride { get; }

    /// <summary>Elements between consecutive slices.</summary>
    public int SliceStride { get; }

    /// <summary>Element (z, y, x).</summary>
    public ref T this[int z, int y, int x] => ref Data[z * SliceStride + y * RowStride + x];
}
