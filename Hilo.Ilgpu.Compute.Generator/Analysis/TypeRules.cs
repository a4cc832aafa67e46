using Microsoft.CodeAnalysis;

namespace Hilo.Ilgpu.Compute.Generator.Analysis;

/// <summary>Which types kernel code may use, and why the others are refused.</summary>
internal static class TypeRules
{
    /// <summary>The namespace of the kernel-language types (views, Grid, Group, Float4, ...).</summary>
    public const string LanguageNamespace = "Hilo.Ilgpu.Compute";

    /// <summary>sbyte … ulong, float, double: the types with the same size and meaning on every target.</summary>
    public static bool IsNumericPrimitive(ITypeSymbol? type) => type?.SpecialType switch
    {
        SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16 or
        SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64 or
        SpecialType.System_Single or SpecialType.System_Double => true,
        _ => false,
    };

    /// <summary>Numeric primitives and bool.</summary>
    public static bool IsPrimitive(ITypeSymbol? type) =>
        IsNumericPrimitive(type) || type?.SpecialType == SpecialType.System_Boolean;

    /// <summary>Integer primitives (the types a switch statement may govern).</summary>
    public static bool IsInteger(ITypeSymbol? type) =>
        IsNumericPrimitive(type) && type!.SpecialType is not (SpecialType.System_Single or SpecialType.System_Double);

    /// <summary>True for the kernel-language type with the given metadata name (e.g. "ArrayView`1").</summary>
    public static bool IsLanguageType(ITypeSymbol? type, string metadataName) =>
        type is INamedTypeSymbol named && named.MetadataName == metadataName &&
        named.ContainingNamespace?.ToDisplayString() == LanguageNamespace && named.ContainingType is null;

    /// <summary>Float4, Float8 or Float16.</summary>
    public static bool IsVector(ITypeSymbol? type) =>
        IsLanguageType(type, "Float4") || IsLanguageType(type, "Float8") || IsLanguageType(type, "Float16");

    /// <summary>ArrayView&lt;T&gt;, ArrayView2D&lt;T&gt; or ArrayView3D&lt;T&gt;.</summary>
    public static bool IsView(ITypeSymbol? type) =>
        IsLanguageType(type, "ArrayView`1") || IsLanguageType(type, "ArrayView2D`1") || IsLanguageType(type, "ArrayView3D`1");

    /// <summary>SharedView&lt;T&gt;.</summary>
    public static bool IsSharedView(ITypeSymbol? type) => IsLanguageType(type, "SharedView`1");

    /// <summary>Index3D (allowed only as the receiver of .X/.Y/.Z).</summary>
    public static bool IsIndex3D(ITypeSymbol? type) => IsLanguageType(type, "Index3D");

    /// <summary>The element type of a view or shared view.</summary>
    public static ITypeSymbol? ElementType(ITypeSymbol? type) =>
        type is INamedTypeSymbol { TypeArguments.Length: 1 } named && (IsView(type) || IsSharedView(type))
            ? named.TypeArguments[0] : null;

