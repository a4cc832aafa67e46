using System.ComponentModel;
using Hilo.Ilgpu.Compute.Cpu;

namespace Hilo.Ilgpu.Compute;

/// <summary>How a kernel parameter is passed.</summary>
public enum KernelParameterKind
{
    /// <summary><see cref="ArrayView{T}"/>: native args <c>ptr, offset, length</c>.</summary>
    View,

    /// <summary><see cref="ArrayView2D{T}"/>: native args <c>ptr, offset, length, width, height, stride</c>.</summary>
    View2D,

    /// <summary><see cref="ArrayView3D{T}"/>: native args <c>ptr, offset, length, width, height, depth, rowStride, sliceStride</c>.</summary>
    View3D,

    /// <summary>A primitive passed by value (bool travels as int).</summary>
    Scalar,

    /// <summary>A struct of primitives passed by value with the same layout in C# and C.</summary>
    Struct,
}

/// <summary>One parameter of a kernel, as the generator saw it.</summary>
/// <param name="Name">Name in the C# source.</param>
/// <param name="Kind">How it is passed.</param>
/// <param name="TypeName">C# type as written in diagnostics, e.g. <c>ArrayView&lt;float&gt;</c>, <c>int</c>.</param>
public sealed record KernelParameter(string Name, KernelParameterKind Kind, string TypeName);

/// <summary>
/// Everything the runtime needs to run one kernel on any backend, produced at build time by the source
/// generator for each <see cref="KernelAttribute"/> method (no reflection at run time). The generator emits
/// a sealed subclass; users reach it through the static <c>&lt;Method&gt;Kernel</c> property of the kernel's class.
/// </summary>
public abstract class KernelDescriptor
{
    /// <summary>Called by generated code only.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected KernelDescriptor(
        string name, string entryPoint, string openCLSource, string cudaSource,
        KernelParameter[] parameters, bool usesBarriers, bool usesDoubles, int sharedMemoryBytes)
    {
        Name = name;
        EntryPoint = entryPoint;
        OpenCLSource = openCLSource;
        CudaSource = cudaSource;
        Parameters = parameters;
        UsesBarriers = usesBarriers;
        UsesDoubles = usesDoubles;
        SharedMemoryBytes = sharedMemoryBytes;
    }

    /// <summary>Full C# name, <c>Namespace.Class.Method</c>.</summary>
    public string Name { get; }

    /// <summary>Name of the kernel function in the generated OpenCL C and CUDA C.</summary>
    public string EntryPoint { get; }

    /// <summary>Generated OpenCL C (1.2) source, self-contained.</summary>
    public string OpenCLSource { get; }

    /// <summary>Generated CUDA C source, self-contained for NVRTC (<c>extern "C"</c> entry point).</summary>
    public string CudaSource { get; }

    /// <summary>The C# parameters in order (hidden launch parameters are not listed).</summary>
    public IReadOnlyList<KernelParameter> Parameters { get; }

    /// <summary>True when the kernel calls <see cref="Group.Barrier"/>; it then needs an explicit group size dividing the global size.</summary>
    public bool UsesBarriers { get; }

    /// <summary>True when the kernel computes in double precision (OpenCL needs <c>cl_khr_fp64</c>).</summary>
    public bool UsesDoubles { get; }

    /// <summary>Shared memory the kernel allocates per group, each allocation rounded up to <see cref="SharedMemory.Alignment"/>.</summary>
    public int SharedMemoryBytes { get; }

    /// <summary>
    /// Checks a launch's arguments against <see cref="Parameters"/>; throws <see cref="KernelArgumentException"/>
    /// naming the first wrong one, or <see cref="ObjectDisposedException"/> for a view of a disposed buffer.
    /// </summary>
    public void ValidateArguments(ReadOnlySpan<object?> args)
    {
        if (args.Length != Parameters.Count)
        {
            throw new KernelArgumentException(
                $"Kernel {Name} takes {Parameters.Count} argument(s) ({string.Join(", ", Parameters.Select(p => p.TypeName + " " + p.Name))}) but {args.Length} were given.");
        }
        for (int i = 0; i < args.Length; i++)
        {
            if (!IsArgumentOfType(i, args[i]))
            {
                var p = Parameters[i];
                string got = args[i] is null ? "null" : args[i]!.GetType().Name;
                throw new KernelArgumentException(
                    $"Argument {i} ('{p.Name}') of kernel {Name} must be {p.TypeName}, but a {got} was given.");
            }
        }
        WriteArguments(args, new AliveCheck(Name));
    }

    /// <summary>Generated: true when <paramref name="arg"/> has the exact type of parameter <paramref name="index"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract bool IsArgumentOfType(int index, object? arg);

    /// <summary>Generated: writes the (validated) arguments in order to a backend's argument writer.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public abstract void WriteArguments(ReadOnlySpan<object?> args, IKernelArgumentWriter writer);

    /// <summary>Generated: binds (validated) arguments to the kernel's C# body for the managed CPU backend.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public abstract CpuKernelBody CreateCpuBody(ReadOnlySpan<object?> args);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Throws for views of disposed buffers.</summary>
    private sealed class AliveCheck(string kernel) : IKernelArgumentWriter
    {
        public void View<T>(ArrayView<T> view) where T : unmanaged => view.EnsureAlive($"An argument of kernel {kernel}");

        public void View2D<T>(ArrayView2D<T> view) where T : unmanaged => View(view.Data);

        public void View3D<T>(ArrayView3D<T> view) where T : unmanaged => View(view.Data);

        public void Scalar<T>(T value) where T : unmanaged
        {
        }
    }
}

/// <summary>
/// Receives a kernel's arguments in parameter order, each expanded as the generated C signature expects
/// (see <see cref="KernelParameterKind"/>); backends implement it to set native kernel arguments.
/// After the C# parameters, backends append three hidden <c>int</c>s: the launch's global size X, Y, Z.
/// </summary>
public interface IKernelArgumentWriter
{
    /// <summary>A 1D view.</summary>
    void View<T>(ArrayView<T> view) where T : unmanaged;

    /// <summary>A 2D view.</summary>
    void View2D<T>(ArrayView2D<T> view) where T : unmanaged;

    /// <summary>A 3D view.</summary>
    void View3D<T>(ArrayView3D<T> view) where T : unmanaged;

    /// <summary>A primitive or struct passed by value (bool is passed as int by generated code).</summary>
    void Scalar<T>(T value) where T : unmanaged;
}
