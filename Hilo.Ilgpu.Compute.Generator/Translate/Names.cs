using System.Collections.Generic;

namespace Hilo.Ilgpu.Compute.Generator.Translate;

/// <summary>
/// Keeps the author's identifiers in the generated C except where one would clash with a C, C++, OpenCL C
/// or CUDA keyword, type, macro or a builtin the generated code calls; those get a trailing underscore.
/// Names starting with <c>hilo_</c> or <c>__</c> are reserved for generated code and renamed the same way.
/// </summary>
internal static class Names
{
    private static readonly HashSet<string> Reserved = new(new[]
    {
        // C99 / C11
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
        "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
        "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
        "volatile", "while", "_Bool", "_Complex", "_Imaginary", "_Alignas", "_Alignof", "_Atomic",
        "_Generic", "_Noreturn", "_Static_assert", "_Thread_local",
        // C++
        "alignas", "alignof", "and", "and_eq", "asm", "bitand", "bitor", "bool", "catch", "char16_t",
        "char32_t", "char8_t", "class", "compl", "concept", "const_cast", "consteval", "constexpr",
        "constinit", "co_await", "co_return", "co_yield", "decltype", "delete", "dynamic_cast", "explicit",
        "export", "false", "friend", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr",
        "operator", "or", "or_eq", "private", "protected", "public", "reinterpret_cast", "requires",
        "static_assert", "static_cast", "template", "this", "thread_local", "throw", "true", "try",
        "typeid", "typename", "using", "virtual", "wchar_t", "xor", "xor_eq", "main",
        // OpenCL C qualifiers, types and reserved words
        "kernel", "global", "local", "constant", "read_only", "write_only", "read_write", "uniform",
        "pipe", "half", "quad", "complex", "imaginary", "uchar", "ushort", "uint", "ulong", "size_t",
        "ptrdiff_t", "intptr_t", "uintptr_t", "image1d_t", "image2d_t", "image3d_t", "image1d_array_t",
        "image2d_array_t", "image1d_buffer_t", "sampler_t", "event_t", "vec_type_hint",
        "work_group_size_hint", "reqd_work_group_size", "packed", "aligned", "endian",
        // CUDA
        "dim3", "warpSize", "threadIdx", "blockIdx", "blockDim", "gridDim", "texture", "surface",
        "signbit", "isnan", "isinf", "isfinite",
        // Builtins and macros the generated code uses or the compilers predefine
        "min", "max", "abs", "fabs", "fmax", "fmin", "clamp", "select", "sqrt", "rsqrt", "exp", "exp2",
        "log", "log2", "log10", "pow", "powr", "sin", "cos", "tan", "asin", "acos", "atan", "atan2",
        "sinh", "cosh", "tanh", "floor", "ceil", "trunc", "rint", "round", "fma", "mad", "fmod", "erf",
        "cbrt", "copysign", "hypot", "llabs", "dot", "cross", "normalize", "distance",
        "barrier", "mem_fence", "get_global_id", "get_local_id", "get_group_id", "get_local_size",
        "get_global_size", "get_num_groups", "get_work_dim", "vload4", "vload8", "vload16", "vstore4",
        "vstore8", "vstore16", "atomic_add", "atomic_sub", "atomic_xchg", "atomic_min", "atomic_max",
        "atomic_cmpxchg", "atomic_inc", "atomic_dec", "atomicAdd", "atomicMin", "atomicMax",
        "atomicExch", "atomicCAS", "as_int", "as_uint", "as_float", "as_long", "as_double",
        "INFINITY", "NAN", "HUGE_VAL", "HUGE_VALF", "MAXFLOAT", "FLT_MAX", "FLT_MIN", "FLT_EPSILON",
        "DBL_MAX", "DBL_MIN", "DBL_EPSILON", "INT_MAX", "INT_MIN", "UINT_MAX", "LONG_MAX", "LONG_MIN",
        "ULONG_MAX", "CHAR_BIT", "M_PI", "M_PI_F", "M_E", "M_E_F", "NULL", "EOF", "CLK_LOCAL_MEM_FENCE",
        "CLK_GLOBAL_MEM_FENCE", "FP_CONTRACT", "OPENCL", "EXTENSION",
    });

    private static readonly string[] VectorBases =
        { "char", "uchar", "short", "ushort", "int", "uint", "long", "ulong", "float", "double", "half", "longlong", "ulonglong" };

    /// <summary>The C spelling of a C# identifier (a local, parameter, field, struct or method name).</summary>
    public static string Of(string name)
    {
        if (name.StartsWith("@", System.StringComparison.Ordinal))
        {
            name = name.Substring(1);
        }
        return NeedsRename(name) ? name + "_" : name;
    }

    private static bool NeedsRename(string name)
    {
        if (Reserved.Contains(name) || name.StartsWith("hilo_", System.StringComparison.OrdinalIgnoreCase) ||
            name.StartsWith("__", System.StringComparison.Ordinal) ||
            (name.Length > 1 && name[0] == '_' && char.IsUpper(name[1])) ||
            name.StartsWith("convert_", System.StringComparison.Ordinal) ||
            name.StartsWith("as_", System.StringComparison.Ordinal) ||
            name.StartsWith("atomic_", System.StringComparison.Ordinal) ||
            name.StartsWith("vload", System.StringComparison.Ordinal) ||
            name.StartsWith("vstore", System.StringComparison.Ordinal) ||
            name.StartsWith("CL_", System.StringComparison.Ordinal) ||
            name.StartsWith("CLK_", System.StringComparison.Ordinal) ||
            name.StartsWith("cl_", System.StringComparison.Ordinal))
        {
            return true;
        }
        foreach (string b in VectorBases)
        {
            // Vector type names such as float4, int2, uchar16 (OpenCL) or float1, int3 (CUDA).
            if (name.StartsWith(b, System.StringComparison.Ordinal) && name.Length > b.Length &&
                IsDigits(name.Substring(b.Length)))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsDigits(string s)
    {
        foreach (char c in s)
        {
            if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return s.Length > 0;
    }
}
