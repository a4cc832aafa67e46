using System.Numerics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>
/// Operators with C#'s exact semantics: int/long + - * &lt;&lt; and negation wrap (computed in the unsigned
/// type and converted back, since signed overflow is undefined in C), shift counts are masked, float % is
/// fmod, float to integer casts saturate, and every implicit conversion becomes an explicit cast.
/// </summary>
internal sealed partial class ExpressionTranslator
{
    /// <summary>Increments/decrements the statement translator proved cannot overflow (for-loop counters).</summary>
    public System.Collections.Generic.HashSet<SyntaxNode> NonOverflowing { get; } = new();

    private CExpr ImplicitConvert(CExpr value, ITypeSymbol from, ITypeSymbol to)
    {
        if (KnownTypes.PrimitiveName(from) is null || KnownTypes.PrimitiveName(to) is null)
        {
            return value;
        }
        return new CExpr($"({Context.CType(to, null!)}){value.AtLeast(Prec.Unary)}", Prec.Unary);
    }

    private CExpr Cast(CastExpressionSyntax cast)
    {
        var to = TypeOf(cast);
        var from = TypeOf(cast.Expression);
        var inner = Translate(cast.Expression);
        if (SymbolEqualityComparer.Default.Equals(from, to))
        {
            return inner;
        }
        if (KnownTypes.IsFloating(from) && KnownTypes.IsInteger(to))
        {
            // .NET 9+: saturate to the range, NaN -> 0; types below int go through int and wrap, like the JIT.
            bool fromDouble = from.SpecialType == SpecialType.System_Double;
            string target = KnownTypes.PrimitiveName(to)!;
            if (target is "int" or "uint" or "long" or "ulong")
            {
                return CExpr.Primary(D.SaturatingConvert(target, fromDouble, inner.Text));
            }
            return new CExpr($"({Context.CType(to, cast)}){D.SaturatingConvert("int", fromDouble, inner.Text)}", Prec.Unary);
        }
        if (KnownTypes.PrimitiveName(from) is null || KnownTypes.PrimitiveName(to) is null)
        {
            throw new TranslationException(cast, $"the conversion from '{from}' to '{to}'");
        }
        return new CExpr($"({Context.CType(to, cast)}){inner.AtLeast(Prec.Unary)}", Prec.Unary);
    }

    private static (string Op, int Prec) BinaryOperator(SyntaxKind kind) => kind switch
    {
        SyntaxKind.AddExpression => ("+", Prec.Additive),
        SyntaxKind.SubtractExpression => ("-", Prec.Additive),
        SyntaxKind.MultiplyExpression => ("*", Prec.Multiplicative),
        SyntaxKind.DivideExpression => ("/", Prec.Multiplicative),
        SyntaxKind.ModuloExpression => ("%", Prec.Multiplicative),
        SyntaxKind.LeftShiftExpression => ("<<", Prec.Shift),
        SyntaxKind.RightShiftExpression => (">>", Prec.Shift),
        SyntaxKind.UnsignedRightShiftExpression => (">>", Prec.Shift),
        SyntaxKind.LessThanExpression => ("<", Prec.Relational),
        SyntaxKind.LessThanOrEqualExpression => ("<=", Prec.Relational),
        SyntaxKind.GreaterThanExpression => (">", Prec.Relational),
        SyntaxKind.GreaterThanOrEqualExpression => (">=", Prec.Relational),
        SyntaxKind.EqualsExpression => ("==", Prec.Equality),
        SyntaxKind.NotEqualsExpression => ("!=", Prec.Equality),
        SyntaxKind.BitwiseAndExpression => ("&", Prec.BitAnd),
        SyntaxKind.ExclusiveOrExpression => ("^", Prec.BitXor),
        SyntaxKind.BitwiseOrExpression => ("|", Prec.BitOr),
        SyntaxKind.LogicalAndExpression => ("&&", Prec.LogicalAnd),
        SyntaxKind.LogicalOrExpression => ("||", Prec.LogicalOr),
        _ => (null!, 0),
    };

    /// <summary>The type a built-in binary operator computes in (its left parameter), or null for user-defined ones.</summary>
    private ITypeSymbol? OperandType(ExpressionSyntax operatorNode)
    {
        if (Model.GetSymbolInfo(operatorNode).Symbol is IMethodSymbol { MethodKind: MethodKind.BuiltinOperator } op)
        {
            return op.Parameters[0].Type;
        }
        return null;
    }

    private bool IsConstant(ExpressionSyntax e) => Model.GetConstantValue(e).HasValue;

    private static bool IsWrapping(SyntaxKind kind) => kind is SyntaxKind.AddExpression or SyntaxKind.SubtractExpression
        or SyntaxKind.MultiplyExpression or SyntaxKind.LeftShiftExpression;

