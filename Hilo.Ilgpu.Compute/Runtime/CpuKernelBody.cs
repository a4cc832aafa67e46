using System.ComponentModel;

namespace Hilo.Ilgpu.Compute.Cpu;

/// <summary>
/// A kernel's C# body bound to one launch's arguments, for the managed CPU backend. Generated per kernel;
/// the backend calls <see cref="Run"/> once per work-item (kernels without barriers) or steps the
/// enumerators of <see cref="RunPhased"/> of all work-items of a group from barrier to barrier.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class CpuKernelBody
{
    /// <summary>Runs the current work-item to completion (kernels without barriers: the user's method itself).</summary>
    public abstract void Run();

    /// <summary>
    /// Starts the current work-item as a phased iterator: each <c>MoveNext</c> runs it to its next barrier
    /// (returns true) or to its end (returns false). Only kernels that use barriers override it.
    /// </summary>
    public virtual IEnumerator<object?> RunPhased() =>
        throw new NotSupportedException("This kernel has no barriers; call Run().");
}
