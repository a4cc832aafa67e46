using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>
/// Calls: helper methods of the compilation, MathF/Math/KernelMath, Atomic, FloatN and view members.
/// The tables below are the whole mapping; anything else is reported as untranslatable.
/// </summary>
internal sealed class Builtins
{
    /// <summary>MathF/Math/KernelMath methods that are one C math function (OpenCL name; CUDA adds 'f' for float).</summary>
    private static readonly Dictionary<string, string> MathFunctions = new()
    {
        ["Sqrt"] = "sqrt", ["Exp"] = "exp", ["Log"] = "log", ["Log2"] = "log2", ["Log10"] = "log10",
        ["Pow"] = "pow", ["Sin"] = "sin", ["Cos"] = "cos", ["Tan"] = "tan", ["Asin"] = "asin", ["Acos"] = "acos",
        ["Atan"] = "atan", ["Atan2"] = "atan2", ["Sinh"] = "sinh", ["Cosh"] = "cosh", ["Tanh"] = "tanh",
        ["Floor"] = "floor", ["Ceiling"] = "ceil", ["Truncate"] = "trunc", ["Round"] = "rint",
        ["FusedMultiplyAdd"] = "fma", ["Cbrt"] = "cbrt", ["CopySign"] = "copysign", ["Abs"] = "fabs",
        ["Rsqrt"] = "rsqrt", ["Erf"] = "erf",
    };

    private static readonly Dictionary<string, string> AtomicOps = new()
    {
        ["Add"] = "add", ["Min"] = "min", ["Max"] = "max", ["Exchange"] = "xchg", ["CompareExchange"] = "cmpxchg",
    };

    private readonly ExpressionTranslator x;

    public Builtins(ExpressionTranslator translator) => x = translator;

    private Dialect D => x.D;

    public CExpr Invocation(InvocationExpressionSyntax inv)
    {
        if (x.Model.GetSymbolInfo(inv).Symbol is not IMethodSymbol method)
        {
            throw new TranslationException(inv, $"the call '{inv.Expression}'");
        }
        var args = inv.ArgumentList.Arguments;
        var type = method.ContainingType;
        string ns = type.ContainingNamespace?.ToDisplayString() ?? "";
        if (ns == "System" && type.Name is "MathF" or "Math")
        {
            return Math(inv, method, args);
        }
        if (ns == "System" && type.Name == "Single" && method.Name is "IsNaN" or "IsInfinity" or "IsFinite" && args.Count == 1)
        {
            bool isDouble = type.Name == "Double";
            string test = method.Name.Substring(2).ToLowerInvariant(); // nan, infinity, finite
            return CExpr.Primary(D.FloatClass(test == "infinity" ? "inf" : test, isDouble, x.Code(args[0].Expression), x.Context.Prelude));
        }
        if (KnownTypes.IsLanguageNamespace(type.ContainingNamespace))
        {
            switch (type.Name)
            {
                case "KernelMath":
                    return Math(inv, method, args);
                case "Atomic":
                    return Atomic(inv, method, args);
                case "ArrayView" or "ArrayView2D":
                    return View(inv, method, args);
            }
            int width = KnownTypes.VectorWidth(type);
            if (width > 0)
            {
                return Vector(inv, method, args, width);
            }
            throw new TranslationException(inv, $"'{type.Name}.{method.Name}' in this position");
        }
        if (method.IsStatic && method.DeclaringSyntaxReferences.Length > 0 && !method.IsGenericMethod)
        {
            string name = x.Context.HelperName(method, inv);
            return CExpr.Primary($"{name}({string.Join(", ", args.Select(a => x.Code(a.Expression)))})");
        }
        throw new TranslationException(inv, $"the call to '{method.ToDisplayString()}'");
    }

    private CExpr Math(InvocationExpressionSyntax inv, IMethodSymbol method, SeparatedSyntaxList<ArgumentSyntax> args)
    {
        var p0 = method.Parameters.Length > 0 ? method.Parameters[0].Type : null;
        bool isDouble = p0?.SpecialType == SpecialType.System_Double;
        string Arg(int i) => x.Code(args[i].Expression);
        if (KnownTypes.IsInteger(p0))
        {
            switch (method.Name)
            {
                case "Abs" when p0!.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64:
                    return CExpr.Primary(D.IntAbs(Arg(0), p0.SpecialType == SpecialType.System_Int64));
                case "Max" or "Min":
                    return CExpr.Primary($"{(method.Name == "Max" ? "max" : "min")}({Arg(0)}, {Arg(1)})");
            }
            throw new TranslationException(inv, $"'{method.ContainingType.Name}.{method.Name}({p0})'");
        }
        if (!KnownTypes.IsFloating(p0))
        {
            throw new TranslationException(inv, $"'{method.ContainingType.Name}.{method.Name}'");
        }
        if (method.Name is "Max" or "Min")
        {
            string key = (method.Name == "Max" ? "max_" : "min_") + (isDouble ? "f64" : "f32");
            x.Context.Prelude.Require(key);
            return CExpr.Primary($"hilo_{key}({Arg(0)}, {Arg(1)})");
        }
        if (method.Name == "Round" && args.Count != 1 || method.Name == "Log" && args.Count != 1)
        {
            throw new TranslationException(inv, $"'{method.ContainingType.Name}.{method.Name}' with {args.Count} arguments");
        }
        if (MathFunctions.TryGetValue(method.Name, out var c))
        {
            return CExpr.Primary($"{D.Math(c, isDouble)}({string.Join(", ", args.Select(a => x.Code(a.Expression)))})");
        }
        throw new TranslationException(inv, $"'{method.ContainingType.Name}.{method.Name}'");
    }

