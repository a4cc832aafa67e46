using System.Text;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>Dimension of an index builtin: 0 = X, 1 = Y, 2 = Z.</summary>
internal enum IndexKind
{
    /// <summary><c>Grid.GlobalIndex</c>.</summary>
    Global,

    /// <summary><c>Group.Index</c>.</summary>
    Local,

    /// <summary><c>Group.Size</c>.</summary>
    GroupSize,

    /// <summary><c>Grid.GroupIndex</c>.</summary>
    GroupIndex,

    /// <summary><c>Grid.GroupCount</c>.</summary>
    GroupCount,
}

/// <summary>
/// Everything that differs between the OpenCL C and the CUDA C output. The translators produce the same
/// structure for both and ask the dialect for spellings, builtins and prelude snippets.
/// </summary>
internal abstract class Dialect
{
    public static readonly Dialect OpenCL = new OpenCLDialect();
    public static readonly Dialect Cuda = new CudaDialect();

    public abstract bool IsCuda { get; }

    /// <summary>First lines of the source, before the prelude.</summary>
    public abstract string Header(string kernelName, bool usesDoubles);

    /// <summary>C spelling of a primitive, given by its OpenCL name (char = sbyte, uchar = byte, long = 64 bit...).</summary>
    public abstract string Primitive(string openCLName);

    /// <summary>Pointer type to global memory, e.g. <c>__global float*</c>.</summary>
    public abstract string GlobalPointer(string element);

    /// <summary>Pointer type to group-shared memory.</summary>
    public abstract string LocalPointer(string element);

    /// <summary>Prefix of a kernel entry point up to the name, e.g. <c>__kernel void</c>.</summary>
    public abstract string KernelPrefix { get; }

    /// <summary>Prefix of a helper function definition (CUDA: <c>__device__ </c>).</summary>
    public abstract string FunctionPrefix { get; }

    /// <summary>Declaration of a shared array in kernel scope.</summary>
    public abstract string SharedArray(string element, string name, int length);

    /// <summary>An index builtin as an int expression (primary precedence).</summary>
    public abstract string Index(IndexKind kind, int dimension);

    /// <summary><c>Group.LinearIndex</c> as an int expression.</summary>
    public abstract string LinearIndex { get; }

    /// <summary>The group barrier statement.</summary>
    public abstract string Barrier { get; }

    /// <summary>Name of a C math function for float (<paramref name="isDouble"/> false) or double arguments.</summary>
    public abstract string Math(string name, bool isDouble);

    /// <summary>Integer absolute value of <paramref name="arg"/> (an int or long), result of the same type.</summary>
    public abstract string IntAbs(string arg, bool isLong);

    /// <summary>Saturating float/double to integer conversion (NaN gives 0), target int, uint, long or ulong.</summary>
    public abstract string SaturatingConvert(string target, bool fromDouble, string arg);

    /// <summary>Float constants C cannot write as literals: NaN, +inf, -inf.</summary>
    public abstract string SpecialFloat(double value, bool isDouble);

    /// <summary>Suffix of a 64-bit literal (<paramref name="unsigned"/> for ulong).</summary>
    public abstract string LongSuffix(bool unsigned);

    /// <summary>C vector type for a FloatN of width <paramref name="width"/>.</summary>
    public abstract string VectorType(int width);

    /// <summary>All lanes set to <paramref name="scalar"/>.</summary>
    public abstract string VectorSplat(int width, string scalar);

    /// <summary>Load of <paramref name="width"/> floats at <paramref name="pointer"/>.</summary>
    public abstract string VectorLoad(int width, string pointer);

    /// <summary>Store of <paramref name="value"/> at <paramref name="pointer"/> (a statement expression).</summary>
    public abstract string VectorStore(int width, string value, string pointer);

    /// <summary>Lane-wise fused multiply-add.</summary>
    public abstract string VectorFma(int width, string a, string b, string c);

