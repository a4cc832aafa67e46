using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Hilo.Ilgpu.Compute.Generator.Analysis;

/// <summary>
/// The members of other assemblies (the kernel-language types, MathF, Math, ...) that kernels may use; the
/// emitter translates exactly these. Everything else from outside the compilation is refused.
/// </summary>
internal static class AllowList
{
    private const string L = TypeRules.LanguageNamespace + ".";

    private static readonly string[] MathFunctions =
    {
        "Exp", "Log", "Log2", "Sqrt", "Tanh", "Pow", "Abs", "Min", "Max", "Floor", "Ceiling", "Round", "Truncate",
        "FusedMultiplyAdd", "Sin", "Cos",
    };

    private static readonly string[] VectorMembers =
    {
        ".ctor", "Zero", "this[]", "Load", "Store", "Fma", "Max", "Min", "Sum", "Add", "Subtract", "Multiply", "Divide", "Negate",
        "op_Addition", "op_Subtraction", "op_Multiply", "op_Division", "op_UnaryNegation",
    };

    // Containing type (namespace + metadata name) -> allowed member names. Overloads are narrowed in IsAllowed.
    private static readonly Dictionary<string, HashSet<string>> Members = new()
    {
        [L + "Grid"] = Set("GlobalIndex", "GlobalSize", "GroupIndex", "GroupCount"),
        [L + "Group"] = Set("Index", "Size", "LinearIndex", "Barrier"),
        [L + "Index3D"] = Set("X", "Y", "Z"),
        [L + "SharedMemory"] = Set("Allocate"),
        [L + "SharedView`1"] = Set("Length", "this[]"),
        [L + "ArrayView`1"] = Set("Length", "this[]", "SubView", "As2D", "As3D"),
        [L + "ArrayView2D`1"] = Set("Width", "Height", "Stride", "Data", "this[]", "Row"),
        [L + "ArrayView3D`1"] = Set("Width", "Height", "Depth", "RowStride", "SliceStride", "Data", "this[]"),
        [L + "Atomic"] = Set("Add", "Min", "Max", "Exchange", "CompareExchange"),
        [L + "KernelMath"] = Set("Rsqrt", "Erf"),
        [L + "Float4"] = Set(VectorMembers),
        [L + "Float8"] = Set(VectorMembers),
        [L + "Float16"] = Set(VectorMembers),
        ["System.MathF"] = Set(MathFunctions),
        ["System.Math"] = Set(MathFunctions),
        ["System.Single"] = Set("IsNaN", "IsInfinity", "IsFinite"),
    };

    private static HashSet<string> Set(params string[] names) => new(names);

    /// <summary>"Namespace.MetadataName" of a type, the key of <see cref="Members"/>.</summary>
    public static string Key(INamedTypeSymbol type) =>
        (type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." : "") + type.OriginalDefinition.MetadataName;

    /// <summary>Whether <paramref name="member"/> (a method, property or indexer of another assembly) is in the kernel language.</summary>
    public static bool IsAllowed(ISymbol member)
    {
        if (member.ContainingType is not { } type || !Members.TryGetValue(Key(type), out var names))
        {
            return false;
        }
        string name = member is IPropertySymbol { IsIndexer: true } ? "this[]" : member.Name;
        if (!names.Contains(name))
        {
            return false;
        }
        if (member is not IMethodSymbol method)
        {
            return true;
        }
        var parameters = method.Parameters.Select(p => p.Type.SpecialType).ToArray();
        switch (Key(type))
        {
            case "System.MathF":
                // MathF.Log(x, base) and MathF.Round(x, digits/mode) have no direct device equivalent.
                return (name is not ("Log" or "Round")) || parameters.Length == 1;
            case "System.Math":
                if (name is not ("Log" or "Round") || parameters.Length == 1)
                {
                    if (parameters.All(p => p == SpecialType.System_Double))
                    {
                        return true;
                    }
                    return name is "Min" or "Max" or "Abs" &&
                           parameters.All(p => p is SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64);
                }
                return false;
            case "System.Single":
                return parameters.Length == 1;
            case L + "Float4":
            case L + "Float8":
            case L + "Float16":
                return name != ".ctor" || (parameters.Length == 1 && parameters[0] == SpecialType.System_Single);
            default:
                return true;
        }
    }

    /// <summary>Display name for messages, e.g. "Console.WriteLine" or "new Vector2(...)".</summary>
    public static string Show(ISymbol member)
    {
        string type = member.ContainingType is { } t ? t.Name : "";
        return member switch
        {
            IMethodSymbol { MethodKind: MethodKind.Constructor } => "new " + type + "(...)",
            IPropertySymbol { IsIndexer: true } => "The " + type + " indexer",
            _ => type.Length > 0 ? type + "." + member.Name : member.Name,
        };
    }

    /// <summary>What to write instead of a refused member of another assembly.</summary>
    public static string Hint(ISymbol member)
    {
        string key = member.ContainingType is { } t ? Key(t) : "";
        string name = member.Name;
        if (key == "System.Math" && member is IMethodSymbol m && m.Parameters.Any(p => p.Type.SpecialType == SpecialType.System_Single) &&
            MathFunctions.Contains(name))
        {
            return "use MathF." + name + " for float arguments";
        }
        if (key is "System.Math" or "System.MathF" or L + "KernelMath")
        {
            return "the math functions kernels have are MathF/Math." + string.Join(", ", MathFunctions) +
                   " (one-argument Log and Round) and KernelMath.Rsqrt/Erf";
        }
        if (key.StartsWith("System.Console", System.StringComparison.Ordinal) || key.StartsWith("System.Diagnostics", System.StringComparison.Ordinal))
        {
            return "kernels cannot print or debug-assert; write values to an ArrayView and read them on the host";
        }
        if (key == "System.Convert")
        {
            return "use a cast between numeric primitives, e.g. '(int)x'";
        }
        if (key == L + "ArrayView`1")
        {
            return "a view in a kernel has only Length, the indexer, SubView, As2D and As3D";
        }
        if (key is L + "ArrayView2D`1" or L + "ArrayView3D`1")
        {
            return "2D/3D views have the indexer, Width, Height, Depth, Stride/RowStride/SliceStride, Row (2D) and Data; build them with view.As2D/As3D";
        }
        if (key is L + "Float4" or L + "Float8" or L + "Float16")
        {
            return "vector types have new(float), Zero, Count, Load, Store, the indexer, + - * /, Fma, Min, Max, Sum, Add/Subtract/Multiply/Divide/Negate";
        }
        if (key.StartsWith(L, System.StringComparison.Ordinal))
        {
            return "see docs/kernel-language.md for the kernel-language members";
        }
        return "kernels can call only static helper methods of this project and the kernel-language members (see docs/kernel-language.md)";
    }
}
