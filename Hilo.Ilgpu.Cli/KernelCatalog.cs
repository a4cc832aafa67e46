using System.Reflection;
using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Cli;

/// <summary>
/// Every kernel of the project's kernel library, found through the generated <c>&lt;Method&gt;Kernel</c>
/// properties. (The runtime never needs this: launches use the descriptors directly.)
/// </summary>
internal static class KernelCatalog
{
    private static readonly Assembly[] KernelAssemblies =
    [
        typeof(Hilo.Ilgpu.Kernels.Basic.VectorKernels).Assembly,
        typeof(Hilo.Ilgpu.Compute.Conformance.MathKernels).Assembly,
    ];

    public static IReadOnlyList<KernelDescriptor> All { get; } = Discover();

    private static List<KernelDescriptor> Discover() =>
        KernelAssemblies
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t is { IsAbstract: true, IsSealed: true }) // static classes
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Static))
            .Where(p => p.PropertyType == typeof(KernelDescriptor))
            .Select(p => (KernelDescriptor)p.GetValue(null)!)
            .OrderBy(k => k.Name, StringComparer.Ordinal)
            .ToList();
}
