using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Analysis;

/// <summary>What the checker learnt about one method, for the divergence analysis.</summary>
internal sealed class MethodFacts
{
    /// <summary>Name of the first work-item-varying value the method reads itself (an index, a load, an atomic), or null.</summary>
    public string? DirectVarying { get; set; }

    /// <summary>Helper methods it calls.</summary>
    public List<IMethodSymbol> Callees { get; } = new();
}

/// <summary>State shared by the checks of one kernel and its helpers: diagnostics, the call stack, what was already checked.</summary>
internal sealed class ValidationContext
{
    private readonly List<Diagnostic> diagnostics = new();
    private readonly HashSet<(string Id, Location Location)> reported = new();
    private readonly HashSet<ISymbol> finished = new(SymbolEqualityComparer.Default);
    private readonly List<IMethodSymbol> stack = new();
    private readonly HashSet<ISymbol> checkedStructs = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<SyntaxTree, SemanticModel> models = new();

    public ValidationContext(IMethodSymbol kernel, SemanticModel model, CancellationToken cancellationToken)
    {
        Kernel = kernel;
        Compilation = model.Compilation;
        CancellationToken = cancellationToken;
        models[model.SyntaxTree] = model;
    }

    public IMethodSymbol Kernel { get; }

    public Compilation Compilation { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Facts per checked method (kernel included).</summary>
    public Dictionary<IMethodSymbol, MethodFacts> Facts { get; } = new(SymbolEqualityComparer.Default);

    public ImmutableArray<Diagnostic> Diagnostics => diagnostics.ToImmutableArray();

    /// <summary>Adds a diagnostic unless the same ID was already reported at the same place.</summary>
    public void Report(DiagnosticDescriptor descriptor, Location location, params object?[] args) =>
        Report(Diagnostic.Create(descriptor, location, args));

    public void Report(Diagnostic diagnostic)
    {
        if (reported.Add((diagnostic.Id, diagnostic.Location)))
        {
            diagnostics.Add(diagnostic);
        }
    }

    public SemanticModel ModelFor(SyntaxTree tree)
    {
        if (!models.TryGetValue(tree, out var model))
        {
            model = Compilation.GetSemanticModel(tree);
            models[tree] = model;
        }
        return model;
    }

    public bool IsInSource(ISymbol symbol) =>
        SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, Compilation.Assembly);

    /// <summary>Checks the kernel body (the kernel is the bottom of the call stack).</summary>
    public void CheckKernel(MethodDeclarationSyntax syntax, SemanticModel model)
    {
        stack.Add(Kernel);
        new BodyChecker(this, Kernel, syntax, model, isKernel: true).Run();
        stack.RemoveAt(stack.Count - 1);
        finished.Add(Kernel);
    }

    /// <summary>
    /// Handles a call from kernel code to a static method of this compilation: reports recursion, and checks the
    /// helper (signature and body) the first time it is reached. Depth-first, so a cycle always meets the stack.
    /// </summary>
    public void CallHelper(IMethodSymbol helper, SyntaxNode callSite)
    {
        helper = helper.PartialImplementationPart ?? helper;
        int onStack = stack.FindIndex(m => SymbolEqualityComparer.Default.Equals(m, helper));
        if (onStack >= 0)
        {
            var cycle = stack.Skip(onStack).Select(m => m.Name).Concat(new[] { helper.Name });
            Report(Analysis.Diagnostics.Recursion, callSite.GetLocation(), helper.Name, string.Join(" -> ", cycle));
            return;
        }
        if (!finished.Add(helper))
        {
            return;
        }
        if (helper.TypeParameters.Length > 0 || helper.ContainingType.IsGenericType)
        {
            Report(Analysis.Diagnostics.GenericHelper, helper.Locations.FirstOrDefault() ?? callSite.GetLocation(), helper.Name);
            return;
        }
        var declaration = helper.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(CancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
        if (declaration is null || (declaration.Body is null && declaration.ExpressionBody is null))
        {
            string why = declaration is null ? "it is not an ordinary method declaration"
                : helper.IsExtern ? "it is extern" : helper.IsAbstract ? "it is abstract" : "it is a partial method without implementation";
            Report(Analysis.Diagnostics.HelperWithoutBody, helper.Locations.FirstOrDefault() ?? callSite.GetLocation(), helper.Name, why);
            return;
        }
        stack.Add(helper);
        new BodyChecker(this, helper, declaration, ModelFor(declaration.SyntaxTree), isKernel: false).Run();
        stack.RemoveAt(stack.Count - 1);
    }

    /// <summary>Checks the field layout of a user struct once (fields of numeric primitives only).</summary>
    public void CheckStruct(INamedTypeSymbol type)
    {
        if (!checkedStructs.Add(type))
        {
            return;
        }
        int fields = 0;
        foreach (var member in type.GetMembers())
        {
            if (member is not IFieldSymbol { IsStatic: false } field)
            {
                continue;
            }
            fields++;
            var location = (field.AssociatedSymbol ?? field).Locations.FirstOrDefault() ?? Location.None;
            if (field.AssociatedSymbol is IPropertySymbol property)
            {
                Report(Analysis.Diagnostics.StructField, location, type.Name, $"has the auto-property '{property.Name}' (use a field)");
            }
            else if (field.IsFixedSizeBuffer)
            {
                Report(Analysis.Diagnostics.StructField, location, type.Name, $"has the fixed-size buffer '{field.Name}'");
            }
            else if (field.Type.SpecialType == SpecialType.System_Boolean)
            {
                Report(Analysis.Diagnostics.BoolStructField, location, field.Name, type.Name);
            }
            else if (TypeRules.IsVector(field.Type))
            {
                Report(Analysis.Diagnostics.VectorMisuse, location, field.Type.Name, "a struct field");
            }
            else if (!TypeRules.IsNumericPrimitive(field.Type))
            {
                Report(Analysis.Diagnostics.StructField, location, type.Name,
                    $"has the field '{field.Name}' of type '{TypeRules.Show(field.Type)}'");
            }
        }
        if (fields == 0)
        {
            Report(Analysis.Diagnostics.StructField, type.Locations.FirstOrDefault() ?? Location.None, type.Name, "has no fields");
        }
    }
}
