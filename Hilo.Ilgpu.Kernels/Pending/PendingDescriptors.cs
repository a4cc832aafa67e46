// TEMPORARY (see ReflectionKernel): descriptors until the generator emits them. Delete this folder then.
#pragma warning disable CS1591
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Kernels.Pending;

namespace Hilo.Ilgpu.Kernels.Basic
{
public static partial class VectorKernels
{
    public static KernelDescriptor VectorAddKernel { get; } = ReflectionKernel.Of(typeof(VectorKernels), nameof(VectorAdd));
    public static KernelDescriptor ScaleKernel { get; } = ReflectionKernel.Of(typeof(VectorKernels), nameof(Scale));
    public static KernelDescriptor AxpyKernel { get; } = ReflectionKernel.Of(typeof(VectorKernels), nameof(Axpy));
    public static KernelDescriptor FillKernel { get; } = ReflectionKernel.Of(typeof(VectorKernels), nameof(Fill));
    public static KernelDescriptor ReluKernel { get; } = ReflectionKernel.Of(typeof(VectorKernels), nameof(Relu));
}
}

namespace Hilo.Ilgpu.Kernels.Gemm
{
public static partial class PanelGemmKernels
{
    public static KernelDescriptor PackBKernel { get; } = ReflectionKernel.Of(typeof(PanelGemmKernels), nameof(PackB));
    public static KernelDescriptor PanelGemmKernel { get; } = ReflectionKernel.Of(typeof(PanelGemmKernels), nameof(PanelGemm));
}
}

namespace Hilo.Ilgpu.Kernels.Gemm
{
public static partial class TiledGemmKernels
{
    public static KernelDescriptor TiledGemmKernel { get; } = ReflectionKernel.Of(typeof(TiledGemmKernels), nameof(TiledGemm), barriers: true, sharedBytes: 4096);
}
}

namespace Hilo.Ilgpu.Kernels.Reduction
{
public static partial class ReductionKernels
{
    public static KernelDescriptor GroupSumKernel { get; } = ReflectionKernel.Of(typeof(ReductionKernels), nameof(GroupSum), barriers: true, sharedBytes: 4096);
}
}
