using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Emit;

/// <summary>
/// Turns a kernel body with barriers into the body of a C# iterator for the managed CPU backend:
/// each <c>Group.Barrier();</c> becomes <c>yield return null;</c> and each <c>return;</c> becomes
/// <c>yield break;</c>, so the backend can run every work-item of a group up to the next barrier in turn.
/// </summary>
internal sealed class PhasedRewriter : CSharpSyntaxRewriter
{
    private readonly HashSet<SyntaxNode> barriers;

    private PhasedRewriter(HashSet<SyntaxNode> barriers) => this.barriers = barriers;

    /// <summary>The rewritten block as source text (layout and comments kept).</summary>
    public static string Rewrite(BlockSyntax body, SemanticModel model)
    {
        var barriers = new HashSet<SyntaxNode>();
        foreach (var statement in body.DescendantNodes())
        {
            if (statement is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax inv } &&
                model.GetSymbolInfo(inv).Symbol is IMethodSymbol { Name: "Barrier" } m &&
                Translate.KnownTypes.IsLanguageType(m.ContainingType, "Group"))
            {
                barriers.Add(statement);
            }
        }
        return new PhasedRewriter(barriers).Visit(body).ToString();
    }

    public override SyntaxNode? VisitExpressionStatement(ExpressionStatementSyntax node)
    {
        if (barriers.Contains(node))
        {
            return SyntaxFactory.ParseStatement("yield return null;").WithTriviaFrom(node);
        }
        return base.VisitExpressionStatement(node);
    }

    public override SyntaxNode? VisitReturnStatement(ReturnStatementSyntax node) =>
        node.Expression is null
            ? SyntaxFactory.ParseStatement("yield break;").WithTriviaFrom(node)
            : base.VisitReturnStatement(node);

    // Lambdas and local functions are not kernel language, but never rewrite inside them anyway.
    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node) => node;

    public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node) => node;

    public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node) => node;
}
