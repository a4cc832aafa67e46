using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Analysis;

/// <summary>Expressions: operators, literals, names, member and element access, creation, casts.</summary>
internal sealed partial class BodyChecker
{
    private void Expr(ExpressionSyntax expression, bool allowIndex3D = false)
    {
        context.CancellationToken.ThrowIfCancellationRequested();
        switch (expression)
        {
            case LiteralExpressionSyntax literal:
                Literal(literal);
                break;
            case ParenthesizedExpressionSyntax parenthesized:
                Expr(parenthesized.Expression, allowIndex3D);
                break;
            case IdentifierNameSyntax identifier:
                Name(identifier, identifier, receiver: null, allowIndex3D);
                break;
            case MemberAccessExpressionSyntax memberAccess when memberAccess.IsKind(SyntaxKind.SimpleMemberAccessExpression):
                MemberAccess(memberAccess, allowIndex3D);
                break;
            case MemberAccessExpressionSyntax pointerAccess:
                Report(Diagnostics.PointerType, pointerAccess, pointerAccess.ToString());
                break;
            case InvocationExpressionSyntax invocation:
                Invocation(invocation);
                break;
            case ElementAccessExpressionSyntax elementAccess:
                ElementAccess(elementAccess);
                break;
            case BinaryExpressionSyntax binary:
                Binary(binary);
                break;
            case PrefixUnaryExpressionSyntax prefix when prefix.Kind() is SyntaxKind.AddressOfExpression or SyntaxKind.PointerIndirectionExpression:
                Report(Diagnostics.PointerType, prefix, prefix.ToString());
                break;
            case PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.IndexExpression):
                Report(Diagnostics.UnsupportedSyntax, prefix, "The index-from-end operator '^'");
                break;
            case PrefixUnaryExpressionSyntax prefix:
                Operator(prefix);
                Expr(prefix.Operand);
                break;
            case PostfixUnaryExpressionSyntax postfix when postfix.IsKind(SyntaxKind.SuppressNullableWarningExpression):
                Report(Diagnostics.UnsupportedSyntax, postfix, "The null-forgiving operator '!'");
                break;
            case PostfixUnaryExpressionSyntax postfix:
                Operator(postfix);
                Expr(postfix.Operand);
                break;
            case AssignmentExpressionSyntax assignment:
                Assignment(assignment);
                break;
            case ConditionalExpressionSyntax conditional:
                Expr(conditional.Condition);
                Expr(conditional.WhenTrue);
                Expr(conditional.WhenFalse);
                break;
            case CastExpressionSyntax cast:
                Cast(cast);
                break;
            case DefaultExpressionSyntax defaultExpression:
                if (model.GetTypeInfo(defaultExpression.Type).Type is { } defaultType)
                {
                    CheckValueType(defaultType, defaultExpression.Type.GetLocation());
                }
                break;
            case BaseObjectCreationExpressionSyntax creation:
                Creation(creation);
                break;
            case ArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax or CollectionExpressionSyntax or InitializerExpressionSyntax:
                Report(Diagnostics.ArrayType, expression, FirstLine(expression));
                break;
            case StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax:
                Report(Diagnostics.Stackalloc, expression);
                break;
            case InterpolatedStringExpressionSyntax:
                Report(Diagnostics.StringType, expression, "an interpolated string");
                break;
            case AnonymousFunctionExpressionSyntax:
                Report(Diagnostics.Lambda, expression);
                break;
            case QueryExpressionSyntax:
                Report(Diagnostics.Linq, expression);
                break;
            case CheckedExpressionSyntax checkedExpression:
                if (checkedExpression.IsKind(SyntaxKind.CheckedExpression))
                {
                    Report(Diagnostics.Checked, checkedExpression.Keyword);
                }
                else if (!model.GetConstantValue(checkedExpression).HasValue)
                {
                    Report(Diagnostics.Unchecked, checkedExpression.Keyword, "unchecked(...)");
                }
                else
                {
                    Expr(checkedExpression.Expression);
                }
                break;
            case SizeOfExpressionSyntax sizeOf:
                if (!TypeRules.IsNumericPrimitive(model.GetTypeInfo(sizeOf.Type).Type))
                {
                    Report(Diagnostics.SizeOf, sizeOf, sizeOf.Type.ToString());
                }
                break;
            case TypeOfExpressionSyntax:
                Report(Diagnostics.TypeOf, expression);
                break;
            case AwaitExpressionSyntax:
                Report(Diagnostics.Async, expression, "await");
                break;
            case ThrowExpressionSyntax:
                Report(Diagnostics.Throw, expression);
                break;
            case IsPatternExpressionSyntax:
                Report(Diagnostics.TypePattern, expression, expression.ToString());
                break;
            case SwitchExpressionSyntax switchExpression:
                Report(Diagnostics.SwitchExpression, switchExpression.SwitchKeyword);
                break;
            case RefExpressionSyntax refExpression:
                Report(Diagnostics.RefLocal, refExpression, refExpression.ToString());
                break;
            case DeclarationExpressionSyntax declarationExpression:
                Report(declarationExpression.Designation is ParenthesizedVariableDesignationSyntax ? Diagnostics.TupleType : Diagnostics.RefLocal,
                    declarationExpression, declarationExpression.ToString());
                break;
            case TupleExpressionSyntax:
                Report(Diagnostics.TupleType, expression, FirstLine(expression));
                break;
            case ConditionalAccessExpressionSyntax:
                Report(Diagnostics.NullableType, expression, FirstLine(expression));
                break;
            case AnonymousObjectCreationExpressionSyntax anonymous:
                Report(Diagnostics.ClassCreation, anonymous, FirstLine(anonymous), "an anonymous type");
                break;
            case WithExpressionSyntax:
                Report(Diagnostics.UnsupportedSyntax, expression, "A 'with' expression");
                break;
            case RangeExpressionSyntax:
                Report(Diagnostics.UnsupportedSyntax, expression, "A range '..'");
                break;
            case GenericNameSyntax genericName:
                Name(genericName, genericName, receiver: null, allowIndex3D);
                break;
            case PredefinedTypeSyntax or QualifiedNameSyntax or AliasQualifiedNameSyntax:
                break;
            default:
                Report(Diagnostics.UnsupportedSyntax, expression, "The expression '" + FirstLine(expression) + "'");
                break;
        }
    }

    private void Literal(LiteralExpressionSyntax literal)
    {
        switch (literal.Kind())
        {
            case SyntaxKind.NumericLiteralExpression:
                if (model.GetTypeInfo(literal).Type is { } type && !TypeRules.IsNumericPrimitive(type))
                {
                    CheckValueType(type, literal.GetLocation());
                }
                break;
            case SyntaxKind.TrueLiteralExpression:
            case SyntaxKind.FalseLiteralExpression:
            case SyntaxKind.DefaultLiteralExpression:
                break;
            case SyntaxKind.CharacterLiteralExpression:
                Report(Diagnostics.CharType, literal, literal.ToString());
                break;
            case SyntaxKind.NullLiteralExpression:
                Report(Diagnostics.NullableType, literal, "null");
                break;
            default:
                Report(Diagnostics.StringType, literal, "a string literal");
                break;
        }
    }

    /// <summary>A simple name or the name part of a member access: locals, parameters, fields, properties, method groups.</summary>
    private void Name(SimpleNameSyntax name, ExpressionSyntax whole, ExpressionSyntax? receiver, bool allowIndex3D)
    {
        var symbol = model.GetSymbolInfo(whole).Symbol;
        switch (symbol)
        {
            case IFieldSymbol field:
                Field(field, whole, receiver);
                break;
            case IPropertySymbol property:
                Property(property, whole, receiver, allowIndex3D);
                break;
            case IMethodSymbol:
                Report(Diagnostics.Delegate, whole, whole.ToString());
                break;
            case IEventSymbol:
                Report(Diagnostics.UnsupportedSyntax, whole, "The event '" + name.Identifier.Text + "'");
                break;
            case ILocalSymbol local when TypeRules.IsIndex3D(local.Type) && !allowIndex3D:
                break; // already reported at its declaration
        }
    }

    private void MemberAccess(MemberAccessExpressionSyntax memberAccess, bool allowIndex3D)
    {
        var receiverSymbol = model.GetSymbolInfo(memberAccess.Expression).Symbol;
        bool receiverIsValue = receiverSymbol is not (ITypeSymbol or INamespaceSymbol or IAliasSymbol);
        var member = model.GetSymbolInfo(memberAccess).Symbol;
        if (receiverIsValue)
        {
            bool xyz = member is IPropertySymbol { Name: "X" or "Y" or "Z" } && TypeRules.IsIndex3D(member.ContainingType);
            Expr(memberAccess.Expression, allowIndex3D: xyz);
        }
        Name(memberAccess.Name, memberAccess, receiverIsValue ? memberAccess.Expression : null, allowIndex3D);
    }

    private void Field(IFieldSymbol field, ExpressionSyntax node, ExpressionSyntax? receiver)
    {
        if (field.IsConst)
        {
            CheckValueType(field.Type, node.GetLocation());
            return;
        }
        if (field.IsStatic)
        {
            Report(Diagnostics.StaticField, node, field.ContainingType.Name + "." + field.Name,
                field.IsReadOnly ? "static readonly" : "a mutable static field");
            return;
        }
        var owner = field.ContainingType;
        if (owner.IsReferenceType)
        {
            Report(Diagnostics.ClassMember, node, node.ToString(), TypeRules.Show(owner));
        }
        else if (TypeRules.IsUserStruct(owner, Compilation))
        {
            context.CheckStruct(owner);
        }
        else if (receiver is not null)
        {
            Report(Diagnostics.ExternalMember, node, AllowList.Show(field), AllowList.Hint(field));
        }
    }

    private void Property(IPropertySymbol property, ExpressionSyntax node, ExpressionSyntax? receiver, bool allowIndex3D)
    {
        if (context.IsInSource(property))
        {
            if (property.IsStatic)
            {
                Report(Diagnostics.UserProperty, node, property.ContainingType.Name + "." + property.Name);
            }
            else if (property.ContainingType.IsValueType)
            {
                Report(Diagnostics.StructMember, node, property.Name, "property", property.ContainingType.Name);
            }
            else
            {
                Report(Diagnostics.ClassMember, node, node.ToString(), TypeRules.Show(property.ContainingType));
            }
            return;
        }
        if (!AllowList.IsAllowed(property))
        {
            Report(Diagnostics.ExternalMember, node, AllowList.Show(property), AllowList.Hint(property));
            return;
        }
        NoteVaryingSource(property);
        if (TypeRules.IsIndex3D(property.Type) && !allowIndex3D)
        {
            CheckValueType(property.Type, node.GetLocation());
        }
        _ = receiver;
    }

    private void ElementAccess(ElementAccessExpressionSyntax access)
    {
        var receiverType = model.GetTypeInfo(access.Expression).Type;
        Expr(access.Expression);
        if (receiverType is null)
        {
            return;
        }
        if (TypeRules.IsView(receiverType) || TypeRules.IsSharedView(receiverType))
        {
            facts.DirectVarying ??= "a load from a view";
        }
        else if (!TypeRules.IsVector(receiverType))
        {
            if (receiverType.TypeKind == TypeKind.Array)
            {
                Report(Diagnostics.ArrayType, access, TypeRules.Show(receiverType));
            }
            else if (receiverType.TypeKind == TypeKind.Pointer)
            {
                Report(Diagnostics.PointerType, access, access.ToString());
            }
            else if (model.GetSymbolInfo(access).Symbol is IPropertySymbol indexer)
            {
                if (context.IsInSource(indexer) && indexer.ContainingType.IsValueType)
                {
                    Report(Diagnostics.StructMember, access, "this[]", "indexer", indexer.ContainingType.Name);
                }
                else
                {
                    Report(Diagnostics.ExternalMember, access, AllowList.Show(indexer), AllowList.Hint(indexer));
                }
            }
            else
            {
                Report(Diagnostics.UnsupportedSyntax, access, "Indexing a '" + TypeRules.Show(receiverType) + "'");
            }
            return;
        }
        foreach (var argument in access.ArgumentList.Arguments)
        {
            Argument(argument);
        }
    }

    private void Binary(BinaryExpressionSyntax binary)
    {
        switch (binary.Kind())
        {
            case SyntaxKind.AsExpression:
                Report(Diagnostics.AsOperator, binary.OperatorToken);
                return;
            case SyntaxKind.IsExpression:
                Report(Diagnostics.TypePattern, binary, binary.ToString());
                return;
            case SyntaxKind.CoalesceExpression:
                Report(Diagnostics.NullableType, binary, binary.ToString());
                return;
        }
        Operator(binary);
        Expr(binary.Left);
        Expr(binary.Right);
    }

    private void Assignment(AssignmentExpressionSyntax assignment)
    {
        if (assignment.IsKind(SyntaxKind.CoalesceAssignmentExpression))
        {
            Report(Diagnostics.NullableType, assignment, assignment.ToString());
            return;
        }
        if (assignment.Left is TupleExpressionSyntax or DeclarationExpressionSyntax)
        {
            Report(Diagnostics.TupleType, assignment.Left, assignment.Left.ToString());
            return;
        }
        if (model.GetSymbolInfo(assignment.Left).Symbol is ILocalSymbol local && TypeRules.IsSharedView(local.Type))
        {
            Report(Diagnostics.SharedViewCopy, assignment, local.Name, "reassigned");
            return;
        }
        Operator(assignment);
        Expr(assignment.Left);
        Expr(assignment.Right);
    }

    /// <summary>User-defined operators: Float4/8/16 arithmetic is allowed; a user struct's operators are methods (refused).</summary>
    private void Operator(ExpressionSyntax node)
    {
        if (model.GetSymbolInfo(node).Symbol is not IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator or MethodKind.Conversion } op)
        {
            return;
        }
        if (context.IsInSource(op))
        {
            Report(Diagnostics.StructMember, node, op.Name, "user-defined operator", op.ContainingType.Name);
        }
        else if (!AllowList.IsAllowed(op))
        {
            Report(Diagnostics.ExternalMember, node, "The operator " + op.Name + " of " + op.ContainingType.Name, AllowList.Hint(op));
        }
    }

    private void Cast(CastExpressionSyntax cast)
    {
        Expr(cast.Expression);
        var target = model.GetTypeInfo(cast.Type).Type;
        var source = model.GetTypeInfo(cast.Expression).Type;
        if (target is null)
        {
            return;
        }
        if (!CheckValueType(target, cast.Type.GetLocation()) || source is null)
        {
            return;
        }
        bool identity = SymbolEqualityComparer.Default.Equals(source, target);
        if (!identity && !(TypeRules.IsNumericPrimitive(source) && TypeRules.IsNumericPrimitive(target)))
        {
            Report(Diagnostics.UnsupportedCast, cast, TypeRules.Show(source), TypeRules.Show(target));
        }
    }

    private void Creation(BaseObjectCreationExpressionSyntax creation)
    {
        if (creation.Initializer is { } initializer)
        {
            Report(Diagnostics.Initializer, initializer);
            return;
        }
        var type = model.GetTypeInfo(creation).Type;
        var constructor = model.GetSymbolInfo(creation).Symbol as IMethodSymbol;
        if (type is null)
        {
            return;
        }
        if (TypeRules.IsUserStruct(type, Compilation))
        {
            context.CheckStruct((INamedTypeSymbol)type);
            bool hasArguments = creation.ArgumentList is { Arguments.Count: > 0 };
            if (hasArguments || (constructor is { IsImplicitlyDeclared: false }))
            {
                Report(Diagnostics.StructMember, creation, type.Name, "constructor", type.Name);
                return;
            }
        }
        else if (TypeRules.IsVector(type))
        {
            if (constructor is not null && !AllowList.IsAllowed(constructor))
            {
                Report(Diagnostics.ExternalMember, creation, AllowList.Show(constructor), AllowList.Hint(constructor));
                return;
            }
        }
        else
        {
            Report(Diagnostics.ClassCreation, creation, FirstLine(creation), TypeRules.Show(type));
            return;
        }
        if (creation.ArgumentList is { } arguments)
        {
            foreach (var argument in arguments.Arguments)
            {
                Argument(argument);
            }
        }
    }
}
