using System.Diagnostics;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>A target ILGPU compiles kernels for without a device: PTX for an NVIDIA architecture, or OpenCL C of a version.</summary>
/// <param name="Name">Short name, used as the file suffix (<c>sm_80</c>, <c>cl20</c>, …).</param>
/// <param name="Extension">File extension of the code (<c>.ptx</c>, <c>.cl</c>).</param>
public sealed record DumpTarget(string Name, string Extension)
{
    internal Func<Context, Backend> CreateBackend { get; init; } = null!;
}

/// <summary>The outcome of compiling one kernel for one target.</summary>
/// <param name="Kernel">The kernel.</param>
/// <param name="Target">The target.</param>
/// <param name="Code">The PTX or OpenCL C, or null when compilation failed.</param>
/// <param name="Error">ILGPU's message when compilation failed.</param>
/// <param name="Seconds">Compile time.</param>
public sealed record DumpResult(KernelEntry Kernel, DumpTarget Target, string? Code, string? Error, double Seconds);

/// <summary>
/// Compiles ILGPU kernels to device code with ILGPU's own backends and no device (<c>hilo kernels dump</c>, CI):
/// PTX for SM_80 (A100) and SM_90 (H100/H200), and OpenCL C 2.0 and 3.0 with the generic address space (what
/// ILGPU's OpenCL accelerator requires) and no optional extensions.
/// </summary>
public static class KernelDump
{
    private static readonly CLCapabilityContext Capabilities = new(float16: false, float64: false, genericAddressSpace: true, int64_Atomics: false, subGroups: false);

    /// <summary>The four targets every kernel must compile for.</summary>
    public static IReadOnlyList<DumpTarget> Targets { get; } =
    [
        new("sm_80", ".ptx") { CreateBackend = c => new PTXBackend(c, CudaArchitecture.SM_80, CudaInstructionSet.ISA_70, nvvmAPI: null!) },
        new("sm_90", ".ptx") { CreateBackend = c => new PTXBackend(c, CudaArchitecture.SM_90, CudaInstructionSet.ISA_78, nvvmAPI: null!) },
        new("cl20", ".cl") { CreateBackend = c => new CLBackend(c, Capabilities, CLDeviceVendor.Other, CLCVersion.CL20) },
        new("cl30", ".cl") { CreateBackend = c => new CLBackend(c, Capabilities, CLDeviceVendor.Other, CLCVersion.CL30) },
    ];

    /// <summary>Compiles every kernel in <paramref name="kernels"/> for every target; failures are results, never exceptions.</summary>
    public static IEnumerable<DumpResult> CompileAll(IEnumerable<KernelEntry> kernels)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        var list = kernels.Where(k => k.Family == KernelFamily.Ilgpu).ToList();
        foreach (var target in Targets)
        {
            using var backend = target.CreateBackend(Devices.Context);
            foreach (var kernel in list)
            {
                yield return Compile(backend, kernel, target);
            }
        }
    }

    private static DumpResult Compile(Backend backend, KernelEntry kernel, DumpTarget target)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var entry = EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method);
            var compiled = backend.Compile(entry, KernelSpecialization.Empty);
            string code = compiled switch
            {
                PTXCompiledKernel ptx => ptx.PTXAssembly,
                CLCompiledKernel cl => cl.Source,
                _ => compiled.ToString() ?? "",
            };
            return new DumpResult(kernel, target, code, null, watch.Elapsed.TotalSeconds);
        }
#pragma warning disable CA1031 // every failure is reported per kernel and target
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new DumpResult(kernel, target, null, $"{ex.GetType().Name}: {ex.Message}", watch.Elapsed.TotalSeconds);
        }
    }
}
