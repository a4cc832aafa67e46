using System;
using System.Globalization;
using Microsoft.CodeAnalysis;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>
/// C literals for C# constants, exact: floats print round-trip with an <c>f</c> suffix and a '.' or exponent,
/// NaN and infinities through the dialect, the most negative int/long as an expression, 64-bit with L/LL.
/// </summary>
internal static class Literals
{
    /// <summary>The literal for <paramref name="value"/> converted to <paramref name="type"/> (C# constant conversion rules).</summary>
    public static CExpr Of(object? value, ITypeSymbol type, Dialect dialect)
    {
        var ic = CultureInfo.InvariantCulture;
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
                return CExpr.Primary(Convert.ToBoolean(value, ic) ? "true" : "false");
            case SpecialType.System_Single:
                return Float(Convert.ToSingle(value, ic), dialect);
            case SpecialType.System_Double:
                return Double(Convert.ToDouble(value, ic), dialect);
            case SpecialType.System_Int64:
            {
                long v = Convert.ToInt64(value, ic);
                string suffix = dialect.LongSuffix(unsigned: false);
                return v == long.MinValue
                    ? CExpr.Primary($"(-9223372036854775807{suffix} - 1{suffix})")
                    : Signed(v.ToString(ic) + suffix, v < 0);
            }
            case SpecialType.System_UInt64:
                return CExpr.Primary(ToUInt64(value).ToString(ic) + dialect.LongSuffix(unsigned: true));
            case SpecialType.System_UInt32:
                return CExpr.Primary(((uint)ToUInt64(value)).ToString(ic) + "u");
            case SpecialType.System_Int32:
            {
                int v = Convert.ToInt32(value, ic);
                return v == int.MinValue ? CExpr.Primary("(-2147483647 - 1)") : Signed(v.ToString(ic), v < 0);
            }
            default:
                // sbyte, byte, short, ushort: C promotes them to int anyway.
                long small = Convert.ToInt64(value, ic);
                return Signed(small.ToString(ic), small < 0);
        }
    }

    private static ulong ToUInt64(object? value) => value switch
    {
        ulong u => u,
        long l => unchecked((ulong)l),
        int i => unchecked((ulong)i),
        _ => Convert.ToUInt64(value, CultureInfo.InvariantCulture),
    };

    private static CExpr Signed(string text, bool negative) => new(text, negative ? Prec.Unary : Prec.Primary);

    public static CExpr Float(float v, Dialect dialect)
    {
        if (float.IsNaN(v) || float.IsInfinity(v))
        {
            return new CExpr(dialect.SpecialFloat(v, isDouble: false), v < 0 ? Prec.Unary : Prec.Primary);
        }
        string r = v.ToString("R", CultureInfo.InvariantCulture);
        if (float.Parse(r, CultureInfo.InvariantCulture) != v)
        {
            r = v.ToString("G9", CultureInfo.InvariantCulture); // hosts whose "R" is not exact (.NET Framework)
        }
        string text = Decimal(r) + "f";
        return Signed(text, text[0] == '-');
    }

    public static CExpr Double(double v, Dialect dialect)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return new CExpr(dialect.SpecialFloat(v, isDouble: true), Prec.Unary);
        }
        string r = v.ToString("R", CultureInfo.InvariantCulture);
        if (double.Parse(r, CultureInfo.InvariantCulture) != v)
        {
            r = v.ToString("G17", CultureInfo.InvariantCulture);
        }
        string text = Decimal(r);
        return Signed(text, text[0] == '-');
    }

    /// <summary>"1" → "1.0", "1E-05" → "1e-05", "0.5" stays.</summary>
    private static string Decimal(string r)
    {
        r = r.Replace("E", "e");
        return r.IndexOf('.') >= 0 || r.IndexOf('e') >= 0 ? r : r + ".0";
    }
}