    /// <summary>Lane <paramref name="lane"/> of a vector; <paramref name="constantLane"/> when known.</summary>
    public abstract string VectorLane(int width, string vector, string lane, int? constantLane, Prelude prelude);

    /// <summary>An atomic read-modify-write on an int or float element; <paramref name="op"/> is add, min, max, xchg or cmpxchg.</summary>
    public abstract string Atomic(string op, bool isFloat, bool isShared, string address, string[] args, Prelude prelude);

    /// <summary><c>float.IsNaN/IsInfinity/IsFinite</c>: <paramref name="test"/> is nan, inf or finite.</summary>
    public abstract string FloatClass(string test, bool isDouble, string arg, Prelude prelude);

    /// <summary>A zero value of user struct <paramref name="name"/> as an expression.</summary>
    public abstract string ZeroStruct(string name);

    /// <summary>Reinterprets float bits as int (<paramref name="isDouble"/>: double as long) and back.</summary>
    public abstract string AsInt(string x, bool isDouble);

    /// <inheritdoc cref="AsInt"/>
    public abstract string AsFloat(string x, bool isDouble);

    /// <summary>Text of prelude snippet <paramref name="key"/>, requiring its dependencies from <paramref name="prelude"/> first.</summary>
    public abstract string Snippet(string key, Prelude prelude);

    /// <summary>C type of view element <paramref name="elementName"/> (an OpenCL primitive name or struct name).</summary>
    public string ElementType(string elementName) => Primitive(elementName);

    /// <summary>Snippets both dialects write the same way (except for qualifiers), or null.</summary>
    protected string? CommonSnippet(string key, Prelude prelude)
    {
        int colon = key.IndexOf(':');
        string kind = colon < 0 ? key : key.Substring(0, colon);
        string arg = colon < 0 ? "" : key.Substring(colon + 1);
        string fn = FunctionPrefix;
        switch (kind)
        {
            case "view":
                return $"// ArrayView<{arg}>: ptr[0] .. ptr[length - 1].\n" +
                       $"typedef struct {{ {GlobalPointer(ElementType(arg))} ptr; int length; }} hilo_view_{arg};\n";
            case "lview":
                return $"// SharedView<{arg}> (group-shared memory): ptr[0] .. ptr[length - 1].\n" +
                       $"typedef struct {{ {LocalPointer(ElementType(arg))} ptr; int length; }} hilo_lview_{arg};\n";
            case "view2d":
                prelude.Require("view:" + arg);
                return $"// ArrayView2D<{arg}>: element (y, x) is data.ptr[y * stride + x].\n" +
                       $"typedef struct {{ hilo_view_{arg} data; int width; int height; int stride; }} hilo_view2d_{arg};\n";
            case "view3d":
                prelude.Require("view:" + arg);
                return $"// ArrayView3D<{arg}>: element (z, y, x) is data.ptr[z * sliceStride + y * rowStride + x].\n" +
                       $"typedef struct {{ hilo_view_{arg} data; int width; int height; int depth; int rowStride; int sliceStride; }} hilo_view3d_{arg};\n";
            case "subview":
                prelude.Require("view:" + arg);
                return $"// ArrayView<{arg}>.SubView(offset, length)\n" +
                       $"{fn}hilo_view_{arg} hilo_subview_{arg}(hilo_view_{arg} v, int offset, int length)\n{{\n" +
                       $"    hilo_view_{arg} r = {{ v.ptr + offset, length }};\n    return r;\n}}\n";
            case "row":
                prelude.Require("view2d:" + arg);
                prelude.Require("subview:" + arg);
                return $"// ArrayView2D<{arg}>.Row(y)\n" +
                       $"{fn}hilo_view_{arg} hilo_row_{arg}(hilo_view2d_{arg} v, int y)\n{{\n" +
                       $"    return hilo_subview_{arg}(v.data, y * v.stride, v.width);\n}}\n";
            case "as2d":
                prelude.Require("view2d:" + arg);
                return $"// ArrayView<{arg}>.As2D(width, height, stride)\n" +
                       $"{fn}hilo_view2d_{arg} hilo_as2d_{arg}(hilo_view_{arg} v, int width, int height, int stride)\n{{\n" +
                       $"    hilo_view2d_{arg} r = {{ v, width, height, stride }};\n    return r;\n}}\n";
            case "as3d":
                prelude.Require("view3d:" + arg);
                return $"// ArrayView<{arg}>.As3D(width, height, depth), dense\n" +
                       $"{fn}hilo_view3d_{arg} hilo_as3d_{arg}(hilo_view_{arg} v, int width, int height, int depth)\n{{\n" +
                       $"    hilo_view3d_{arg} r = {{ v, width, height, depth, width, width * height }};\n    return r;\n}}\n";
            case "max_f32":
            case "min_f32":
            case "max_f64":
            case "min_f64":
                return MaxMin(kind.StartsWith("max", System.StringComparison.Ordinal), kind.EndsWith("64", System.StringComparison.Ordinal));
            case "isnan_f32":
            case "isinf_f32":
            case "isfinite_f32":
            {
                // Exact on the bits: no dependence on fast-math settings or header overloads.
                string test = kind.Substring(2, kind.IndexOf('_') - 2);
                string op = test == "nan" ? ">" : test == "inf" ? "==" : "<";
                string api = test == "nan" ? "IsNaN" : test == "inf" ? "IsInfinity" : "IsFinite";
                return $"// float.{api}\n{FunctionPrefix}bool hilo_{kind}(float x)\n{{\n" +
                       $"    return ({AsInt("x", false)} & 0x7fffffff) {op} 0x7f800000;\n}}\n";
            }
            case "vsum":
                return VectorSum(int.Parse(arg, System.Globalization.CultureInfo.InvariantCulture));
            default:
                return null;
        }
    }

