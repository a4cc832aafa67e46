using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Analysis;

/// <summary>
/// Checks a kernel method, and every helper method it calls, against the kernel-language allow-list
/// (docs/diagnostics.md lists every diagnostic). Errors block code generation for that kernel.
/// </summary>
internal static class KernelValidator
{
    /// <summary>Returns every diagnostic for <paramref name="kernel"/>; the emitter runs only if none is an error.</summary>
    public static ImmutableArray<Diagnostic> Validate(
        IMethodSymbol kernel, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken)
    {
        var context = new ValidationContext(kernel, model, cancellationToken);
        CheckShape(kernel, syntax, context);
        context.CheckKernel(syntax, model);
        BarrierChecker.Check(context, syntax, model);
        return context.Diagnostics;
    }

    /// <summary>static void, non-generic, in a top-level static partial class; by-value parameters of allowed types.</summary>
    private static void CheckShape(IMethodSymbol kernel, MethodDeclarationSyntax syntax, ValidationContext context)
    {
        if (!kernel.IsStatic)
        {
            context.Report(Diagnostics.KernelNotStatic, syntax.Identifier.GetLocation(), kernel.Name);
        }
        if (!kernel.ReturnsVoid)
        {
            context.Report(Diagnostics.KernelNotVoid, syntax.ReturnType.GetLocation(), kernel.Name, TypeRules.Show(kernel.ReturnType));
        }
        if (syntax.TypeParameterList is { } typeParameters)
        {
            context.Report(Diagnostics.KernelGeneric, typeParameters.GetLocation(), kernel.Name);
        }
        foreach (var modifier in syntax.Modifiers)
        {
            if (modifier.IsKind(SyntaxKind.AsyncKeyword))
            {
                context.Report(Diagnostics.Async, modifier.GetLocation(), "async");
            }
            else if (modifier.IsKind(SyntaxKind.UnsafeKeyword))
            {
                context.Report(Diagnostics.Unsafe, modifier.GetLocation(), "unsafe");
            }
        }
        if (syntax.Body is null && syntax.ExpressionBody is null)
        {
            string why = kernel.IsExtern ? "it is extern" : kernel.IsAbstract ? "it is abstract" : "it is a declaration without a body";
            context.Report(Diagnostics.HelperWithoutBody, syntax.Identifier.GetLocation(), kernel.Name, why);
        }
        CheckContainer(kernel, syntax, context);
        new BodyChecker(context, kernel, syntax, model: context.ModelFor(syntax.SyntaxTree), isKernel: true)
            .CheckParameters(syntax.ParameterList, kernel, isKernelParameter: true);
    }

    private static void CheckContainer(IMethodSymbol kernel, MethodDeclarationSyntax syntax, ValidationContext context)
    {
        var type = kernel.ContainingType;
        var declaration = syntax.Parent as TypeDeclarationSyntax;
        string? why =
            type.TypeKind != TypeKind.Class || declaration is RecordDeclarationSyntax ? "is not a class" :
            type.ContainingType is not null ? "is nested in '" + type.ContainingType.Name + "'" :
            !type.IsStatic ? "is not static" :
            type.IsGenericType ? "is generic" :
            declaration is not null && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword) ? "is not partial" :
            null;
        if (why is not null)
        {
            var location = declaration?.Identifier.GetLocation() ?? syntax.Identifier.GetLocation();
            context.Report(Diagnostics.KernelContainer, location, kernel.Name, type.Name, why);
        }
    }
}
