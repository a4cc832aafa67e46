using System.Reflection;

namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>
/// Marks an ILGPU kernel (an explicitly grouped kernel: a static method whose parameters are views and unmanaged
/// values, using <c>Grid</c>/<c>Group</c> indices) so that <c>hilo kernels</c> lists it and <c>hilo kernels dump</c>
/// and CI compile it for every target.
/// </summary>
/// <param name="op">The layer op the kernel implements (e.g. <c>gemm</c>, <c>layer-norm</c>, <c>attention</c>).</param>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class IlgpuKernelAttribute(string op) : Attribute
{
    /// <summary>The layer op the kernel implements.</summary>
    public string Op { get; } = op;
}

/// <summary>Marks the entry point of a CPU-family kernel (plain SIMD C#) so that <c>hilo kernels</c> lists it.</summary>
/// <param name="op">The layer op the kernel implements.</param>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class CpuKernelAttribute(string op) : Attribute
{
    /// <summary>The layer op the kernel implements.</summary>
    public string Op { get; } = op;
}

/// <summary>One kernel of either family.</summary>
/// <param name="Name"><c>Class.Method</c>.</param>
/// <param name="Op">The layer op it implements.</param>
/// <param name="Family">Its family.</param>
/// <param name="Method">The method.</param>
public sealed record KernelEntry(string Name, string Op, KernelFamily Family, MethodInfo Method);

/// <summary>
/// Every kernel of <c>Hilo.Ilgpu.Kernels</c> (found by its attribute), plus those of assemblies a user registers
/// (<see cref="Register"/>), so that a user's own kernels are listed and dumped like the library's.
/// </summary>
public static class KernelCatalog
{
    private static readonly Lock Gate = new();
    private static readonly List<Assembly> Assemblies = [typeof(KernelCatalog).Assembly];
    private static IReadOnlyList<KernelEntry>? all;

    /// <summary>Every kernel, sorted by op, family and name.</summary>
    public static IReadOnlyList<KernelEntry> All
    {
        get
        {
            lock (Gate)
            {
                return all ??= Scan();
            }
        }
    }

    /// <summary>The ILGPU kernels (what <c>hilo kernels dump</c> compiles).</summary>
    public static IEnumerable<KernelEntry> Ilgpu => All.Where(k => k.Family == KernelFamily.Ilgpu);

    /// <summary>Adds the kernels of <paramref name="assembly"/> (marked with <see cref="IlgpuKernelAttribute"/> or <see cref="CpuKernelAttribute"/>).</summary>
    public static void Register(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        lock (Gate)
        {
            if (!Assemblies.Contains(assembly))
            {
                Assemblies.Add(assembly);
                all = null;
            }
        }
    }

    /// <summary>The display name of a kernel method: <c>Class.Method</c>.</summary>
    public static string NameOf(MethodInfo method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return $"{method.DeclaringType?.Name}.{method.Name}";
    }

    private static List<KernelEntry> Scan()
    {
        var list = new List<KernelEntry>();
        foreach (var assembly in Assemblies)
        {
            foreach (var type in assembly.GetTypes())
            {
                foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
                {
                    if (method.GetCustomAttribute<IlgpuKernelAttribute>() is { } g)
                    {
                        list.Add(new KernelEntry(NameOf(method), g.Op, KernelFamily.Ilgpu, method));
                    }
                    if (method.GetCustomAttribute<CpuKernelAttribute>() is { } c)
                    {
                        list.Add(new KernelEntry(NameOf(method), c.Op, KernelFamily.Cpu, method));
                    }
                }
            }
        }
        return [.. list.OrderBy(k => k.Op, StringComparer.Ordinal).ThenBy(k => k.Family).ThenBy(k => k.Name, StringComparer.Ordinal)];
    }
}
