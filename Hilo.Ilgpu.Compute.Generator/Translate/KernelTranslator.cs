using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>One kernel translated to one dialect.</summary>
internal sealed record TranslatedKernel(string Source, bool UsesDoubles, int SharedMemoryBytes);

/// <summary>
/// Translates a kernel and every helper it reaches into one self-contained source: header, user structs,
/// prelude, helpers (callees before callers), then the entry point with the ABI of kernel-abi.md §2.
/// </summary>
internal static class KernelTranslator
{
    public static TranslatedKernel Translate(
        Dialect dialect, IMethodSymbol kernel, MethodDeclarationSyntax syntax, SemanticModel model, bool usesBarriers, string fullName)
    {
        var context = new TranslationContext(dialect, model.Compilation);
        string entry = Entry(context, kernel, syntax, model, usesBarriers, out int sharedBytes);
        var helpers = new Dictionary<IMethodSymbol, (string Code, List<IMethodSymbol> Callees)>(SymbolEqualityComparer.Default);
        for (int i = 0; i < context.Helpers.Count; i++)
        {
            var helper = context.Helpers[i];
            int before = context.Helpers.Count;
            string code = Helper(context, helper);
            helpers[helper] = (code, context.Helpers.Skip(before).ToList());
        }
        // Callees before callers; with no recursion (the validator forbids it) no prototypes are needed.
        var ordered = new List<IMethodSymbol>();
        var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        void Visit(IMethodSymbol m)
        {
            if (!seen.Add(m))
            {
                return;
            }
            foreach (var callee in CalleesOf(context, m, helpers))
            {
                Visit(callee);
            }
            ordered.Add(m);
        }
        foreach (var m in context.Helpers)
        {
            Visit(m);
        }

        var structs = new List<string>();
        for (int i = 0; i < context.Structs.Count; i++)
        {
            structs.Add(context.StructDefinition(context.Structs[i], syntax));
        }
        var parts = new List<string> { dialect.Header(fullName, context.UsesDoubles) };
        parts.AddRange(structs);
        if (!context.Prelude.IsEmpty)
        {
            parts.Add(context.Prelude.Text);
        }
        parts.AddRange(ordered.Select(m => helpers[m].Code));
        parts.Add(entry);
        return new TranslatedKernel(string.Join("\n", parts), context.UsesDoubles, sharedBytes);
    }

    /// <summary>Helpers a helper calls (found by translating it: every call registers its callee).</summary>
    private static IEnumerable<IMethodSymbol> CalleesOf(
        TranslationContext context, IMethodSymbol m, Dictionary<IMethodSymbol, (string Code, List<IMethodSymbol> Callees)> helpers)
    {
        // A callee already registered by an earlier function is not in that list; find calls by syntax instead.
        var syntax = m.DeclaringSyntaxReferences[0].GetSyntax();
        var model = context.ModelFor(syntax.SyntaxTree);
        foreach (var inv in syntax.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (model.GetSymbolInfo(inv).Symbol is IMethodSymbol callee && helpers.ContainsKey(callee.OriginalDefinition))
            {
                yield return callee.OriginalDefinition;
            }
        }
    }

    private static string Helper(TranslationContext context, IMethodSymbol method)
    {
        var syntax = (MethodDeclarationSyntax)method.DeclaringSyntaxReferences[0].GetSyntax();
        var model = context.ModelFor(syntax.SyntaxTree);
        var x = new ExpressionTranslator(context, model, inKernel: false);
        var w = new CodeWriter();
        string name = context.HelperName(method, syntax);
        string parameters = string.Join(", ", method.Parameters.Select(p => $"{context.CType(p.Type, syntax)} {Names.Of(p.Name)}"));
        w.Line($"// {method.ContainingType.Name}.{method.Name}");
        w.Line($"{context.Dialect.FunctionPrefix}{context.CType(method.ReturnType, syntax)} {name}({(parameters.Length == 0 ? "void" : parameters)})");
        w.Open();
        var statements = new StatementTranslator(x, w);
        if (syntax.Body is { } body)
        {
            statements.Statements(body.Statements);
        }
        else if (syntax.ExpressionBody is { } arrow)
        {
            w.Line(method.ReturnsVoid ? x.Code(arrow.Expression) + ";" : $"return {x.Code(arrow.Expression)};");
        }
        w.Close();
        return w.ToString();
    }

