using System.Numerics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>
/// The small range proofs that let integer arithmetic stay in its plain C form: constant shifts C evaluates
/// like C#, and + - * whose operands are too narrow to overflow.
/// </summary>
internal sealed partial class ExpressionTranslator
{
    /// <summary>True when C evaluates the constant shift <paramref name="b"/> to the same value as C#.</summary>
    private bool ConstantShiftIsExact(BinaryExpressionSyntax b, ITypeSymbol type)
    {
        var left = Model.GetConstantValue(b.Left);
        var count = Model.GetConstantValue(b.Right);
        if (!left.HasValue || !count.HasValue)
        {
            return false;
        }
        var ic = System.Globalization.CultureInfo.InvariantCulture;
        int bits = type.SpecialType is SpecialType.System_Int64 or SpecialType.System_UInt64 ? 64 : 32;
        int n = System.Convert.ToInt32(count.Value, ic);
        if (n < 0 || n >= bits)
        {
            return false; // C# masks the count, C does not
        }
        if (!b.IsKind(SyntaxKind.LeftShiftExpression))
        {
            return true;
        }
        var value = left.Value is ulong u ? new BigInteger(u) : new BigInteger(System.Convert.ToInt64(left.Value, ic));
        var max = KnownTypes.IsWrappingSigned(type) || type.SpecialType is SpecialType.System_Int64
            ? BigInteger.Pow(2, bits - 1) - 1
            : BigInteger.Pow(2, bits) - 1;
        return value >= 0 && value * BigInteger.Pow(2, n) <= max;
    }

    /// <summary>
    /// True when the + - * of <paramref name="b"/> cannot overflow <paramref name="type"/> because its operands
    /// come from narrower types or are small constants (e.g. byte + byte in int, int * int in long).
    /// </summary>
    private bool CannotOverflow(BinaryExpressionSyntax b, ITypeSymbol type)
    {
        if (b.IsKind(SyntaxKind.LeftShiftExpression) || Magnitude(b.Left, type) is not BigInteger l || Magnitude(b.Right, type) is not BigInteger r)
        {
            return false;
        }
        var max = type.SpecialType == SpecialType.System_Int64 ? new BigInteger(long.MaxValue) : new BigInteger(int.MaxValue);
        return (b.IsKind(SyntaxKind.MultiplyExpression) ? l * r : l + r) <= max;
    }

    /// <summary>An upper bound of |e| when e is a constant or a value of a type narrower than <paramref name="type"/>.</summary>
    private BigInteger? Magnitude(ExpressionSyntax e, ITypeSymbol type)
    {
        var constant = Model.GetConstantValue(e);
        if (constant.HasValue)
        {
            return constant.Value is ulong u ? u : BigInteger.Abs(System.Convert.ToInt64(constant.Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        while (e is ParenthesizedExpressionSyntax p)
        {
            e = p.Expression;
        }
        var natural = Model.GetTypeInfo(e).Type;
        if (e is CastExpressionSyntax cast && SymbolEqualityComparer.Default.Equals(natural, type))
        {
            natural = Model.GetTypeInfo(cast.Expression).Type;
        }
        BigInteger? bound = natural?.SpecialType switch
        {
            SpecialType.System_SByte => 128,
            SpecialType.System_Byte => 255,
            SpecialType.System_Int16 => 32768,
            SpecialType.System_UInt16 => 65535,
            SpecialType.System_Int32 => 2147483648,
            SpecialType.System_UInt32 => 4294967295,
            _ => null,
        };
        return bound is not null && !SymbolEqualityComparer.Default.Equals(natural, type) ? bound : null;
    }
}