    /// <summary>A non-generic struct declared in the compilation being built (a candidate kernel struct).</summary>
    public static bool IsUserStruct(ITypeSymbol? type, Compilation compilation) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Struct, IsGenericType: false } named &&
        SymbolEqualityComparer.Default.Equals(named.ContainingAssembly, compilation.Assembly) &&
        !IsLanguageType(type, named.MetadataName) && !named.IsTupleType;

    /// <summary>Short display name, e.g. "ArrayView&lt;float&gt;".</summary>
    public static string Show(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

    /// <summary>
    /// Why <paramref name="type"/> cannot be a value in kernel code, as a descriptor and its first two message
    /// arguments; null when the type's kind is fine (user structs are checked for layout separately).
    /// </summary>
    public static (DiagnosticDescriptor Descriptor, string Reason)? Problem(ITypeSymbol type, Compilation compilation)
    {
        if (IsPrimitive(type) || IsVector(type) || IsUserStruct(type, compilation))
        {
            return null;
        }
        if (IsView(type) || IsSharedView(type))
        {
            var element = ElementType(type)!;
            if (IsNumericPrimitive(element) || IsUserStruct(element, compilation))
            {
                return null;
            }
            if (IsVector(element))
            {
                return (Diagnostics.VectorMisuse, "the element type of a view");
            }
            return (Diagnostics.UnsupportedStruct, element.SpecialType == SpecialType.System_Boolean
                ? "views of bool are not supported, use int or byte elements"
                : "view elements must be numeric primitives or structs of them");
        }
        switch (type.SpecialType)
        {
            case SpecialType.System_String:
                return (Diagnostics.StringType, "");
            case SpecialType.System_Decimal:
                return (Diagnostics.DecimalType, "");
            case SpecialType.System_Char:
                return (Diagnostics.CharType, "");
            case SpecialType.System_Object:
                return (Diagnostics.ReferenceType, "object");
            case SpecialType.System_IntPtr:
            case SpecialType.System_UIntPtr:
                return (Diagnostics.UnsupportedStruct, "native-sized integers differ between host and device, use int or long");
            case SpecialType.System_Nullable_T:
                return (Diagnostics.NullableType, "");
        }
        if (type is INamedTypeSymbol { IsTupleType: true })
        {
            return (Diagnostics.TupleType, "");
        }
        if (type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            return (Diagnostics.NullableType, "");
        }
        return type.TypeKind switch
        {
            TypeKind.Array => (Diagnostics.ArrayType, ""),
            TypeKind.Pointer or TypeKind.FunctionPointer => (Diagnostics.PointerType, ""),
            TypeKind.Delegate => (Diagnostics.Delegate, ""),
            TypeKind.Dynamic => (Diagnostics.ReferenceType, "dynamic"),
            TypeKind.Class => (Diagnostics.ReferenceType, "a class"),
            TypeKind.Interface => (Diagnostics.ReferenceType, "an interface"),
            TypeKind.Enum => (Diagnostics.UnsupportedStruct, "enums are not supported, use int constants"),
            _ when IsIndex3D(type) => (Diagnostics.UnsupportedStruct, "an Index3D cannot be stored or passed, read .X, .Y or .Z directly, e.g. 'int i = Grid.GlobalIndex.X;'"),
            TypeKind.Struct when type is INamedTypeSymbol { IsGenericType: true } named &&
                SymbolEqualityComparer.Default.Equals(named.ContainingAssembly, compilation.Assembly) =>
                (Diagnostics.UnsupportedStruct, "generic structs are not supported"),
            TypeKind.Struct => (Diagnostics.UnsupportedStruct, "only structs declared in this project, views and Float4/Float8/Float16 are supported"),
            TypeKind.TypeParameter => (Diagnostics.UnsupportedStruct, "type parameters are not supported"),
            _ => (Diagnostics.UnsupportedStruct, "not a kernel-language type"),
        };
    }

    /// <summary>Builds the diagnostic for a <see cref="Problem"/> at <paramref name="location"/>.</summary>
    public static Diagnostic ToDiagnostic((DiagnosticDescriptor Descriptor, string Reason) problem, ITypeSymbol type, Location location)
    {
        string shown = Show(type);
        if (problem.Descriptor == Diagnostics.StringType)
        {
            return Diagnostic.Create(problem.Descriptor, location, "'" + shown + "'");
        }
        if (problem.Descriptor == Diagnostics.VectorMisuse)
        {
            var element = ElementType(type) ?? type;
            return Diagnostic.Create(problem.Descriptor, location, Show(element), problem.Reason);
        }
        if (problem.Descriptor == Diagnostics.ReferenceType || problem.Descriptor == Diagnostics.UnsupportedStruct)
        {
            return Diagnostic.Create(problem.Descriptor, location, shown, problem.Reason);
        }
        return Diagnostic.Create(problem.Descriptor, location, shown);
    }
}
