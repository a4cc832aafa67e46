using System.Reflection;
using ILGPU;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.IR;
using ILGPU.IR.Intrinsics;

namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>
/// The group barrier every ILGPU kernel uses to order shared memory: <c>Group.Barrier()</c> on ILGPU's CPU accelerator
/// and on CUDA (<c>bar.sync</c> orders shared memory), and <c>barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE)</c>
/// in OpenCL C. ILGPU 1.5.3 writes <c>Group.Barrier()</c> as <c>work_group_barrier(CLK_GLOBAL_MEM_FENCE)</c>, which
/// does not order local (shared) memory: a GPU driver may let a thread read a tile before another thread's store to it
/// is visible (PoCL happens to hide it; oclgrind's race detector reports it). This is an ILGPU intrinsic: the method
/// body runs on the CPU accelerator, and <see cref="Register"/> gives the OpenCL and PTX backends their code.
/// </summary>
public static class SharedBarrier
{
    /// <summary>The OpenCL C statement <see cref="Sync"/> becomes (what <c>tools/check-kernels.sh</c> looks for).</summary>
    public const string OpenCLStatement = "barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE)";

    /// <summary>Waits for every thread of the group; shared and global memory written before it is visible after it.</summary>
    [IntrinsicImplementation]
    public static void Sync() => Group.Barrier();

    // CUDA: bar.sync already orders shared memory for the threads of the block.
    private static void SyncPtx() => Group.Barrier();

    private static void GenerateOpenCL(CLBackend backend, CLCodeGenerator codeGenerator, Value value)
    {
        using var statement = codeGenerator.BeginStatement("barrier");
        statement.BeginArguments();
        statement.AppendCommand("CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE");
        statement.EndArguments();
    }

    /// <summary>Registers the OpenCL and PTX implementations of <see cref="Sync"/> with a context being built.</summary>
    public static Context.Builder Register(Context.Builder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var manager = builder.GetIntrinsicManager();
        var sync = typeof(SharedBarrier).GetMethod(nameof(Sync), BindingFlags.Public | BindingFlags.Static)!;
        manager.RegisterMethod(sync, new CLIntrinsic(typeof(SharedBarrier), nameof(GenerateOpenCL), IntrinsicImplementationMode.GenerateCode));
        manager.RegisterMethod(sync, new PTXIntrinsic(typeof(SharedBarrier), nameof(SyncPtx), IntrinsicImplementationMode.Redirect));
        return builder;
    }
}