    private CExpr Binary(BinaryExpressionSyntax b)
    {
        var kind = b.Kind();
        var (op, prec) = BinaryOperator(kind);
        if (op is null)
        {
            throw new TranslationException(b, $"the operator '{b.OperatorToken.Text}'");
        }
        var type = OperandType(b);
        if (type is not null && KnownTypes.IsFloating(type) && kind == SyntaxKind.ModuloExpression)
        {
            return CExpr.Primary($"{D.Math("fmod", type.SpecialType == SpecialType.System_Double)}({Code(b.Left)}, {Code(b.Right)})");
        }
        bool isShift = kind is SyntaxKind.LeftShiftExpression or SyntaxKind.RightShiftExpression or SyntaxKind.UnsignedRightShiftExpression;
        if (type is not null && isShift && IsConstant(b) && KnownTypes.IsInteger(type) && !ConstantShiftIsExact(b, type))
        {
            // e.g. 1 << 31 or 1 << 33: C would overflow or not mask; print the value C# computed.
            return Literals.Of(Model.GetConstantValue(b).Value, type, D);
        }
        if (type is not null && KnownTypes.IsWrappingSigned(type) && IsWrapping(kind) && !IsConstant(b) && !CannotOverflow(b, type))
        {
            return Wrapped(b, type);
        }
        if (type is not null && kind == SyntaxKind.UnsignedRightShiftExpression && KnownTypes.IsWrappingSigned(type))
        {
            string u = Unsigned(type);
            return new CExpr($"({Context.CType(type, b)})(({u}){Operand(b.Left, Prec.Unary)} >> {ShiftCount(b.Right, type)})", Prec.Unary);
        }
        string left = Operand(b.Left, prec); // left first, so helpers enter the prelude in reading order
        string right = isShift && type is not null ? ShiftCount(b.Right, type) : Operand(b.Right, prec + 1);
        return new CExpr($"{left} {op} {right}", prec);
    }

    /// <summary>The shift count masked like C# (&amp; 31 or &amp; 63), folded when constant.</summary>
    private string ShiftCount(ExpressionSyntax count, ITypeSymbol shifted)
    {
        int mask = shifted.SpecialType is SpecialType.System_Int64 or SpecialType.System_UInt64 ? 63 : 31;
        var constant = Model.GetConstantValue(count);
        if (constant.HasValue)
        {
            int folded = System.Convert.ToInt32(constant.Value, System.Globalization.CultureInfo.InvariantCulture) & mask;
            return folded.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return $"({Operand(count, Prec.BitAnd)} & {mask})";
    }

    private string Unsigned(ITypeSymbol signed) => D.Primitive(signed.SpecialType == SpecialType.System_Int64 ? "ulong" : "uint");

    /// <summary>A wrapping int/long expression: the whole + - * &lt;&lt; tree computed in the unsigned type, converted back once.</summary>
    private CExpr Wrapped(ExpressionSyntax e, ITypeSymbol type)
    {
        var tree = UnsignedTree(e, type);
        return new CExpr($"({Context.CType(type, e)})({tree.Text})", Prec.Unary);
    }

    /// <summary><paramref name="e"/> (of type <paramref name="type"/> after conversion) as an expression in the unsigned type.</summary>
    private CExpr UnsignedTree(ExpressionSyntax e, ITypeSymbol type)
    {
        var info = Model.GetTypeInfo(e);
        bool sameType = SymbolEqualityComparer.Default.Equals(info.Type, type);
        var constant = Model.GetConstantValue(e);
        if (constant.HasValue)
        {
            var unsignedType = Model.Compilation.GetSpecialType(
                type.SpecialType == SpecialType.System_Int64 ? SpecialType.System_UInt64 : SpecialType.System_UInt32);
            object value = type.SpecialType == SpecialType.System_Int64
                ? unchecked((ulong)System.Convert.ToInt64(constant.Value, System.Globalization.CultureInfo.InvariantCulture))
                : unchecked((ulong)(uint)System.Convert.ToInt32(constant.Value, System.Globalization.CultureInfo.InvariantCulture));
            return Literals.Of(value, unsignedType, D);
        }
        if (sameType)
        {
            switch (e)
            {
                case ParenthesizedExpressionSyntax p:
                    return CExpr.Primary("(" + UnsignedTree(p.Expression, type).Text + ")");
                case BinaryExpressionSyntax b when IsWrapping(b.Kind()) && SymbolEqualityComparer.Default.Equals(OperandType(b), type):
                {
                    var (op, prec) = BinaryOperator(b.Kind());
                    string right = b.IsKind(SyntaxKind.LeftShiftExpression)
                        ? ShiftCount(b.Right, type)
                        : UnsignedTree(b.Right, type).AtLeast(prec + 1);
                    return new CExpr($"{UnsignedTree(b.Left, type).AtLeast(prec)} {op} {right}", prec);
                }
                case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryMinusExpression):
                    return new CExpr("-" + UnsignedTree(u.Operand, type).AtLeast(Prec.Unary), Prec.Unary);
            }
        }
        var leaf = Natural(e);
        if (type.SpecialType == SpecialType.System_Int32 && leaf.Text.StartsWith("(int)", System.StringComparison.Ordinal) &&
            e is MemberAccessExpressionSyntax && Model.GetSymbolInfo(e).Symbol is IPropertySymbol { ContainingType.Name: "Index3D" or "Group" })
        {
            // Index builtins are unsigned (CUDA) or size_t (OpenCL) underneath: (uint)get_global_id(0), not (uint)(int)...
            return new CExpr("(uint)" + leaf.Text.Substring(5), Prec.Unary);
        }
        return new CExpr($"({Unsigned(type)}){leaf.AtLeast(Prec.Unary)}", Prec.Unary);
    }