    private CExpr Atomic(InvocationExpressionSyntax inv, IMethodSymbol method, SeparatedSyntaxList<ArgumentSyntax> args)
    {
        if (!AtomicOps.TryGetValue(method.Name, out var op) || args.Count < 2 ||
            args[0].Expression is not ElementAccessExpressionSyntax target)
        {
            throw new TranslationException(inv, $"'Atomic.{method.Name}' (the target must be 'ref view[i]')");
        }
        bool isShared = KnownTypes.ViewKindOf(x.TypeOf(target.Expression)) == ViewKind.Shared;
        bool isFloat = method.Parameters[0].Type.SpecialType == SpecialType.System_Single;
        string address = "&" + x.Natural(target).AtLeast(Prec.Unary);
        var rest = args.Skip(1).Select(a => x.Code(a.Expression)).ToArray();
        return CExpr.Primary(D.Atomic(op, isFloat, isShared, address, rest, x.Context.Prelude));
    }

    private CExpr View(InvocationExpressionSyntax inv, IMethodSymbol method, SeparatedSyntaxList<ArgumentSyntax> args)
    {
        if (inv.Expression is not MemberAccessExpressionSyntax member)
        {
            throw new TranslationException(inv, $"'{method.Name}'");
        }
        var viewType = x.TypeOf(member.Expression);
        string element = x.Context.ElementName(KnownTypes.ElementOf(viewType), inv);
        string receiver = x.Code(member.Expression);
        var a = args.Select(arg => x.Code(arg.Expression)).ToList();
        string key = method.Name switch
        {
            "SubView" => "subview",
            "Row" => "row",
            "As2D" => "as2d",
            "As3D" => "as3d",
            _ => throw new TranslationException(inv, $"view method '{method.Name}'"),
        };
        if (key == "as2d" && a.Count == 2)
        {
            x.RequireSimple(args[0].Expression);
            a.Add(a[0]); // dense: stride = width
        }
        x.Context.Prelude.Require(key + ":" + element);
        return CExpr.Primary($"hilo_{key}_{element}({receiver}, {string.Join(", ", a)})");
    }

    private CExpr Vector(InvocationExpressionSyntax inv, IMethodSymbol method, SeparatedSyntaxList<ArgumentSyntax> args, int width)
    {
        x.Context.RequireVector(width);
        string Arg(int i) => x.Code(args[i].Expression);
        string w = width.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var receiver = (inv.Expression as MemberAccessExpressionSyntax)?.Expression;
        switch (method.Name)
        {
            case "Load":
                return CExpr.Primary(D.VectorLoad(width, Pointer(args[0].Expression, args[1].Expression)));
            case "Store" when receiver is not null:
                return CExpr.Primary(D.VectorStore(width, x.Code(receiver), Pointer(args[0].Expression, args[1].Expression)));
            case "Fma":
                return CExpr.Primary(D.VectorFma(width, Arg(0), Arg(1), Arg(2)));
            case "Max" or "Min":
            {
                string m = method.Name == "Max" ? "max" : "min";
                x.Context.Prelude.Require("v" + m + ":" + w);
                return CExpr.Primary($"hilo_{m}_f32x{w}({Arg(0)}, {Arg(1)})");
            }
            case "Sum" when receiver is not null:
                x.Context.Prelude.Require("vsum:" + w);
                return CExpr.Primary($"hilo_sum_f32x{w}({x.Code(receiver)})");
            case "Add":
                return new CExpr($"{x.Operand(args[0].Expression, Prec.Additive)} + {x.Operand(args[1].Expression, Prec.Additive + 1)}", Prec.Additive);
            case "Subtract":
                return new CExpr($"{x.Operand(args[0].Expression, Prec.Additive)} - {x.Operand(args[1].Expression, Prec.Additive + 1)}", Prec.Additive);
            case "Multiply":
                return new CExpr($"{x.Operand(args[0].Expression, Prec.Multiplicative)} * {x.Operand(args[1].Expression, Prec.Multiplicative + 1)}", Prec.Multiplicative);
            case "Divide":
                return new CExpr($"{x.Operand(args[0].Expression, Prec.Multiplicative)} / {x.Operand(args[1].Expression, Prec.Multiplicative + 1)}", Prec.Multiplicative);
            case "Negate":
                return new CExpr("-" + x.Operand(args[0].Expression, Prec.Unary), Prec.Unary);
        }
        throw new TranslationException(inv, $"'Float{w}.{method.Name}'");
    }

    /// <summary><c>view.ptr + index</c> for vector loads and stores.</summary>
    private string Pointer(ExpressionSyntax view, ExpressionSyntax index) =>
        $"{x.Operand(view, Prec.Postfix)}.ptr + {x.Operand(index, Prec.Additive + 1)}";
}
