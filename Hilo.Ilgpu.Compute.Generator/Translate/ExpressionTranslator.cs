using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>
/// Translates C# expressions of one function (kernel or helper) to C, using the semantic model for types,
/// constants, implicit conversions and overloads. Operators are in the <c>.Operators</c> part, calls in
/// <see cref="Builtins"/>.
/// </summary>
internal sealed partial class ExpressionTranslator
{
    public ExpressionTranslator(TranslationContext context, SemanticModel model, bool inKernel)
    {
        Context = context;
        Model = model;
        InKernel = inKernel;
        Builtins = new Builtins(this);
    }

    public TranslationContext Context { get; }

    public Dialect D => Context.Dialect;

    public SemanticModel Model { get; }

    /// <summary>True in the kernel body itself (hidden launch parameters are in scope), false in helpers.</summary>
    public bool InKernel { get; }

    private Builtins Builtins { get; }

    /// <summary>The value of <paramref name="e"/> converted to the type C# converts it to (implicit conversions made explicit).</summary>
    public CExpr Translate(ExpressionSyntax e)
    {
        var info = Model.GetTypeInfo(e);
        if (IsFoldableConstant(e) && info.ConvertedType is { } target && Model.GetConstantValue(e) is { HasValue: true } constant)
        {
            NoteType(target);
            return Literals.Of(constant.Value, target, D);
        }
        var natural = Natural(e);
        if (info.Type is { } from && info.ConvertedType is { } to && !SymbolEqualityComparer.Default.Equals(from, to))
        {
            return ImplicitConvert(natural, from, to);
        }
        return natural;
    }

    /// <summary>Shorthand: translated text, parenthesised below <paramref name="minimum"/> precedence.</summary>
    public string Operand(ExpressionSyntax e, int minimum) => Translate(e).AtLeast(minimum);

    public string Code(ExpressionSyntax e) => Translate(e).Text;

    public ITypeSymbol TypeOf(ExpressionSyntax e) =>
        Model.GetTypeInfo(e).Type ?? throw new TranslationException(e, "an expression without a type");

    public ITypeSymbol ConvertedTypeOf(ExpressionSyntax e) => Model.GetTypeInfo(e).ConvertedType ?? TypeOf(e);

