using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Analysis;

/// <summary>
/// Every work-item of a group must reach the same Group.Barrier() calls. A flow-insensitive taint analysis
/// finds the locals whose value can differ between work-items (assigned from Grid.GlobalIndex, Group.Index,
/// Group.LinearIndex, loads, atomics, or under a varying condition); a barrier under a condition built from
/// them, and a return/break/continue under such a condition that skips a barrier, are errors. Conservative:
/// it may refuse a kernel that is in fact uniform, never the other way round.
/// </summary>
internal sealed class BarrierChecker
{
    private readonly ValidationContext context;
    private readonly SemanticModel model;
    private readonly SyntaxNode body;
    private readonly Dictionary<ISymbol, string> varying = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ISymbol, string?> helperVarying = new(SymbolEqualityComparer.Default);
    private readonly HashSet<SyntaxNode> loopsInProgress = new();

    private BarrierChecker(ValidationContext context, SemanticModel model, SyntaxNode body)
    {
        this.context = context;
        this.model = model;
        this.body = body;
    }

    public static void Check(ValidationContext context, MethodDeclarationSyntax kernel, SemanticModel model)
    {
        SyntaxNode? body = (SyntaxNode?)kernel.Body ?? kernel.ExpressionBody;
        if (body is null)
        {
            return;
        }
        var barriers = body.DescendantNodes().OfType<ExpressionStatementSyntax>()
            .Where(s => s.Expression is InvocationExpressionSyntax call && IsBarrier(model, call)).ToList();
        if (barriers.Count == 0)
        {
            return;
        }
        var checker = new BarrierChecker(context, model, body);
        checker.FindVaryingLocals();
        checker.CheckBarriers(barriers);
        checker.CheckJumps(barriers);
    }

    private static bool IsBarrier(SemanticModel model, InvocationExpressionSyntax call) =>
        model.GetSymbolInfo(call).Symbol is IMethodSymbol { Name: "Barrier" } m && TypeRules.IsLanguageType(m.ContainingType, "Group");

