// TEMPORARY (see ReflectionKernel): descriptors until the generator emits them. Delete this file then.
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Tests.Conformance.Pending;

namespace Hilo.Ilgpu.Tests.Conformance.Kernels;

public static partial class AtomicKernels
{
    public static KernelDescriptor AddTicketsKernel { get; } = ReflectionKernel.Of(typeof(AtomicKernels), nameof(AddTickets));
    public static KernelDescriptor MinMaxKernel { get; } = ReflectionKernel.Of(typeof(AtomicKernels), nameof(MinMax));
    public static KernelDescriptor ExchangeChainKernel { get; } = ReflectionKernel.Of(typeof(AtomicKernels), nameof(ExchangeChain));
    public static KernelDescriptor CompareExchangeIncrementKernel { get; } = ReflectionKernel.Of(typeof(AtomicKernels), nameof(CompareExchangeIncrement));
    public static KernelDescriptor FloatAddKernel { get; } = ReflectionKernel.Of(typeof(AtomicKernels), nameof(FloatAdd));
}

public static partial class FloatKernels
{
    public static KernelDescriptor FloatToIntKernel { get; } = ReflectionKernel.Of(typeof(FloatKernels), nameof(FloatToInt));
    public static KernelDescriptor FloatOpsKernel { get; } = ReflectionKernel.Of(typeof(FloatKernels), nameof(FloatOps));
    public static KernelDescriptor LiteralsKernel { get; } = ReflectionKernel.Of(typeof(FloatKernels), nameof(Literals));
    public static KernelDescriptor DoubleOpsKernel { get; } = ReflectionKernel.Of(typeof(FloatKernels), nameof(DoubleOps));
}

public static partial class GridKernels
{
    public static KernelDescriptor Grid2DKernel { get; } = ReflectionKernel.Of(typeof(GridKernels), nameof(Grid2D));
    public static KernelDescriptor Grid3DKernel { get; } = ReflectionKernel.Of(typeof(GridKernels), nameof(Grid3D));
    public static KernelDescriptor AddScalarKernel { get; } = ReflectionKernel.Of(typeof(GridKernels), nameof(AddScalar));
}

public static partial class IntegerKernels
{
    public static KernelDescriptor IntOpsKernel { get; } = ReflectionKernel.Of(typeof(IntegerKernels), nameof(IntOps));
    public static KernelDescriptor UIntOpsKernel { get; } = ReflectionKernel.Of(typeof(IntegerKernels), nameof(UIntOps));
    public static KernelDescriptor MixedOpsKernel { get; } = ReflectionKernel.Of(typeof(IntegerKernels), nameof(MixedOps));
    public static KernelDescriptor LongOpsKernel { get; } = ReflectionKernel.Of(typeof(IntegerKernels), nameof(LongOps));
    public static KernelDescriptor IncDecKernel { get; } = ReflectionKernel.Of(typeof(IntegerKernels), nameof(IncDec));
    public static KernelDescriptor ConversionsKernel { get; } = ReflectionKernel.Of(typeof(IntegerKernels), nameof(Conversions));
}

public static partial class LanguageKernels
{
    public static KernelDescriptor StructParameterKernel { get; } = ReflectionKernel.Of(typeof(LanguageKernels), nameof(StructParameter));
    public static KernelDescriptor MoveParticlesKernel { get; } = ReflectionKernel.Of(typeof(LanguageKernels), nameof(MoveParticles));
    public static KernelDescriptor ScalarsKernel { get; } = ReflectionKernel.Of(typeof(LanguageKernels), nameof(Scalars));
    public static KernelDescriptor HelpersKernel { get; } = ReflectionKernel.Of(typeof(LanguageKernels), nameof(Helpers));
    public static KernelDescriptor ControlFlowKernel { get; } = ReflectionKernel.Of(typeof(LanguageKernels), nameof(ControlFlow));
}

public static partial class MathKernels
{
    public static KernelDescriptor UnaryKernel { get; } = ReflectionKernel.Of(typeof(MathKernels), nameof(Unary));
    public static KernelDescriptor BinaryKernel { get; } = ReflectionKernel.Of(typeof(MathKernels), nameof(Binary));
}

public static partial class SharedMemoryKernels
{
    public static KernelDescriptor GroupReduceKernel { get; } = ReflectionKernel.Of(typeof(SharedMemoryKernels), nameof(GroupReduce), barriers: true, sharedBytes: 4096);
    public static KernelDescriptor TiledTransposeKernel { get; } = ReflectionKernel.Of(typeof(SharedMemoryKernels), nameof(TiledTranspose), barriers: true, sharedBytes: 4096);
    public static KernelDescriptor TiledMatMulKernel { get; } = ReflectionKernel.Of(typeof(SharedMemoryKernels), nameof(TiledMatMul), barriers: true, sharedBytes: 4096);
    public static KernelDescriptor SharedHistogramKernel { get; } = ReflectionKernel.Of(typeof(SharedMemoryKernels), nameof(SharedHistogram), barriers: true, sharedBytes: 4096);
    public static KernelDescriptor MirrorInGroupKernel { get; } = ReflectionKernel.Of(typeof(SharedMemoryKernels), nameof(MirrorInGroup), barriers: true, sharedBytes: 4096);
}

public static partial class VectorTypeKernels
{
    public static KernelDescriptor Float4OpsKernel { get; } = ReflectionKernel.Of(typeof(VectorTypeKernels), nameof(Float4Ops));
    public static KernelDescriptor Float8OpsKernel { get; } = ReflectionKernel.Of(typeof(VectorTypeKernels), nameof(Float8Ops));
    public static KernelDescriptor Float16OpsKernel { get; } = ReflectionKernel.Of(typeof(VectorTypeKernels), nameof(Float16Ops));
    public static KernelDescriptor Float16AccumulateKernel { get; } = ReflectionKernel.Of(typeof(VectorTypeKernels), nameof(Float16Accumulate));
}
