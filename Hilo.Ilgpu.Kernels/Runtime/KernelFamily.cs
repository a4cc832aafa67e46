namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>
/// The two families of kernels a layer op can run (docs/kernels.md). ILGPU kernels run on every accelerator; the CPU
/// family runs only on ILGPU's CPU accelerator, where it is the fast one (ILGPU emulates a GPU with threads there).
/// </summary>
public enum KernelFamily
{
    /// <summary>ILGPU kernels: GPU-style C# compiled by ILGPU to PTX, OpenCL C, or run on the CPU accelerator's threads.</summary>
    Ilgpu,

    /// <summary>The CPU family: plain C# with <c>System.Runtime.Intrinsics</c> vectors, parallel over the cores, in place on the CPU accelerator's buffers.</summary>
    Cpu,
}
