using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Analysis;

/// <summary>
/// Checks one method (the kernel or a helper) against the allow-list: its signature (helpers), then every
/// statement and expression of its body. Anything not recognised here is refused (HILO0099), so new C#
/// syntax never slips through to the emitter. This file: signature and statements.
/// </summary>
internal sealed partial class BodyChecker
{
    private readonly ValidationContext context;
    private readonly IMethodSymbol method;
    private readonly MethodDeclarationSyntax declaration;
    private readonly SemanticModel model;
    private readonly bool isKernel;
    private readonly MethodFacts facts = new();

    // Group.Barrier() calls that are whole statements, and SharedMemory.Allocate calls that initialise a
    // top-level local of the kernel: the only places these two are allowed.
    private readonly HashSet<SyntaxNode> allowedSpecialCalls = new();

    public BodyChecker(ValidationContext context, IMethodSymbol method, MethodDeclarationSyntax declaration, SemanticModel model, bool isKernel)
    {
        this.context = context;
        this.method = method;
        this.declaration = declaration;
        this.model = model;
        this.isKernel = isKernel;
    }

    private Compilation Compilation => context.Compilation;

    public void Run()
    {
        context.Facts[method] = facts;
        if (!isKernel)
        {
            CheckHelperSignature();
        }
        if (declaration.Body is { } body)
        {
            Statement(body);
        }
        else if (declaration.ExpressionBody is { } arrow)
        {
            if (method.ReturnsVoid)
            {
                ExpressionStatement(arrow.Expression);
            }
            else
            {
                Expr(arrow.Expression);
            }
        }
    }

    private void Report(DiagnosticDescriptor descriptor, SyntaxNode node, params object?[] args) =>
        context.Report(descriptor, node.GetLocation(), args);

    private void Report(DiagnosticDescriptor descriptor, SyntaxToken token, params object?[] args) =>
        context.Report(descriptor, token.GetLocation(), args);

