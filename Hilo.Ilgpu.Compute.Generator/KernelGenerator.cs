using Hilo.Ilgpu.Compute.Generator.Emit;
using Hilo.Ilgpu.Compute.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Hilo.Ilgpu.Compute.Generator;

/// <summary>
/// For every [Kernel] method: validates it against the kernel-language allow-list, translates it to OpenCL C
/// and CUDA C, and adds a <c>KernelDescriptor</c> (docs/internals/kernel-abi.md) to its class. The translation
/// happens in the transform step, so unchanged kernels are not translated again.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class KernelGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var kernels = context.SyntaxProvider.ForAttributeWithMetadataName(
            "Hilo.Ilgpu.Compute.KernelAttribute",
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
            static (ctx, ct) => KernelModelBuilder.Build(ctx, ct));

        context.RegisterSourceOutput(kernels, static (spc, kernel) =>
        {
            if (kernel is null)
            {
                return;
            }
            bool failed = false;
            foreach (var diagnostic in kernel.Diagnostics)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
                failed |= diagnostic.Severity == DiagnosticSeverity.Error;
            }
            if (!failed)
            {
                spc.AddSource(kernel.FullName + ".g.cs", CSharpEmitter.Emit(kernel));
            }
        });
    }
}
