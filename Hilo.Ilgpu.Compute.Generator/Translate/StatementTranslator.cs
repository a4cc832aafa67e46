using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>
/// Translates statements, keeping the author's layout: blank lines and comments between statements,
/// braces where the C# has them, Allman style.
/// </summary>
internal sealed partial class StatementTranslator
{
    private readonly ExpressionTranslator x;
    private readonly CodeWriter w;

    public StatementTranslator(ExpressionTranslator expressions, CodeWriter writer)
    {
        x = expressions;
        w = writer;
    }

    private TranslationContext Context => x.Context;

    /// <summary>Shared arrays of the kernel, to be declared at kernel scope (OpenCL requires it).</summary>
    public List<string> SharedArrays { get; } = new();

    /// <summary>Bytes of shared memory, each allocation rounded up to 64.</summary>
    public int SharedBytes { get; private set; }

    /// <summary>Writes the statements of a body (without its braces).</summary>
    public void Statements(IEnumerable<StatementSyntax> statements)
    {
        bool first = true;
        foreach (var s in statements)
        {
            LeadingTrivia(s, first);
            Statement(s);
            first = false;
        }
    }

    /// <summary>Blank lines and comments the author wrote before <paramref name="s"/>.</summary>
    private void LeadingTrivia(StatementSyntax s, bool first)
    {
        bool blank = false;
        bool lineHasContent = false; // the end of a comment's own line is not a blank line
        foreach (var t in s.GetLeadingTrivia())
        {
            if (t.IsKind(SyntaxKind.EndOfLineTrivia))
            {
                blank |= !lineHasContent;
                lineHasContent = false;
            }
            else if (t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia))
            {
                if (blank && !first && !w.EndsWithBlankLine)
                {
                    w.Line();
                }
                blank = false;
                first = false;
                lineHasContent = true;
                foreach (string line in t.ToString().Split('\n'))
                {
                    w.Line(line.Trim());
                }
            }
        }
        if (blank && !first && !w.EndsWithBlankLine)
        {
            w.Line();
        }
    }

    public void Statement(StatementSyntax s)
    {
        switch (s)
        {
            case BlockSyntax b:
                w.Open();
                Statements(b.Statements);
                w.Close();
                break;
            case LocalDeclarationStatementSyntax d:
                Declaration(d);
                break;
            case ExpressionStatementSyntax e:
                w.Line(ExpressionStatement(e.Expression) + ";");
                break;
            case IfStatementSyntax i:
                If(i);
                break;
            case ForStatementSyntax f:
                For(f);
                break;
            case WhileStatementSyntax wh:
                w.Line($"while ({x.Code(wh.Condition)})");
                Embedded(wh.Statement);
                break;
            case DoStatementSyntax d:
                w.Line("do");
                Embedded(d.Statement, forceBraces: true);
                w.Line($"while ({x.Code(d.Condition)});");
                break;
            case SwitchStatementSyntax sw:
                Switch(sw);
                break;
            case BreakStatementSyntax:
                w.Line("break;");
                break;
            case ContinueStatementSyntax:
                w.Line("continue;");
                break;
            case ReturnStatementSyntax r:
                w.Line(r.Expression is null ? "return;" : $"return {x.Code(r.Expression)};");
                break;
            case EmptyStatementSyntax:
                w.Line(";");
                break;
            case CheckedStatementSyntax { Keyword.RawKind: (int)SyntaxKind.UncheckedKeyword } u:
                Statement(u.Block);
                break;
            default:
                throw new TranslationException(s, $"the statement '{s.Kind()}'");
        }
    }

    private void Embedded(StatementSyntax s, bool forceBraces = false)
    {
        if (s is BlockSyntax)
        {
            Statement(s);
        }
        else if (forceBraces)
        {
            w.Open();
            Statement(s);
            w.Close();
        }
        else
        {
            w.Indent++;
            Statement(s);
            w.Indent--;
        }
    }

    private string ExpressionStatement(ExpressionSyntax e)
    {
        switch (e)
        {
            case InvocationExpressionSyntax inv when IsBarrier(inv):
                return x.D.Barrier.TrimEnd(';');
            case PostfixUnaryExpressionSyntax p when p.Kind() is SyntaxKind.PostIncrementExpression or SyntaxKind.PostDecrementExpression:
                return x.StatementStep(p.Operand, p, p.IsKind(SyntaxKind.PostIncrementExpression));
            case PrefixUnaryExpressionSyntax p when p.Kind() is SyntaxKind.PreIncrementExpression or SyntaxKind.PreDecrementExpression:
                return x.StatementStep(p.Operand, p, p.IsKind(SyntaxKind.PreIncrementExpression));
            default:
                return x.Code(e);
        }
    }

    public bool IsBarrier(InvocationExpressionSyntax inv) =>
        x.Model.GetSymbolInfo(inv).Symbol is IMethodSymbol { Name: "Barrier" } m &&
        KnownTypes.IsLanguageType(m.ContainingType, "Group");

    private void Declaration(LocalDeclarationStatementSyntax d)
    {
        var type = x.Model.GetTypeInfo(d.Declaration.Type).Type
            ?? throw new TranslationException(d, "a declaration without a type");
        var variables = d.Declaration.Variables;
        if (variables.Count == 1 && variables[0].Initializer?.Value is InvocationExpressionSyntax inv &&
            x.Model.GetSymbolInfo(inv).Symbol is IMethodSymbol { Name: "Allocate" } alloc &&
            KnownTypes.IsLanguageType(alloc.ContainingType, "SharedMemory"))
        {
            SharedAllocation(variables[0], alloc, inv);
            return;
        }
        string cType = Context.CType(type, d);
        var parts = variables.Select(v => v.Initializer is null
            ? Names.Of(v.Identifier.ValueText)
            : $"{Names.Of(v.Identifier.ValueText)} = {Initializer(v.Initializer.Value, type)}");
        w.Line($"{(d.IsConst ? "const " : "")}{cType} {string.Join(", ", parts)};");
    }

    /// <summary>Struct zero-initialisers read better as <c>= {0}</c> in declarations.</summary>
    private string Initializer(ExpressionSyntax value, ITypeSymbol type)
    {
        bool zero = value is DefaultExpressionSyntax || value.IsKind(SyntaxKind.DefaultLiteralExpression) ||
            value is BaseObjectCreationExpressionSyntax { ArgumentList: null or { Arguments.Count: 0 }, Initializer: null };
        if (zero && KnownTypes.IsUserStruct(type))
        {
            return "{0}";
        }
        return x.Operand(value, Prec.Assign);
    }

    private void SharedAllocation(VariableDeclaratorSyntax v, IMethodSymbol alloc, InvocationExpressionSyntax inv)
    {
        if (!x.InKernel)
        {
            throw new TranslationException(inv, "SharedMemory.Allocate in a helper method");
        }
        var element = alloc.TypeArguments[0];
        var length = x.Model.GetConstantValue(inv.ArgumentList.Arguments[0].Expression);
        if (!length.HasValue)
        {
            throw new TranslationException(inv, "SharedMemory.Allocate with a length that is not a constant");
        }
        int n = System.Convert.ToInt32(length.Value, CultureInfo.InvariantCulture);
        string name = Names.Of(v.Identifier.ValueText);
        string elementName = Context.ElementName(element, inv);
        string cElement = KnownTypes.PrimitiveName(element) is not null ? x.D.Primitive(elementName) : elementName;
        SharedArrays.Add(x.D.SharedArray(cElement, name + "_data", n));
        int bytes = n * KnownTypes.Layout(element).Size;
        SharedBytes += (bytes + 63) / 64 * 64;
        string viewType = Context.CType(x.Model.GetTypeInfo(inv).Type!, inv);
        w.Line($"{viewType} {name} = {{ {name}_data, {n.ToString(CultureInfo.InvariantCulture)} }};");
    }

    private void If(IfStatementSyntax i)
    {
        w.Line($"if ({x.Code(i.Condition)})");
        Embedded(i.Statement);
        var e = i.Else;
        while (e is not null)
        {
            if (e.Statement is IfStatementSyntax elseIf)
            {
                w.Line($"else if ({x.Code(elseIf.Condition)})");
                Embedded(elseIf.Statement);
                e = elseIf.Else;
            }
            else
            {
                w.Line("else");
                Embedded(e.Statement);
                e = null;
            }
        }
    }

    private void For(ForStatementSyntax f)
    {
        foreach (var inc in f.Incrementors)
        {
            if (LoopCounterCannotOverflow(f, inc))
            {
                x.NonOverflowing.Add(inc);
            }
        }
        string init = "";
        if (f.Declaration is { } decl)
        {
            var type = x.Model.GetTypeInfo(decl.Type).Type!;
            init = Context.CType(type, decl) + " " + string.Join(", ", decl.Variables.Select(v =>
                v.Initializer is null ? Names.Of(v.Identifier.ValueText) : $"{Names.Of(v.Identifier.ValueText)} = {x.Operand(v.Initializer.Value, Prec.Assign)}"));
        }
        else if (f.Initializers.Count > 0)
        {
            init = string.Join(", ", f.Initializers.Select(ExpressionStatement));
        }
        string condition = f.Condition is null ? "" : " " + x.Code(f.Condition);
        string step = f.Incrementors.Count == 0 ? "" : " " + string.Join(", ", f.Incrementors.Select(ExpressionStatement));
        w.Line($"for ({init};{condition};{step})");
        Embedded(f.Statement);
    }

    private void Switch(SwitchStatementSyntax sw)
    {
        var governing = x.TypeOf(sw.Expression);
        RequireSectionLocalScopes(sw);
        w.Line($"switch ({x.Code(sw.Expression)})");
        w.Open();
        bool firstSection = true;
        foreach (var section in sw.Sections)
        {
            if (!firstSection && section.GetLeadingTrivia().Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia)))
            {
                w.Line();
            }
            firstSection = false;
            foreach (var label in section.Labels)
            {
                switch (label)
                {
                    case CaseSwitchLabelSyntax c:
                        var value = x.Model.GetConstantValue(c.Value);
                        string text = value.HasValue ? Literals.Of(value.Value, governing, x.D).Text : x.Code(c.Value);
                        w.Line($"case {text}:");
                        break;
                    case DefaultSwitchLabelSyntax:
                        w.Line("default:");
                        break;
                    default:
                        throw new TranslationException(label, $"the switch label '{label}'");
                }
            }
            // C# scopes a section's locals to the whole switch; C needs a block after a label for a declaration.
            bool declares = section.Statements.Any(st => st is LocalDeclarationStatementSyntax);
            if (declares)
            {
                w.Indent++;
                w.Open();
                Statements(section.Statements);
                w.Close();
                w.Indent--;
            }
            else
            {
                w.Indent++;
                Statements(section.Statements);
                w.Indent--;
            }
        }
        w.Close();
    }

    /// <summary>C# scopes a switch section's locals to the whole switch; the C blocks per section do not.</summary>
    private void RequireSectionLocalScopes(SwitchStatementSyntax sw)
    {
        foreach (var section in sw.Sections)
        {
            var own = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var v in section.Statements.OfType<LocalDeclarationStatementSyntax>().SelectMany(d => d.Declaration.Variables))
            {
                if (x.Model.GetDeclaredSymbol(v) is { } local)
                {
                    own.Add(local);
                }
            }
            foreach (var other in sw.Sections.Where(o => o != section))
            {
                foreach (var id in other.DescendantNodes().OfType<IdentifierNameSyntax>())
                {
                    if (x.Model.GetSymbolInfo(id).Symbol is ILocalSymbol l && own.Contains(l))
                    {
                        throw new TranslationException(id, $"'{id}', a local declared in another switch section (declare it before the switch)");
                    }
                }
            }
        }
    }
}