    /// <summary>Literals, named constants, default and sizeof print as their (converted) value.</summary>
    private bool IsFoldableConstant(ExpressionSyntax e)
    {
        switch (e)
        {
            case LiteralExpressionSyntax:
            case DefaultExpressionSyntax:
            case SizeOfExpressionSyntax:
            case CheckedExpressionSyntax:
                return true;
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression or (int)SyntaxKind.UnaryPlusExpression } u:
                return u.Operand is LiteralExpressionSyntax;
            case CastExpressionSyntax c:
                return c.Expression is LiteralExpressionSyntax or PrefixUnaryExpressionSyntax { Operand: LiteralExpressionSyntax };
            case IdentifierNameSyntax:
            case MemberAccessExpressionSyntax:
                // const fields (not const locals, whose names the C code keeps)
                return Model.GetSymbolInfo(e).Symbol is IFieldSymbol { IsConst: true };
            default:
                return false;
        }
    }

    private void NoteType(ITypeSymbol? type)
    {
        if (type?.SpecialType == SpecialType.System_Double)
        {
            Context.UsesDoubles = true;
        }
    }

    /// <summary>The value of <paramref name="e"/> in its own C# type.</summary>
    public CExpr Natural(ExpressionSyntax e)
    {
        var info = Model.GetTypeInfo(e);
        NoteType(info.Type);
        NoteType(info.ConvertedType);
        if (Model.GetConstantValue(e) is { HasValue: true } constant && IsFoldableConstant(e) && info.Type is { } ct)
        {
            return Literals.Of(constant.Value, ct, D);
        }
        switch (e)
        {
            case LiteralExpressionSyntax lit when lit.IsKind(SyntaxKind.DefaultLiteralExpression):
            case DefaultExpressionSyntax:
                return Zero(info.ConvertedType ?? info.Type!, e);
            case ParenthesizedExpressionSyntax p:
                return CExpr.Primary("(" + Code(p.Expression) + ")");
            case IdentifierNameSyntax id:
                return Identifier(id);
            case MemberAccessExpressionSyntax m:
                return MemberAccess(m);
            case ElementAccessExpressionSyntax ea:
                return ElementAccess(ea);
            case InvocationExpressionSyntax inv:
                return Builtins.Invocation(inv);
            case BaseObjectCreationExpressionSyntax create:
                return Creation(create);
            case CastExpressionSyntax cast:
                return Cast(cast);
            case BinaryExpressionSyntax b:
                return Binary(b);
            case PrefixUnaryExpressionSyntax pre:
                return Prefix(pre);
            case PostfixUnaryExpressionSyntax post:
                return Postfix(post);
            case AssignmentExpressionSyntax a:
                return new CExpr(Assignment(a), Prec.Assign);
            case ConditionalExpressionSyntax c:
                return new CExpr(
                    $"{Operand(c.Condition, Prec.LogicalOr)} ? {Operand(c.WhenTrue, Prec.Conditional)} : {Operand(c.WhenFalse, Prec.Conditional)}",
                    Prec.Conditional);
            case CheckedExpressionSyntax chk when chk.IsKind(SyntaxKind.UncheckedExpression):
                return CExpr.Primary("(" + Code(chk.Expression) + ")");
            default:
                throw new TranslationException(e, $"the expression '{e}' ({e.Kind()})");
        }
    }

    private CExpr Identifier(IdentifierNameSyntax id)
    {
        var symbol = Model.GetSymbolInfo(id).Symbol;
        switch (symbol)
        {
            case ILocalSymbol or IParameterSymbol:
                return CExpr.Primary(Names.Of(id.Identifier.ValueText));
            case IFieldSymbol { IsConst: true } field:
                return Literals.Of(field.ConstantValue, field.Type, D);
            default:
                throw new TranslationException(id, $"'{id}' ({symbol?.Kind.ToString() ?? "unknown symbol"})");
        }
    }

    private CExpr MemberAccess(MemberAccessExpressionSyntax m)
    {
        var symbol = Model.GetSymbolInfo(m).Symbol;
        string member = m.Name.Identifier.ValueText;
        if (symbol is IFieldSymbol { IsConst: true } constant)
        {
            return Literals.Of(constant.ConstantValue, constant.Type, D);
        }
        var receiverType = Model.GetTypeInfo(m.Expression).Type;

        // Grid.GlobalIndex.X, Group.Size.Y, Grid.GlobalSize.Z ...
        if (KnownTypes.IsLanguageType(receiverType, "Index3D") && member is "X" or "Y" or "Z")
        {
            int dim = member[0] - 'X';
            if (m.Expression is MemberAccessExpressionSyntax source &&
                Model.GetSymbolInfo(source).Symbol is IPropertySymbol { IsStatic: true } p &&
                KnownTypes.IsLanguageNamespace(p.ContainingNamespace))
            {
                switch (p.ContainingType.Name + "." + p.Name)
                {
                    case "Grid.GlobalIndex":
                        return new CExpr(D.Index(IndexKind.Global, dim), Prec.Unary);
                    case "Grid.GroupIndex":
                        return new CExpr(D.Index(IndexKind.GroupIndex, dim), Prec.Unary);
                    case "Grid.GroupCount":
                        return new CExpr(D.Index(IndexKind.GroupCount, dim), Prec.Unary);
                    case "Group.Index":
                        return new CExpr(D.Index(IndexKind.Local, dim), Prec.Unary);
                    case "Group.Size":
                        return new CExpr(D.Index(IndexKind.GroupSize, dim), Prec.Unary);
                    case "Grid.GlobalSize":
                        if (!InKernel)
                        {
                            throw new TranslationException(m, "Grid.GlobalSize in a helper method (pass it from the kernel as an argument)");
                        }
                        return CExpr.Primary("hilo_global_" + char.ToLowerInvariant(member[0]));
                }
            }
            throw new TranslationException(m, $"'{m}' (use Grid.*/Group.* index members directly, e.g. Grid.GlobalIndex.X)");
        }
        if (symbol is IPropertySymbol { IsStatic: true } sp && KnownTypes.IsLanguageNamespace(sp.ContainingNamespace))
        {
            if (sp.ContainingType.Name == "Group" && sp.Name == "LinearIndex")
            {
                return new CExpr(D.LinearIndex, Prec.Unary);
            }
            int width = KnownTypes.VectorWidth(sp.ContainingType);
            if (width > 0 && sp.Name == "Zero")
            {
                Context.RequireVector(width);
                return CExpr.Primary(D.VectorSplat(width, "0.0f"));
            }
        }

        var kind = KnownTypes.ViewKindOf(receiverType);
        if (kind != ViewKind.None && symbol is IPropertySymbol)
        {
            string recv = Operand(m.Expression, Prec.Postfix);
            switch (member)
            {
                case "Length" when kind is ViewKind.View1D or ViewKind.Shared:
                    return new CExpr(recv + ".length", Prec.Postfix);
                case "IsEmpty" when kind == ViewKind.View1D:
                    return new CExpr(recv + ".length == 0", Prec.Equality);
                case "Data" or "Width" or "Height" or "Stride" or "Depth" or "RowStride" or "SliceStride"
                    when kind is ViewKind.View2D or ViewKind.View3D:
                    return new CExpr(recv + "." + char.ToLowerInvariant(member[0]) + member.Substring(1), Prec.Postfix);
            }
            throw new TranslationException(m, $"'{m}' (view member {member})");
        }
        if (symbol is IFieldSymbol { IsStatic: false } field && KnownTypes.IsUserStruct(field.ContainingType))
        {
            Context.CType(field.ContainingType, m);
            return new CExpr(Operand(m.Expression, Prec.Postfix) + "." + Names.Of(field.Name), Prec.Postfix);
        }
        throw new TranslationException(m, $"the member access '{m}'");
    }

    private CExpr ElementAccess(ElementAccessExpressionSyntax ea)
    {
        var receiverType = TypeOf(ea.Expression);
        var args = ea.ArgumentList.Arguments;
        int width = KnownTypes.VectorWidth(receiverType);
        if (width > 0 && args.Count == 1)
        {
            string vector = Operand(ea.Expression, Prec.Postfix);
            var laneConstant = Model.GetConstantValue(args[0].Expression);
            int? lane = laneConstant.HasValue ? System.Convert.ToInt32(laneConstant.Value, System.Globalization.CultureInfo.InvariantCulture) : null;
            string laneText = Code(args[0].Expression);
            return new CExpr(D.VectorLane(width, vector, laneText, lane, Context.Prelude), Prec.Postfix);
        }
        var kind = KnownTypes.ViewKindOf(receiverType);
        string recv = Operand(ea.Expression, Prec.Postfix);
        switch (kind)
        {
            case ViewKind.View1D or ViewKind.Shared when args.Count == 1:
                return new CExpr($"{recv}.ptr[{Code(args[0].Expression)}]", Prec.Postfix);
            case ViewKind.View2D when args.Count == 2:
                RequireSimple(ea.Expression);
                return new CExpr(
                    $"{recv}.data.ptr[{Operand(args[0].Expression, Prec.Multiplicative)} * {recv}.stride + {Operand(args[1].Expression, Prec.Additive + 1)}]",
                    Prec.Postfix);
            case ViewKind.View3D when args.Count == 3:
                RequireSimple(ea.Expression);
                return new CExpr(
                    $"{recv}.data.ptr[{Operand(args[0].Expression, Prec.Multiplicative)} * {recv}.sliceStride + " +
                    $"{Operand(args[1].Expression, Prec.Multiplicative)} * {recv}.rowStride + {Operand(args[2].Expression, Prec.Additive + 1)}]",
                    Prec.Postfix);
            default:
                throw new TranslationException(ea, $"the element access '{ea}'");
        }
    }

    /// <summary>Expressions the generated C may evaluate twice (locals, parameters, fields of them).</summary>
    public void RequireSimple(ExpressionSyntax e)
    {
        if (!IsSideEffectFree(e))
        {
            throw new TranslationException(e, $"'{e}' here (it would be evaluated twice in C; store it in a local first)");
        }
    }

    public bool IsSideEffectFree(ExpressionSyntax e) => e switch
    {
        IdentifierNameSyntax or LiteralExpressionSyntax => true,
        ParenthesizedExpressionSyntax p => IsSideEffectFree(p.Expression),
        MemberAccessExpressionSyntax m => IsSideEffectFree(m.Expression) || Model.GetSymbolInfo(m).Symbol is IFieldSymbol { IsConst: true }
            || m.Expression is IdentifierNameSyntax,
        ElementAccessExpressionSyntax ea => IsSideEffectFree(ea.Expression) && ea.ArgumentList.Arguments.All(a => IsSideEffectFree(a.Expression)),
        BinaryExpressionSyntax b => IsSideEffectFree(b.Left) && IsSideEffectFree(b.Right),
        CastExpressionSyntax c => IsSideEffectFree(c.Expression),
        PrefixUnaryExpressionSyntax u => u.Kind() is SyntaxKind.UnaryMinusExpression or SyntaxKind.UnaryPlusExpression
            or SyntaxKind.LogicalNotExpression or SyntaxKind.BitwiseNotExpression && IsSideEffectFree(u.Operand),
        _ => false,
    };

    private CExpr Creation(BaseObjectCreationExpressionSyntax create)
    {
        var type = Model.GetTypeInfo(create).Type!;
        var args = create.ArgumentList?.Arguments ?? default;
        if (create.Initializer is not null)
        {
            throw new TranslationException(create, "an object initializer");
        }
        int width = KnownTypes.VectorWidth(type);
        if (width > 0)
        {
            Context.RequireVector(width);
            return CExpr.Primary(D.VectorSplat(width, args.Count == 1 ? Code(args[0].Expression) : "0.0f"));
        }
        if (args.Count == 0)
        {
            return Zero(type, create);
        }
        throw new TranslationException(create, $"'new {type.Name}(...)' with arguments");
    }

    /// <summary>The zero value of a type (default, new S()).</summary>
    public CExpr Zero(ITypeSymbol type, SyntaxNode where)
    {
        if (KnownTypes.PrimitiveName(type) is not null)
        {
            return Literals.Of(0, type, D);
        }
        int width = KnownTypes.VectorWidth(type);
        if (width > 0)
        {
            Context.RequireVector(width);
            return CExpr.Primary(D.VectorSplat(width, "0.0f"));
        }
        if (KnownTypes.IsUserStruct(type))
        {
            return new CExpr(D.ZeroStruct(Context.CType(type, where)), D.IsCuda ? Prec.Postfix : Prec.Unary);
        }
        throw new TranslationException(where, $"default value of '{type.ToDisplayString()}'");
    }
}
