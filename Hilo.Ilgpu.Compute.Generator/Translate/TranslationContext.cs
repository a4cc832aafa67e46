using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>A construct the translator cannot express; becomes diagnostic HILO0900 at <see cref="Node"/>.</summary>
internal sealed class TranslationException : Exception
{
    public TranslationException(SyntaxNode node, string what)
        : base(what) => Node = node;

    public SyntaxNode Node { get; }
}

/// <summary>
/// State shared while translating one kernel to one dialect: the prelude, the user structs and helper
/// functions it reaches (in a stable order), and whether it computes in double precision.
/// </summary>
internal sealed class TranslationContext
{
    private readonly Dictionary<SyntaxTree, SemanticModel> models = new();
    private readonly Dictionary<ITypeSymbol, string> structNames = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<IMethodSymbol, string> helperNames = new(SymbolEqualityComparer.Default);

    public TranslationContext(Dialect dialect, Compilation compilation)
    {
        Dialect = dialect;
        Compilation = compilation;
        Prelude = new Prelude(dialect);
    }

    public Dialect Dialect { get; }

    public Compilation Compilation { get; }

    public Prelude Prelude { get; }

    /// <summary>User structs in an order where each follows the structs its fields use.</summary>
    public List<INamedTypeSymbol> Structs { get; } = new();

    /// <summary>Helper methods in the order first called; translated after the kernel.</summary>
    public List<IMethodSymbol> Helpers { get; } = new();

    public bool UsesDoubles { get; set; }

    public SemanticModel ModelFor(SyntaxTree tree)
    {
        if (!models.TryGetValue(tree, out var model))
        {
            model = Compilation.GetSemanticModel(tree);
            models[tree] = model;
        }
        return model;
    }

    /// <summary>C type of a C# type used in kernel code; registers structs, views and vectors it needs.</summary>
    public string CType(ITypeSymbol type, SyntaxNode where)
    {
        if (KnownTypes.PrimitiveName(type) is string primitive)
        {
            if (type.SpecialType == SpecialType.System_Double)
            {
                UsesDoubles = true;
            }
            return Dialect.Primitive(primitive);
        }
        if (type.SpecialType == SpecialType.System_Void)
        {
            return "void";
        }
        int width = KnownTypes.VectorWidth(type);
        if (width > 0)
        {
            RequireVector(width);
            return Dialect.VectorType(width);
        }
        var kind = KnownTypes.ViewKindOf(type);
        if (kind != ViewKind.None)
        {
            string element = ElementName(KnownTypes.ElementOf(type), where);
            string key = kind switch
            {
                ViewKind.View1D => "view",
                ViewKind.View2D => "view2d",
                ViewKind.View3D => "view3d",
                _ => "lview",
            };
            Prelude.Require(key + ":" + element);
            return "hilo_" + key + "_" + element;
        }
        if (KnownTypes.IsUserStruct(type))
        {
            return StructName((INamedTypeSymbol)type, where);
        }
        throw new TranslationException(where, $"type '{type.ToDisplayString()}'");
    }

    /// <summary>Name used for a view element type in helper names: the OpenCL primitive name or the struct's C name.</summary>
    public string ElementName(ITypeSymbol element, SyntaxNode where)
    {
        if (KnownTypes.PrimitiveName(element) is string primitive)
        {
            if (element.SpecialType == SpecialType.System_Double)
            {
                UsesDoubles = true;
            }
            return primitive;
        }
        return CType(element, where);
    }

    public void RequireVector(int width)
    {
        if (Dialect.IsCuda)
        {
            Prelude.Require("vec:" + width.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private string StructName(INamedTypeSymbol type, SyntaxNode where)
    {
        if (structNames.TryGetValue(type, out var name))
        {
            return name;
        }
        name = Names.Of(type.Name);
        if (structNames.Values.Contains(name))
        {
            name = Names.Of(type.ContainingType?.Name ?? type.ContainingNamespace.Name) + "_" + name;
        }
        structNames[type] = name;
        foreach (var field in KnownTypes.InstanceFields(type))
        {
            CType(field.Type, where); // fields' structs first
        }
        Structs.Add(type);
        return name;
    }

    /// <summary>C definition of a registered user struct (same field order as C#).</summary>
    public string StructDefinition(INamedTypeSymbol type, SyntaxNode where)
    {
        var lines = KnownTypes.InstanceFields(type).Select(f => $"    {CType(f.Type, where)} {Names.Of(f.Name)};");
        return $"// struct {type.ToDisplayString()}\ntypedef struct\n{{\n{string.Join("\n", lines)}\n}} {structNames[type]};\n";
    }

    /// <summary>C name of a helper method (<c>Class_Method</c>, with parameter types when overloaded); queues it for translation.</summary>
    public string HelperName(IMethodSymbol method, SyntaxNode where)
    {
        method = method.OriginalDefinition;
        if (helperNames.TryGetValue(method, out var name))
        {
            return name;
        }
        name = Names.Of(method.ContainingType.Name + "_" + method.Name);
        bool overloaded = method.ContainingType.GetMembers(method.Name).Length > 1;
        if (overloaded)
        {
            foreach (var p in method.Parameters)
            {
                name += "_" + CType(p.Type, where).Replace("hilo_", "").Replace(' ', '_');
            }
        }
        helperNames[method] = name;
        Helpers.Add(method);
        return name;
    }
}
