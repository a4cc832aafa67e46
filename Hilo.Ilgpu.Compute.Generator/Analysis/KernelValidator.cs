using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Analysis;

/// <summary>
/// Checks a kernel method, and every helper method it calls, against the kernel-language allow-list.
/// Errors block code generation for that kernel. (Placeholder: being written.)
/// </summary>
internal static class KernelValidator
{
    /// <summary>Returns every diagnostic for <paramref name="kernel"/>; the emitter runs only if none is an error.</summary>
    public static ImmutableArray<Diagnostic> Validate(
        IMethodSymbol kernel, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken)
    {
        _ = kernel;
        _ = syntax;
        _ = model;
        _ = cancellationToken;
        return ImmutableArray<Diagnostic>.Empty;
    }
}