    private static string Entry(
        TranslationContext context, IMethodSymbol kernel, MethodDeclarationSyntax syntax, SemanticModel model, bool usesBarriers, out int sharedBytes)
    {
        var d = context.Dialect;
        var x = new ExpressionTranslator(context, model, inKernel: true);
        var body = new CodeWriter { Indent = 1 };
        var statements = new StatementTranslator(x, body);
        if (syntax.Body is { } block)
        {
            statements.Statements(block.Statements);
        }
        else if (syntax.ExpressionBody is { } arrow)
        {
            body.Line(x.Code(arrow.Expression) + ";");
        }
        sharedBytes = statements.SharedBytes;

        var signature = new List<string>();
        var setup = new List<string>();
        foreach (var p in kernel.Parameters)
        {
            string name = Names.Of(p.Name);
            var kind = KnownTypes.ViewKindOf(p.Type);
            if (kind != ViewKind.None)
            {
                string element = context.ElementName(KnownTypes.ElementOf(p.Type), syntax);
                string pointer = d.GlobalPointer(KnownTypes.PrimitiveName(KnownTypes.ElementOf(p.Type)) is not null ? d.Primitive(element) : element);
                string view = context.CType(p.Type, syntax);
                string flat = $"{{ {name}_ptr + {name}_offset, {name}_length }}";
                switch (kind)
                {
                    case ViewKind.View1D:
                        signature.Add($"{pointer} {name}_ptr, int {name}_offset, int {name}_length");
                        setup.Add($"{view} {name} = {flat};");
                        break;
                    case ViewKind.View2D:
                        signature.Add($"{pointer} {name}_ptr, int {name}_offset, int {name}_length, int {name}_width, int {name}_height, int {name}_stride");
                        setup.Add($"{view} {name} = {{ {flat}, {name}_width, {name}_height, {name}_stride }};");
                        break;
                    default:
                        signature.Add($"{pointer} {name}_ptr, int {name}_offset, int {name}_length, int {name}_width, int {name}_height, int {name}_depth, int {name}_rowStride, int {name}_sliceStride");
                        setup.Add($"{view} {name} = {{ {flat}, {name}_width, {name}_height, {name}_depth, {name}_rowStride, {name}_sliceStride }};");
                        break;
                }
            }
            else if (p.Type.SpecialType == SpecialType.System_Boolean)
            {
                signature.Add($"int {name}_arg");
                setup.Add($"bool {name} = {name}_arg != 0;");
            }
            else
            {
                signature.Add($"{context.CType(p.Type, syntax)} {name}");
            }
        }
        signature.Add("int hilo_global_x, int hilo_global_y, int hilo_global_z");

        var w = new CodeWriter();
        w.Line($"{d.KernelPrefix} {Names.Of(kernel.Name)}(");
        for (int i = 0; i < signature.Count; i++)
        {
            w.Line("    " + signature[i] + (i + 1 < signature.Count ? "," : ")"));
        }
        w.Open();
        foreach (string shared in statements.SharedArrays)
        {
            w.Line(shared);
        }
        if (!usesBarriers)
        {
            string Id(int dim) => d.Index(IndexKind.Global, dim);
            // Work-items of the last, partial group beyond the launch's global size do nothing.
            w.Line($"if ({Id(0)} >= hilo_global_x ||");
            w.Line($"    {Id(1)} >= hilo_global_y ||");
            w.Line($"    {Id(2)} >= hilo_global_z)");
            w.Line("    return;");
        }
        foreach (string line in setup)
        {
            w.Line(line);
        }
        if (statements.SharedArrays.Count > 0 || !usesBarriers || setup.Count > 0)
        {
            w.Line();
        }
        w.Raw(body.ToString());
        w.Close();
        return w.ToString();
    }

    /// <summary>Text of an int for C.</summary>
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
