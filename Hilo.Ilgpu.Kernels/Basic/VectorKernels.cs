using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Basic;

/// <summary>Element-wise kernels over 1D views. Launch one work-item per element of the output.</summary>
public static partial class VectorKernels
{
    /// <summary><c>c[i] = a[i] + b[i]</c> for every i below <c>c.Length</c>.</summary>
    [Kernel]
    public static void VectorAdd(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        int i = Grid.GlobalIndex.X;
        if (i < c.Length)
        {
            c[i] = a[i] + b[i];
        }
    }

    /// <summary><c>y[i] = alpha * x[i]</c> for every i below <c>y.Length</c>.</summary>
    [Kernel]
    public static void Scale(ArrayView<float> x, ArrayView<float> y, float alpha)
    {
        int i = Grid.GlobalIndex.X;
        if (i < y.Length)
        {
            y[i] = alpha * x[i];
        }
    }

    /// <summary><c>y[i] = alpha * x[i] + y[i]</c> (BLAS saxpy, two roundings) for every i below <c>y.Length</c>.</summary>
    [Kernel]
    public static void Axpy(float alpha, ArrayView<float> x, ArrayView<float> y)
    {
        int i = Grid.GlobalIndex.X;
        if (i < y.Length)
        {
            y[i] = alpha * x[i] + y[i];
        }
    }

    /// <summary><c>y[i] = value</c> for every i below <c>y.Length</c>.</summary>
    [Kernel]
    public static void Fill(ArrayView<float> y, float value)
    {
        int i = Grid.GlobalIndex.X;
        if (i < y.Length)
        {
            y[i] = value;
        }
    }

    /// <summary><c>y[i] = max(x[i], 0)</c>; NaN stays NaN (<see cref="MathF.Max(float, float)"/>).</summary>
    [Kernel]
    public static void Relu(ArrayView<float> x, ArrayView<float> y)
    {
        int i = Grid.GlobalIndex.X;
        if (i < y.Length)
        {
            y[i] = MathF.Max(x[i], 0f);
        }
    }
}
