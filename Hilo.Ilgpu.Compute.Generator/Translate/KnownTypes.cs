using Microsoft.CodeAnalysis;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>Kinds of memory view the kernel language has.</summary>
internal enum ViewKind
{
    /// <summary>Not a view.</summary>
    None,

    /// <summary><c>ArrayView&lt;T&gt;</c>.</summary>
    View1D,

    /// <summary><c>ArrayView2D&lt;T&gt;</c>.</summary>
    View2D,

    /// <summary><c>ArrayView3D&lt;T&gt;</c>.</summary>
    View3D,

    /// <summary><c>SharedView&lt;T&gt;</c>.</summary>
    Shared,
}

/// <summary>Recognises the kernel-language types of <c>Hilo.Ilgpu.Compute</c> by name.</summary>
internal static class KnownTypes
{
    public const string Namespace = "Hilo.Ilgpu.Compute";

    public static bool IsLanguageType(ITypeSymbol? type, string name) =>
        type is INamedTypeSymbol named && named.Name == name && IsLanguageNamespace(named.ContainingNamespace);

    public static bool IsLanguageNamespace(INamespaceSymbol? ns) => ns?.ToDisplayString() == Namespace;

    public static ViewKind ViewKindOf(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol { IsGenericType: true } named || !IsLanguageNamespace(named.ContainingNamespace))
        {
            return ViewKind.None;
        }
        return named.Name switch
        {
            "ArrayView" => ViewKind.View1D,
            "ArrayView2D" => ViewKind.View2D,
            "ArrayView3D" => ViewKind.View3D,
            "SharedView" => ViewKind.Shared,
            _ => ViewKind.None,
        };
    }

    public static ITypeSymbol ElementOf(ITypeSymbol viewType) => ((INamedTypeSymbol)viewType).TypeArguments[0];

    /// <summary>4, 8 or 16 for Float4/Float8/Float16, else 0.</summary>
    public static int VectorWidth(ITypeSymbol? type)
    {
        if (type is INamedTypeSymbol named && IsLanguageNamespace(named.ContainingNamespace))
        {
            return named.Name switch
            {
                "Float4" => 4,
                "Float8" => 8,
                "Float16" => 16,
                _ => 0,
            };
        }
        return 0;
    }

    /// <summary>The OpenCL name of a primitive (also used in generated helper names), or null.</summary>
    public static string? PrimitiveName(ITypeSymbol? type) => type?.SpecialType switch
    {
        SpecialType.System_Boolean => "bool",
        SpecialType.System_SByte => "char",
        SpecialType.System_Byte => "uchar",
        SpecialType.System_Int16 => "short",
        SpecialType.System_UInt16 => "ushort",
        SpecialType.System_Int32 => "int",
        SpecialType.System_UInt32 => "uint",
        SpecialType.System_Int64 => "long",
        SpecialType.System_UInt64 => "ulong",
        SpecialType.System_Single => "float",
        SpecialType.System_Double => "double",
        _ => null,
    };

    public static bool IsFloating(ITypeSymbol? t) =>
        t?.SpecialType is SpecialType.System_Single or SpecialType.System_Double;

    public static bool IsInteger(ITypeSymbol? t) => t?.SpecialType is SpecialType.System_SByte or SpecialType.System_Byte
        or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32
        or SpecialType.System_Int64 or SpecialType.System_UInt64;

    /// <summary>True for int and long, whose + - * wrap in C# but overflow is undefined in C.</summary>
    public static bool IsWrappingSigned(ITypeSymbol? t) => t?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64;

    /// <summary>True for a struct declared in source (a user struct of primitives).</summary>
    public static bool IsUserStruct(ITypeSymbol? t) =>
        t is INamedTypeSymbol { TypeKind: TypeKind.Struct, SpecialType: SpecialType.None } named &&
        !IsLanguageNamespace(named.ContainingNamespace) && named.DeclaringSyntaxReferences.Length > 0;

    /// <summary>Size in bytes of a primitive or a sequential struct of primitives (C layout rules).</summary>
    public static (int Size, int Align) Layout(ITypeSymbol t)
    {
        switch (t.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
                return (1, 1);
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
                return (2, 2);
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Single:
                return (4, 4);
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Double:
                return (8, 8);
        }
        int size = 0;
        int align = 1;
        foreach (var field in InstanceFields(t))
        {
            var (s, a) = Layout(field.Type);
            size = (size + a - 1) / a * a + s;
            align = System.Math.Max(align, a);
        }
        return ((size + align - 1) / align * align, align);
    }

    public static System.Collections.Generic.IEnumerable<IFieldSymbol> InstanceFields(ITypeSymbol t)
    {
        foreach (var member in t.GetMembers())
        {
            if (member is IFieldSymbol { IsStatic: false, IsConst: false } field)
            {
                yield return field;
            }
        }
    }
}