    private CExpr Prefix(PrefixUnaryExpressionSyntax u)
    {
        var type = TypeOf(u);
        switch (u.Kind())
        {
            case SyntaxKind.UnaryPlusExpression:
                return Translate(u.Operand);
            case SyntaxKind.UnaryMinusExpression:
                if (KnownTypes.IsWrappingSigned(type) && !IsConstant(u) && Magnitude(u.Operand, type) is null)
                {
                    return Wrapped(u, type);
                }
                return new CExpr("-" + Operand(u.Operand, Prec.Unary), Prec.Unary);
            case SyntaxKind.LogicalNotExpression:
                return new CExpr("!" + Operand(u.Operand, Prec.Unary), Prec.Unary);
            case SyntaxKind.BitwiseNotExpression:
                return new CExpr("~" + Operand(u.Operand, Prec.Unary), Prec.Unary);
            case SyntaxKind.PreIncrementExpression:
            case SyntaxKind.PreDecrementExpression:
                if (NeedsWrap(u, type))
                {
                    return CExpr.Primary("(" + StepAssignment(u.Operand, type, u.IsKind(SyntaxKind.PreIncrementExpression)) + ")");
                }
                return new CExpr(u.OperatorToken.Text + Natural(u.Operand).AtLeast(Prec.Unary), Prec.Unary);
            default:
                throw new TranslationException(u, $"the operator '{u.OperatorToken.Text}'");
        }
    }

    private CExpr Postfix(PostfixUnaryExpressionSyntax u)
    {
        var type = TypeOf(u);
        if (u.Kind() is not (SyntaxKind.PostIncrementExpression or SyntaxKind.PostDecrementExpression))
        {
            throw new TranslationException(u, $"the operator '{u.OperatorToken.Text}'");
        }
        bool increment = u.IsKind(SyntaxKind.PostIncrementExpression);
        if (NeedsWrap(u, type))
        {
            // Value of x++ is the old x: step, then undo the step on the (wrapped) new value.
            string u1 = type.SpecialType == SpecialType.System_Int64 ? "1" + D.LongSuffix(true) : "1u";
            return new CExpr(
                $"({Context.CType(type, u)})(({Unsigned(type)})({StepAssignment(u.Operand, type, increment)}) {(increment ? "-" : "+")} {u1})",
                Prec.Unary);
        }
        return new CExpr(Natural(u.Operand).AtLeast(Prec.Postfix) + u.OperatorToken.Text, Prec.Postfix);
    }

    private bool NeedsWrap(ExpressionSyntax incrementOrDecrement, ITypeSymbol type) =>
        KnownTypes.IsWrappingSigned(type) && !NonOverflowing.Contains(incrementOrDecrement);

    /// <summary><c>x = (int)((uint)x + 1u)</c>: a wrapping ++/-- as an assignment expression.</summary>
    private string StepAssignment(ExpressionSyntax target, ITypeSymbol type, bool increment)
    {
        RequireSimple(target);
        string x = Natural(target).Text;
        string one = type.SpecialType == SpecialType.System_Int64 ? "1" + D.LongSuffix(true) : "1u";
        return $"{x} = ({Context.CType(type, target)})(({Unsigned(type)}){Natural(target).AtLeast(Prec.Unary)} {(increment ? "+" : "-")} {one})";
    }

    /// <summary>An expression statement's increment/decrement: <c>i++</c> or its wrapping assignment form.</summary>
    public string StatementStep(ExpressionSyntax operand, ExpressionSyntax node, bool increment)
    {
        var type = TypeOf(operand);
        if (NeedsWrap(node, type))
        {
            return StepAssignment(operand, type, increment);
        }
        return Natural(operand).AtLeast(Prec.Postfix) + (increment ? "++" : "--");
    }

