namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>C operator precedence levels (higher binds tighter), used to add only the parentheses C needs.</summary>
internal static class Prec
{
    public const int Assign = 2;
    public const int Conditional = 3;
    public const int LogicalOr = 4;
    public const int LogicalAnd = 5;
    public const int BitOr = 6;
    public const int BitXor = 7;
    public const int BitAnd = 8;
    public const int Equality = 9;
    public const int Relational = 10;
    public const int Shift = 11;
    public const int Additive = 12;
    public const int Multiplicative = 13;
    public const int Unary = 15;
    public const int Postfix = 16;
    public const int Primary = 17;
}

/// <summary>A translated C expression and the precedence of its outermost operator.</summary>
internal readonly struct CExpr
{
    public CExpr(string text, int precedence)
    {
        Text = text;
        Precedence = precedence;
    }

    public string Text { get; }

    public int Precedence { get; }

    /// <summary>The text, parenthesised if it binds looser than <paramref name="minimum"/>.</summary>
    public string AtLeast(int minimum) => Precedence >= minimum ? Text : "(" + Text + ")";

    public static CExpr Primary(string text) => new(text, Prec.Primary);

    public override string ToString() => Text;
}