    /// <summary>Iterates to a fixed point: a local is varying when any assignment to it is.</summary>
    private void FindVaryingLocals()
    {
        var assignments = new List<(ISymbol Target, ExpressionSyntax? Value, SyntaxNode Site)>();
        foreach (var node in body.DescendantNodes())
        {
            switch (node)
            {
                case VariableDeclaratorSyntax { Initializer: { } init } declarator
                    when model.GetDeclaredSymbol(declarator) is ILocalSymbol local:
                    assignments.Add((local, init.Value, declarator));
                    break;
                case AssignmentExpressionSyntax assignment when RootLocal(assignment.Left) is { } target:
                    assignments.Add((target, assignment.Right, assignment));
                    break;
                case PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax when RootLocal(Operand(node)) is { } counter &&
                    node.Kind() is SyntaxKind.PreIncrementExpression or SyntaxKind.PreDecrementExpression or
                        SyntaxKind.PostIncrementExpression or SyntaxKind.PostDecrementExpression:
                    assignments.Add((counter, null, node));
                    break;
            }
        }
        bool changed = true;
        while (changed)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            changed = false;
            foreach (var (target, value, site) in assignments)
            {
                if (varying.ContainsKey(target))
                {
                    continue;
                }
                string? reason = (value is null ? null : Varying(value)) ?? ControlVarying(site)?.Reason;
                if (reason is not null)
                {
                    varying[target] = reason;
                    changed = true;
                }
            }
        }
    }

    private static ExpressionSyntax Operand(SyntaxNode node) =>
        node is PrefixUnaryExpressionSyntax prefix ? prefix.Operand : ((PostfixUnaryExpressionSyntax)node).Operand;

    /// <summary>The local or parameter an assignment target writes (s, s.X, s.A.B).</summary>
    private ISymbol? RootLocal(ExpressionSyntax target)
    {
        while (target is MemberAccessExpressionSyntax member)
        {
            target = member.Expression;
        }
        return model.GetSymbolInfo(target).Symbol is ISymbol s and (ILocalSymbol or IParameterSymbol) ? s : null;
    }

    /// <summary>Why <paramref name="expression"/> can differ between work-items of a group, or null when uniform.</summary>
    private string? Varying(ExpressionSyntax expression)
    {
        foreach (var node in expression.DescendantNodesAndSelf())
        {
            switch (node)
            {
                case IdentifierNameSyntax identifier:
                    var symbol = model.GetSymbolInfo(identifier).Symbol;
                    if (symbol is ILocalSymbol or IParameterSymbol && varying.ContainsKey(symbol))
                    {
                        return "'" + identifier.Identifier.Text + "', which is assigned from " + varying[symbol];
                    }
                    if (symbol is IPropertySymbol { Name: "GlobalIndex" or "Index" or "LinearIndex" } property &&
                        (TypeRules.IsLanguageType(property.ContainingType, "Grid") || TypeRules.IsLanguageType(property.ContainingType, "Group")))
                    {
                        return property.ContainingType.Name + "." + property.Name;
                    }
                    break;
                case ElementAccessExpressionSyntax access
                    when model.GetTypeInfo(access.Expression).Type is { } type && (TypeRules.IsView(type) || TypeRules.IsSharedView(type)):
                    return "a load from memory ('" + access + "')";
                case InvocationExpressionSyntax call when model.GetSymbolInfo(call).Symbol is IMethodSymbol target:
                    if (TypeRules.IsLanguageType(target.ContainingType, "Atomic"))
                    {
                        return "the result of an atomic operation";
                    }
                    if (target.Name == "Load" && TypeRules.IsVector(target.ContainingType))
                    {
                        return "a load from memory ('" + call + "')";
                    }
                    if (HelperVarying(target.OriginalDefinition) is { } inner)
                    {
                        return "helper '" + target.Name + "', which reads " + inner;
                    }
                    break;
            }
        }
        return null;
    }

    /// <summary>Whether a helper reads a varying value itself or through its callees (arguments are checked by the caller).</summary>
    private string? HelperVarying(IMethodSymbol helper)
    {
        if (helperVarying.TryGetValue(helper, out var known))
        {
            return known;
        }
        helperVarying[helper] = null; // cycles (already reported as recursion) end here
        string? result = null;
        if (context.Facts.TryGetValue(helper, out var facts))
        {
            result = facts.DirectVarying;
            foreach (var callee in facts.Callees)
            {
                result ??= HelperVarying(callee);
            }
        }
        helperVarying[helper] = result;
        return result;
    }

    /// <summary>The innermost construct around <paramref name="site"/> (up to <paramref name="stop"/>) whose condition varies.</summary>
    private (string Construct, string Condition, string Reason)? ControlVarying(SyntaxNode site, SyntaxNode? stop = null)
    {
        SyntaxNode child = site;
        for (var node = site.Parent; node is not null && node != body && node != stop; child = node, node = node.Parent)
        {
            (string, ExpressionSyntax?)? test = node switch
            {
                IfStatementSyntax s when child != s.Condition => ("an if statement", s.Condition),
                ElseClauseSyntax { Parent: IfStatementSyntax s } => ("the else branch of an if statement", s.Condition),
                SwitchSectionSyntax { Parent: SwitchStatementSyntax s } => ("a switch statement", s.Expression),
                WhileStatementSyntax s => ("a while loop", s.Condition),
                DoStatementSyntax s => ("a do-while loop", s.Condition),
                ForStatementSyntax s when child == s.Statement || s.Incrementors.Contains(child) => ("a for loop", s.Condition),
                ConditionalExpressionSyntax s when child != s.Condition => ("a conditional expression", s.Condition),
                BinaryExpressionSyntax s when child == s.Right && s.Kind() is SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression =>
                    ("a short-circuit operator", s.Left),
                _ => null,
            };
            if (test is ({ } construct, { } condition) && Varying(condition) is { } reason)
            {
                return (construct, condition.ToString(), reason);
            }
            if (IsLoop(node) && VaryingExit(node, site) is { } exit)
            {
                return (exit.Construct, exit.Condition, exit.Reason);
            }
        }
        return null;
    }

    /// <summary>
    /// A break or return inside <paramref name="loop"/> that only some work-items take (it makes everything assigned in
    /// the loop varying), or, when <paramref name="site"/> is given, such a continue before it in the loop body.
    /// </summary>
    private (string Construct, string Condition, string Reason)? VaryingExit(SyntaxNode loop, SyntaxNode? site = null)
    {
        if (!loopsInProgress.Add(loop))
        {
            return null; // a return inside the loop asks about the loop again
        }
        try
        {
            return FirstVaryingExit(loop, site);
        }
        finally
        {
            loopsInProgress.Remove(loop);
        }
    }

    private (string Construct, string Condition, string Reason)? FirstVaryingExit(SyntaxNode loop, SyntaxNode? site)
    {
        bool siteInIncrementor = loop is ForStatementSyntax f && site is not null && f.Incrementors.Any(i => i.Span.Contains(site.Span));
        foreach (var jump in loop.DescendantNodes().Where(n => n is BreakStatementSyntax or ContinueStatementSyntax or ReturnStatementSyntax))
        {
            if (jump is not ReturnStatementSyntax && JumpTarget(jump) != loop)
            {
                continue;
            }
            // A continue only skips the rest of this iteration: it matters for assignments after it in the body.
            if (jump is ContinueStatementSyntax && (site is null || siteInIncrementor || site.SpanStart < jump.SpanStart))
            {
                continue;
            }
            if (ControlVarying(jump, stop: jump is ReturnStatementSyntax ? null : loop) is { } guard)
            {
                return ("a loop left early", guard.Condition, guard.Reason);
            }
        }
        return null;
    }

    /// <summary>The loop (or switch, for break) a break/continue leaves.</summary>
    private static SyntaxNode? JumpTarget(SyntaxNode jump)
    {
        for (var node = jump.Parent; node is not null; node = node.Parent)
        {
            if (node is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax ||
                (node is SwitchStatementSyntax && jump is BreakStatementSyntax))
            {
                return node;
            }
            if (node is MemberDeclarationSyntax)
            {
                return null;
            }
        }
        return null;
    }

    private void CheckBarriers(List<ExpressionStatementSyntax> barriers)
    {
        foreach (var barrier in barriers)
        {
            SyntaxNode child = barrier;
            for (var node = barrier.Parent; node is not null && node != body; child = node, node = node.Parent)
            {
                (string, ExpressionSyntax?)? test = node switch
                {
                    IfStatementSyntax s when child != s.Condition => ("an if statement", s.Condition),
                    ElseClauseSyntax { Parent: IfStatementSyntax s } => ("the else branch of an if statement", s.Condition),
                    SwitchSectionSyntax { Parent: SwitchStatementSyntax s } => ("a switch statement", s.Expression),
                    WhileStatementSyntax s => ("a while loop", s.Condition),
                    DoStatementSyntax s => ("a do-while loop", s.Condition),
                    ForStatementSyntax s => ("a for loop", s.Condition),
                    _ => null,
                };
                if (IsLoop(node) && VaryingExit(node) is not null)
                {
                    break; // the divergent break/return is reported itself (HILO0087/HILO0088)
                }
                if (test is ({ } construct, { } condition) && Varying(condition) is { } reason)
                {
                    context.Report(Diagnostics.DivergentBarrier, barrier.GetLocation(), construct, condition.ToString(), reason);
                    break;
                }
            }
        }
    }

    private void CheckJumps(List<ExpressionStatementSyntax> barriers)
    {
        foreach (var jump in body.DescendantNodes().Where(n => n is BreakStatementSyntax or ContinueStatementSyntax or ReturnStatementSyntax))
        {
            if (jump is ReturnStatementSyntax)
            {
                bool skipsBarrier = barriers.Any(b => b.SpanStart > jump.SpanStart) ||
                    jump.Ancestors().TakeWhile(a => a != body).Any(a => IsLoop(a) && barriers.Any(b => a.Span.Contains(b.Span)));
                if (skipsBarrier && ControlVarying(jump) is { } guard)
                {
                    context.Report(Diagnostics.DivergentReturn, jump.GetLocation(), guard.Condition, guard.Reason);
                }
                continue;
            }
            var loop = JumpTarget(jump);
            if (loop is null || !IsLoop(loop))
            {
                continue;
            }
            bool isBreak = jump is BreakStatementSyntax;
            bool skips = barriers.Any(b => loop.Span.Contains(b.Span) && (isBreak || b.SpanStart > jump.SpanStart));
            if (skips && ControlVarying(jump, stop: loop) is { } loopGuard)
            {
                context.Report(Diagnostics.DivergentLoopExit, jump.GetLocation(), isBreak ? "break" : "continue", loopGuard.Condition, loopGuard.Reason);
            }
        }
    }

    private static bool IsLoop(SyntaxNode node) => node is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax;
}