    private string Assignment(AssignmentExpressionSyntax a)
    {
        string left = Natural(a.Left).Text;
        if (a.IsKind(SyntaxKind.SimpleAssignmentExpression))
        {
            return $"{left} = {Operand(a.Right, Prec.Assign)}";
        }
        var leftType = TypeOf(a.Left);
        string op = a.OperatorToken.Text.Substring(0, a.OperatorToken.Text.Length - 1);
        var opSymbol = Model.GetSymbolInfo(a).Symbol as IMethodSymbol;
        var kind = CompoundKind(a.Kind());
        if (opSymbol is not { MethodKind: MethodKind.BuiltinOperator })
        {
            // Vector compound assignment: spell it out (CUDA's vector structs have no op=).
            RequireSimple(a.Left);
            var (bop, prec) = BinaryOperator(kind);
            return $"{left} = {Natural(a.Left).AtLeast(prec)} {bop} {Operand(a.Right, prec + 1)}";
        }
        var opType = opSymbol.Parameters[0].Type;
        var rightType = opSymbol.Parameters[1].Type;
        bool isShift = kind is SyntaxKind.LeftShiftExpression or SyntaxKind.RightShiftExpression or SyntaxKind.UnsignedRightShiftExpression;
        bool wraps = KnownTypes.IsWrappingSigned(opType) && IsWrapping(kind);
        bool fmod = KnownTypes.IsFloating(opType) && kind == SyntaxKind.ModuloExpression;
        bool unsignedShift = kind == SyntaxKind.UnsignedRightShiftExpression && KnownTypes.IsWrappingSigned(opType);
        if (!wraps && !fmod && !unsignedShift)
        {
            string r = isShift ? ShiftCount(a.Right, opType) : ConvertTo(a.Right, rightType).AtLeast(Prec.Assign);
            return $"{left} {(kind == SyntaxKind.UnsignedRightShiftExpression ? ">>" : op)}= {r}";
        }
        RequireSimple(a.Left);
        string x = Natural(a.Left).AtLeast(Prec.Unary);
        string computed;
        if (fmod)
        {
            string lx = SymbolEqualityComparer.Default.Equals(leftType, opType) ? x : $"({Context.CType(opType, a)}){x}";
            computed = $"{D.Math("fmod", opType.SpecialType == SpecialType.System_Double)}({lx}, {ConvertTo(a.Right, rightType).Text})";
        }
        else
        {
            string u = Unsigned(opType);
            var (binOp, prec) = BinaryOperator(kind);
            string ur = isShift ? ShiftCount(a.Right, opType) : UnsignedTree(a.Right, opType).AtLeast(prec + 1);
            computed = $"({Context.CType(opType, a)})(({u}){x} {(unsignedShift ? ">>" : binOp)} {ur})";
        }
        if (!SymbolEqualityComparer.Default.Equals(leftType, opType))
        {
            computed = $"({Context.CType(leftType, a)}){(fmod ? computed : "(" + computed + ")")}";
        }
        return $"{left} = {computed}";
    }

    /// <summary><paramref name="e"/> converted to <paramref name="type"/> (with a cast when C# converts implicitly).</summary>
    public CExpr ConvertTo(ExpressionSyntax e, ITypeSymbol type)
    {
        var from = TypeOf(e);
        if (Model.GetConstantValue(e) is { HasValue: true } c && IsFoldableConstant(e))
        {
            return Literals.Of(c.Value, type, D);
        }
        var natural = Natural(e);
        return SymbolEqualityComparer.Default.Equals(from, type) ? natural : ImplicitConvert(natural, from, type);
    }

    private static SyntaxKind CompoundKind(SyntaxKind assignment) => assignment switch
    {
        SyntaxKind.AddAssignmentExpression => SyntaxKind.AddExpression,
        SyntaxKind.SubtractAssignmentExpression => SyntaxKind.SubtractExpression,
        SyntaxKind.MultiplyAssignmentExpression => SyntaxKind.MultiplyExpression,
        SyntaxKind.DivideAssignmentExpression => SyntaxKind.DivideExpression,
        SyntaxKind.ModuloAssignmentExpression => SyntaxKind.ModuloExpression,
        SyntaxKind.AndAssignmentExpression => SyntaxKind.BitwiseAndExpression,
        SyntaxKind.OrAssignmentExpression => SyntaxKind.BitwiseOrExpression,
        SyntaxKind.ExclusiveOrAssignmentExpression => SyntaxKind.ExclusiveOrExpression,
        SyntaxKind.LeftShiftAssignmentExpression => SyntaxKind.LeftShiftExpression,
        SyntaxKind.RightShiftAssignmentExpression => SyntaxKind.RightShiftExpression,
        SyntaxKind.UnsignedRightShiftAssignmentExpression => SyntaxKind.UnsignedRightShiftExpression,
        _ => SyntaxKind.None,
    };
}
