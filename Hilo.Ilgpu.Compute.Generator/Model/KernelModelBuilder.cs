using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Hilo.Ilgpu.Compute.Generator.Analysis;
using Hilo.Ilgpu.Compute.Generator.Emit;
using Hilo.Ilgpu.Compute.Generator.Translate;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Model;

/// <summary>
/// The transform step: validates a [Kernel] method and, if it has no errors, translates it to both
/// dialects and collects what the C# glue needs, all as plain strings.
/// </summary>
internal static class KernelModelBuilder
{
    public static KernelModel? Build(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol kernel || context.TargetNode is not MethodDeclarationSyntax syntax)
        {
            return null;
        }
        var model = context.SemanticModel;
        var diagnostics = KernelValidator.Validate(kernel, syntax, model, cancellationToken)
            .Select(DiagnosticInfo.From).ToList();
        var containing = new List<string>();
        for (var t = kernel.ContainingType; t is not null; t = t.ContainingType)
        {
            containing.Insert(0, t.Name);
        }
        string ns = kernel.ContainingNamespace.IsGlobalNamespace ? "" : kernel.ContainingNamespace.ToDisplayString();
        var empty = new KernelModel(ns, new EquatableArray<string>(containing), kernel.Name, Names.Of(kernel.Name),
            Accessibility(kernel), "", default, "", "", false, false, 0, null, null, default);
        if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            return empty with { Diagnostics = new EquatableArray<DiagnosticInfo>(diagnostics) };
        }

        bool usesBarriers = syntax.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(inv =>
            model.GetSymbolInfo(inv, cancellationToken).Symbol is IMethodSymbol { Name: "Barrier" } m &&
            KnownTypes.IsLanguageType(m.ContainingType, "Group"));
        string fullName = empty.FullName;
        TranslatedKernel openCL, cuda;
        try
        {
            openCL = KernelTranslator.Translate(Dialect.OpenCL, kernel, syntax, model, usesBarriers, fullName);
            cancellationToken.ThrowIfCancellationRequested();
            cuda = KernelTranslator.Translate(Dialect.Cuda, kernel, syntax, model, usesBarriers, fullName);
        }
        catch (TranslationException ex)
        {
            diagnostics.Add(DiagnosticInfo.From(Diagnostic.Create(
                TranslationDiagnostics.Untranslatable, ex.Node.GetLocation(), kernel.Name, ex.Message)));
            return empty with { Diagnostics = new EquatableArray<DiagnosticInfo>(diagnostics) };
        }

        string? phased = usesBarriers && syntax.Body is not null
            ? LineDirective(syntax.Body) + PhasedRewriter.Rewrite(syntax.Body, model) + "\n#line default"
            : null;
        // Kernels without barriers run on the CPU backend as a copy of their body marked for full
        // optimisation: the hot loop must not start in tier-0 code (measured: 1.4 vs 49 GFLOP/s for the
        // panel GEMM on a loaded machine, where tier-1 recompilation came late).
        string? cpu = !usesBarriers
            ? syntax.Body is not null
                ? LineDirective(syntax.Body) + syntax.Body.ToString() + "\n#line default"
                : syntax.ExpressionBody is not null ? "{\n    " + syntax.ExpressionBody.Expression.ToString() + ";\n}" : null
            : null;
        return empty with
        {
            Usings = Usings(syntax),
            Parameters = new EquatableArray<ParameterModel>(kernel.Parameters.Select(Parameter)),
            OpenCLSource = openCL.Source,
            CudaSource = cuda.Source,
            UsesBarriers = usesBarriers,
            UsesDoubles = openCL.UsesDoubles || cuda.UsesDoubles,
            SharedMemoryBytes = openCL.SharedMemoryBytes,
            PhasedBody = phased,
            CpuBody = cpu,
            Diagnostics = new EquatableArray<DiagnosticInfo>(diagnostics),
        };
    }

    /// <summary>Maps the copied body back to the kernel's source lines, so breakpoints there hit the phased iterator.</summary>
    private static string LineDirective(BlockSyntax body)
    {
        var span = body.GetLocation().GetLineSpan();
        string path = span.Path.Replace("\\", "\\\\").Replace("\"", "\\\"");
        return path.Length == 0
            ? ""
            : $"#line {(span.StartLinePosition.Line + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)} \"{path}\"\n";
    }

    private static string Accessibility(IMethodSymbol m) => m.DeclaredAccessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };

    /// <summary>The using directives of the kernel's file (and of its namespace declarations).</summary>
    private static string Usings(MethodDeclarationSyntax syntax)
    {
        var lines = new List<string>();
        var root = syntax.SyntaxTree.GetRoot() as CompilationUnitSyntax;
        if (root is not null)
        {
            lines.AddRange(root.Usings.Select(u => u.WithoutTrivia().ToString()));
        }
        foreach (var ns in syntax.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Reverse())
        {
            lines.AddRange(ns.Usings.Select(u => u.WithoutTrivia().ToString()));
        }
        return lines.Count == 0 ? "" : string.Join("\n", lines.Distinct()) + "\n\n";
    }

    private static ParameterModel Parameter(IParameterSymbol p)
    {
        string kind = KnownTypes.ViewKindOf(p.Type) switch
        {
            ViewKind.View1D => "View",
            ViewKind.View2D => "View2D",
            ViewKind.View3D => "View3D",
            _ => KnownTypes.IsUserStruct(p.Type) ? "Struct" : "Scalar",
        };
        string name = SyntaxFacts.GetKeywordKind(p.Name) != SyntaxKind.None ? "@" + p.Name : p.Name;
        return new ParameterModel(name, kind, p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), p.Type.SpecialType == SpecialType.System_Boolean);
    }
}
