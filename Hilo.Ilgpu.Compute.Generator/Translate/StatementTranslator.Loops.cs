using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>The proof that keeps a bounded for-loop counter's <c>i++</c> readable instead of wrapping.</summary>
internal sealed partial class StatementTranslator
{
    /// <summary>
    /// <c>i++</c> under the condition <c>i &lt; E</c> (E of i's type) cannot overflow, nor <c>i--</c> under
    /// <c>i &gt; E</c>, as long as the body does not assign i: the counter stays readable (no wrapping form).
    /// </summary>
    private bool LoopCounterCannotOverflow(ForStatementSyntax f, ExpressionSyntax inc)
    {
        ExpressionSyntax? operand = inc switch
        {
            PostfixUnaryExpressionSyntax p => p.Operand,
            PrefixUnaryExpressionSyntax p => p.Operand,
            _ => null,
        };
        if (operand is not IdentifierNameSyntax id || f.Condition is null ||
            x.Model.GetSymbolInfo(id).Symbol is not ILocalSymbol counter)
        {
            return false;
        }
        bool increment = inc.Kind() is SyntaxKind.PostIncrementExpression or SyntaxKind.PreIncrementExpression;
        bool bounded = Conjuncts(f.Condition).Any(c => Bounds(c, counter, increment));
        return bounded && !AssignedIn(f.Statement, counter) && !AssignedIn(f.Condition, counter);
    }

    private static IEnumerable<ExpressionSyntax> Conjuncts(ExpressionSyntax e)
    {
        while (e is ParenthesizedExpressionSyntax p)
        {
            e = p.Expression;
        }
        if (e is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalAndExpression } and)
        {
            return Conjuncts(and.Left).Concat(Conjuncts(and.Right));
        }
        return new[] { e };
    }

    private bool Bounds(ExpressionSyntax c, ILocalSymbol counter, bool increment)
    {
        if (c is not BinaryExpressionSyntax b ||
            x.Model.GetSymbolInfo(b).Symbol is not IMethodSymbol { MethodKind: MethodKind.BuiltinOperator } op ||
            !SymbolEqualityComparer.Default.Equals(op.Parameters[0].Type, counter.Type))
        {
            return false;
        }
        bool IsCounter(ExpressionSyntax e) => e is IdentifierNameSyntax n &&
            SymbolEqualityComparer.Default.Equals(x.Model.GetSymbolInfo(n).Symbol, counter);
        // i < E or E > i bound an increment; i > E or E < i bound a decrement.
        return (b.Kind(), increment) switch
        {
            (SyntaxKind.LessThanExpression, true) => IsCounter(b.Left),
            (SyntaxKind.GreaterThanExpression, true) => IsCounter(b.Right),
            (SyntaxKind.GreaterThanExpression, false) => IsCounter(b.Left),
            (SyntaxKind.LessThanExpression, false) => IsCounter(b.Right),
            _ => false,
        };
    }

    private bool AssignedIn(SyntaxNode node, ILocalSymbol local) => node.DescendantNodesAndSelf().Any(n =>
    {
        ExpressionSyntax? target = n switch
        {
            AssignmentExpressionSyntax a => a.Left,
            PostfixUnaryExpressionSyntax p => p.Operand,
            PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } p => p.Operand,
            ArgumentSyntax { RefKindKeyword.RawKind: not (int)SyntaxKind.None } arg => arg.Expression,
            _ => null,
        };
        return target is IdentifierNameSyntax id && SymbolEqualityComparer.Default.Equals(x.Model.GetSymbolInfo(id).Symbol, local);
    });
}
