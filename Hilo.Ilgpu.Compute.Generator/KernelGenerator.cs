using Microsoft.CodeAnalysis;

namespace Hilo.Ilgpu.Compute.Generator;

/// <summary>Translates every [Kernel] method of the compilation (placeholder; being written).</summary>
[Generator(LanguageNames.CSharp)]
public sealed class KernelGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