    private string MaxMin(bool isMax, bool isDouble)
    {
        string t = isDouble ? "double" : "float";
        string name = (isMax ? "hilo_max_" : "hilo_min_") + (isDouble ? "f64" : "f32");
        string api = (isDouble ? "Math." : "MathF.") + (isMax ? "Max" : "Min");
        // For equal arguments only the sign of zero can differ: AND of the bits picks +0 (max), OR picks -0 (min).
        string bits = AsFloat(AsInt("a", isDouble) + (isMax ? " & " : " | ") + AsInt("b", isDouble), isDouble);
        return $"// {api}: NaN if either argument is NaN, and {(isMax ? "+0 > -0" : "-0 < +0")} (C's {(isMax ? "fmax" : "fmin")} guarantees neither).\n" +
               $"{FunctionPrefix}{t} {name}({t} a, {t} b)\n{{\n" +
               "    if (a != a || b != b)\n        return a + b;\n" +
               $"    if (a == b)\n        return {bits};\n" +
               $"    return a {(isMax ? ">" : "<")} b ? a : b;\n}}\n";
    }

    private string VectorSum(int width)
    {
        // Same association as .NET's Vector128/256/512.Sum: pairs, then halves.
        string Tree(int lo, int count) => count == 1
            ? VectorLane(width, "v", lo.ToString(System.Globalization.CultureInfo.InvariantCulture), lo, null!)
            : count == 2 ? $"({Tree(lo, 1)} + {Tree(lo + 1, 1)})" : $"({Tree(lo, count / 2)} + {Tree(lo + count / 2, count / 2)})";
        string body = Tree(0, width);
        body = body.Substring(1, body.Length - 2);
        return $"// Float{width}.Sum(), added in the same order as .NET's Vector{width * 32}.Sum.\n" +
               $"{FunctionPrefix}float hilo_sum_f32x{width}({VectorType(width)} v)\n{{\n    return {body};\n}}\n";
    }

    /// <summary>A one-line comment block (for headers).</summary>
    protected static string Lines(params string[] lines)
    {
        var sb = new StringBuilder();
        foreach (string line in lines)
        {
            sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }
}
