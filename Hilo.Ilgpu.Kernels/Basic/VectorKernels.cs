using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Basic;

/// <summary>Element-wise kernels over 1D views.</summary>
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
}