    private void CheckHelperSignature()
    {
        foreach (var modifier in declaration.Modifiers)
        {
            if (modifier.IsKind(SyntaxKind.AsyncKeyword))
            {
                Report(Diagnostics.Async, modifier, "async");
            }
            else if (modifier.IsKind(SyntaxKind.UnsafeKeyword))
            {
                Report(Diagnostics.Unsafe, modifier, "unsafe");
            }
        }
        CheckParameters(declaration.ParameterList, method, isKernelParameter: false);
        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            Report(Diagnostics.RefLocal, declaration.ReturnType, "ref return");
        }
        else if (!method.ReturnsVoid)
        {
            var type = method.ReturnType;
            if (TypeRules.IsUserStruct(type, Compilation))
            {
                context.CheckStruct((INamedTypeSymbol)type);
            }
            else if (!TypeRules.IsPrimitive(type) && !TypeRules.IsVector(type))
            {
                Report(Diagnostics.HelperReturnType, declaration.ReturnType, method.Name, TypeRules.Show(type));
            }
        }
    }

    /// <summary>Parameter modifiers, default values and types (kernel parameters have their own type rule).</summary>
    public void CheckParameters(ParameterListSyntax list, IMethodSymbol owner, bool isKernelParameter)
    {
        foreach (var syntax in list.Parameters)
        {
            if (model.GetDeclaredSymbol(syntax) is not { } parameter)
            {
                continue;
            }
            var modifier = syntax.Modifiers.FirstOrDefault(m => m.Kind() is SyntaxKind.RefKeyword or SyntaxKind.OutKeyword or
                SyntaxKind.InKeyword or SyntaxKind.ParamsKeyword or SyntaxKind.ReadOnlyKeyword or SyntaxKind.ScopedKeyword);
            if (modifier != default)
            {
                Report(Diagnostics.ParameterModifier, modifier, parameter.Name, owner.Name, modifier.Text);
            }
            if (syntax.Default is { } defaultValue)
            {
                Report(Diagnostics.OptionalParameter, defaultValue, parameter.Name, owner.Name);
            }
            var location = (syntax.Type ?? (SyntaxNode)syntax).GetLocation();
            if (isKernelParameter)
            {
                KernelParameterType(parameter, location);
            }
            else
            {
                CheckValueType(parameter.Type, location);
            }
        }
    }

    private void KernelParameterType(IParameterSymbol parameter, Location location)
    {
        var type = parameter.Type;
        if (TypeRules.IsVector(type) || TypeRules.IsVector(TypeRules.ElementType(type)))
        {
            context.Report(Diagnostics.VectorMisuse, location, (TypeRules.ElementType(type) ?? type).Name,
                TypeRules.IsVector(type) ? "a kernel parameter" : "the element type of a view");
            return;
        }
        bool ok = TypeRules.IsPrimitive(type) || TypeRules.IsUserStruct(type, Compilation) ||
                  (TypeRules.IsView(type) && TypeRules.Problem(type, Compilation) is null);
        if (!ok)
        {
            context.Report(Diagnostics.KernelParameterType, location, parameter.Name, TypeRules.Show(type));
            return;
        }
        CheckValueType(type, location);
    }

    /// <summary>Reports why a local, parameter or field type cannot be used; checks user struct layouts. True when fine.</summary>
    private bool CheckValueType(ITypeSymbol type, Location location)
    {
        if (TypeRules.Problem(type, Compilation) is { } problem)
        {
            context.Report(TypeRules.ToDiagnostic(problem, type, location));
            return false;
        }
        var structType = TypeRules.IsUserStruct(type, Compilation) ? type : TypeRules.ElementType(type);
        if (structType is INamedTypeSymbol named && TypeRules.IsUserStruct(named, Compilation))
        {
            context.CheckStruct(named);
        }
        return true;
    }

    private void Statement(StatementSyntax statement)
    {
        context.CancellationToken.ThrowIfCancellationRequested();
        switch (statement)
        {
            case BlockSyntax block:
                foreach (var inner in block.Statements)
                {
                    Statement(inner);
                }
                break;
            case LocalDeclarationStatementSyntax local:
                LocalDeclaration(local);
                break;
            case ExpressionStatementSyntax expression:
                ExpressionStatement(expression.Expression);
                break;
            case IfStatementSyntax ifStatement:
                Expr(ifStatement.Condition);
                Statement(ifStatement.Statement);
                if (ifStatement.Else is { } elseClause)
                {
                    Statement(elseClause.Statement);
                }
                break;
            case ForStatementSyntax forStatement:
                if (forStatement.Declaration is { } forDeclaration)
                {
                    VariableDeclaration(forDeclaration, topLevel: false);
                }
                foreach (var initializer in forStatement.Initializers)
                {
                    ExpressionStatement(initializer);
                }
                if (forStatement.Condition is { } condition)
                {
                    Expr(condition);
                }
                foreach (var incrementor in forStatement.Incrementors)
                {
                    ExpressionStatement(incrementor);
                }
                Statement(forStatement.Statement);
                break;
            case WhileStatementSyntax whileStatement:
                Expr(whileStatement.Condition);
                Statement(whileStatement.Statement);
                break;
            case DoStatementSyntax doStatement:
                Statement(doStatement.Statement);
                Expr(doStatement.Condition);
                break;
            case SwitchStatementSyntax switchStatement:
                Switch(switchStatement);
                break;
            case BreakStatementSyntax or ContinueStatementSyntax or EmptyStatementSyntax:
                break;
            case ReturnStatementSyntax returnStatement:
                if (returnStatement.Expression is { } value)
                {
                    Expr(value);
                }
                break;
            case LocalFunctionStatementSyntax localFunction:
                Report(Diagnostics.LocalFunction, localFunction.Identifier, localFunction.Identifier.Text);
                break;
            case TryStatementSyntax tryStatement:
                Report(Diagnostics.TryCatch, tryStatement.TryKeyword);
                break;
            case ThrowStatementSyntax throwStatement:
                Report(Diagnostics.Throw, throwStatement.ThrowKeyword);
                break;
            case UsingStatementSyntax usingStatement:
                Report(Diagnostics.Using, usingStatement.UsingKeyword);
                break;
            case LockStatementSyntax lockStatement:
                Report(Diagnostics.Lock, lockStatement.LockKeyword);
                break;
            case FixedStatementSyntax fixedStatement:
                Report(Diagnostics.Fixed, fixedStatement.FixedKeyword);
                break;
            case UnsafeStatementSyntax unsafeStatement:
                Report(Diagnostics.Unsafe, unsafeStatement.UnsafeKeyword, "unsafe");
                break;
            case CommonForEachStatementSyntax forEach:
                Report(Diagnostics.Foreach, forEach.ForEachKeyword);
                break;
            case GotoStatementSyntax gotoStatement:
                Report(Diagnostics.Goto, gotoStatement, gotoStatement.CaseOrDefaultKeyword == default
                    ? "goto" : "goto " + gotoStatement.CaseOrDefaultKeyword.Text);
                break;
            case LabeledStatementSyntax labeled:
                Report(Diagnostics.Goto, labeled.Identifier, "label '" + labeled.Identifier.Text + ":'");
                Statement(labeled.Statement);
                break;
            case YieldStatementSyntax yieldStatement:
                Report(Diagnostics.Yield, yieldStatement.YieldKeyword);
                break;
            case CheckedStatementSyntax checkedStatement:
                if (checkedStatement.IsKind(SyntaxKind.CheckedStatement))
                {
                    Report(Diagnostics.Checked, checkedStatement.Keyword);
                }
                else
                {
                    Report(Diagnostics.Unchecked, checkedStatement.Keyword, "unchecked { ... }");
                    Statement(checkedStatement.Block);
                }
                break;
            default:
                Report(Diagnostics.UnsupportedSyntax, statement, "The statement '" + FirstLine(statement) + "'");
                break;
        }
    }

    private void LocalDeclaration(LocalDeclarationStatementSyntax local)
    {
        if (local.AwaitKeyword != default)
        {
            Report(Diagnostics.Async, local.AwaitKeyword, "await using");
            return;
        }
        if (local.UsingKeyword != default)
        {
            Report(Diagnostics.Using, local.UsingKeyword);
            return;
        }
        if (local.Declaration.Type is RefTypeSyntax refType)
        {
            Report(Diagnostics.RefLocal, refType, "ref local");
            return;
        }
        bool topLevel = isKernel && local.Parent is BlockSyntax block && block.Parent == declaration;
        VariableDeclaration(local.Declaration, topLevel);
    }

    private void VariableDeclaration(VariableDeclarationSyntax variables, bool topLevel)
    {
        foreach (var variable in variables.Variables)
        {
            if (model.GetDeclaredSymbol(variable) is not ILocalSymbol local)
            {
                continue;
            }
            var typeLocation = variables.Type.IsVar ? variable.Identifier.GetLocation() : variables.Type.GetLocation();
            bool typeOk = CheckValueType(local.Type, typeLocation);
            var value = variable.Initializer?.Value;
            if (value is InitializerExpressionSyntax arrayInitializer)
            {
                Report(Diagnostics.ArrayType, arrayInitializer, TypeRules.Show(local.Type));
                continue;
            }
            bool isAllocate = value is InvocationExpressionSyntax call && IsLanguageMethod(call, "SharedMemory", "Allocate");
            if (typeOk && TypeRules.IsSharedView(local.Type) && !isAllocate)
            {
                Report(Diagnostics.SharedViewCopy, variable.Identifier, local.Name,
                    value is null ? "declared without an initializer" : $"initialised from '{value}'");
            }
            if (isAllocate && topLevel)
            {
                allowedSpecialCalls.Add(value!);
            }
            if (value is not null)
            {
                Expr(value);
            }
        }
    }

    private void ExpressionStatement(ExpressionSyntax expression)
    {
        if (expression is InvocationExpressionSyntax call && IsLanguageMethod(call, "Group", "Barrier") && isKernel &&
            expression.Parent is ExpressionStatementSyntax)
        {
            allowedSpecialCalls.Add(call);
        }
        Expr(expression);
    }

    private void Switch(SwitchStatementSyntax switchStatement)
    {
        Expr(switchStatement.Expression);
        var governing = model.GetTypeInfo(switchStatement.Expression).Type;
        if (governing is not null && !TypeRules.IsInteger(governing))
        {
            Report(Diagnostics.SwitchGoverningType, switchStatement.Expression, TypeRules.Show(governing));
        }
        foreach (var section in switchStatement.Sections)
        {
            foreach (var label in section.Labels)
            {
                switch (label)
                {
                    case CaseSwitchLabelSyntax caseLabel:
                        if (!model.GetConstantValue(caseLabel.Value).HasValue)
                        {
                            Report(Diagnostics.SwitchLabel, label, label.ToString());
                        }
                        else
                        {
                            Expr(caseLabel.Value);
                        }
                        break;
                    case DefaultSwitchLabelSyntax:
                        break;
                    default:
                        Report(Diagnostics.SwitchLabel, label, label.ToString());
                        break;
                }
            }
            foreach (var inner in section.Statements)
            {
                Statement(inner);
            }
        }
    }

    private static string FirstLine(SyntaxNode node)
    {
        string text = node.ToString();
        int end = text.IndexOf('\n');
        return (end < 0 ? text : text.Substring(0, end)).Trim();
    }
}
