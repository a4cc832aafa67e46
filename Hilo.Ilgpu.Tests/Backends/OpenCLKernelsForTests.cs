using System.Runtime.InteropServices;
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Cpu;

namespace Hilo.Ilgpu.Tests.Backends;

/// <summary>
/// A hand-written kernel descriptor shaped like generated code (docs/internals/kernel-abi.md §1), so the
/// OpenCL backend can be tested without the source generator.
/// </summary>
internal sealed class HandWrittenKernel : KernelDescriptor
{
    private readonly Func<int, object?, bool> isType;
    private readonly Action<object?[], IKernelArgumentWriter> write;
    private readonly Func<object?[], CpuKernelBody>? body;

    public HandWrittenKernel(string entryPoint, string openCLSource, KernelParameter[] parameters,
        Func<int, object?, bool> isType, Action<object?[], IKernelArgumentWriter> write,
        Func<object?[], CpuKernelBody>? body = null, bool usesBarriers = false, bool usesDoubles = false, int sharedMemoryBytes = 0)
        : base("Tests.HandWritten." + entryPoint, entryPoint, openCLSource, "", parameters, usesBarriers, usesDoubles, sharedMemoryBytes)
    {
        this.isType = isType;
        this.write = write;
        this.body = body;
    }

    protected override bool IsArgumentOfType(int index, object? arg) => isType(index, arg);

    public override void WriteArguments(ReadOnlySpan<object?> args, IKernelArgumentWriter writer) => write(args.ToArray(), writer);

    public override CpuKernelBody CreateCpuBody(ReadOnlySpan<object?> args) =>
        body is null ? throw new NotSupportedException("This test kernel only runs on OpenCL.") : body(args.ToArray());
}

/// <summary>A struct parameter: same field order and layout in C# and in the OpenCL C typedef.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Affine
{
    public float Scale;
    public float Shift;
    public int Count;
}

/// <summary>A 12-byte element: its fills take the staged path (OpenCL fill patterns are powers of two).</summary>
[StructLayout(LayoutKind.Sequential)]
internal record struct Triple(int A, int B, int C);

/// <summary>A 1 KiB element, to ask for more than a device's largest allocation with an int length.</summary>
[StructLayout(LayoutKind.Sequential, Size = 1024)]
internal struct KiloByte
{
    public byte First;
}

/// <summary>The hand-written test kernels.</summary>
internal static class TestKernels
{
    private const string Guard = "if (get_global_id(0) >= hilo_global_x || get_global_id(1) >= hilo_global_y || get_global_id(2) >= hilo_global_z) return;";
    private const string Hidden = "int hilo_global_x, int hilo_global_y, int hilo_global_z";

    private static string View(string type, string name) => $"__global {type}* {name}_ptr, int {name}_offset, int {name}_length";

    /// <summary>c[i] = a[i] + b[i] over three float views (each with its own offset).</summary>
    public static readonly HandWrittenKernel VectorAdd = new(
        "VectorAdd",
        $$"""
        #pragma OPENCL FP_CONTRACT OFF
        __kernel void VectorAdd({{View("float", "a")}}, {{View("float", "b")}}, {{View("float", "c")}}, {{Hidden}})
        {
            {{Guard}}
            int i = get_global_id(0);
            c_ptr[c_offset + i] = a_ptr[a_offset + i] + b_ptr[b_offset + i];
        }
        """,
        [new("a", KernelParameterKind.View, "ArrayView<float>"), new("b", KernelParameterKind.View, "ArrayView<float>"), new("c", KernelParameterKind.View, "ArrayView<float>")],
        (i, arg) => i is >= 0 and < 3 && arg is ArrayView<float>,
        (args, w) =>
        {
            w.View((ArrayView<float>)args[0]!);
            w.View((ArrayView<float>)args[1]!);
            w.View((ArrayView<float>)args[2]!);
        },
        args => new VectorAddBody((ArrayView<float>)args[0]!, (ArrayView<float>)args[1]!, (ArrayView<float>)args[2]!));

    private sealed class VectorAddBody(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c) : CpuKernelBody
    {
        public override void Run()
        {
            int i = Grid.GlobalIndex.X;
            c[i] = a[i] + b[i];
        }
    }

    /// <summary>data[i] = value + i.</summary>
    public static readonly HandWrittenKernel FillIota = new(
        "FillIota",
        $$"""
        #pragma OPENCL FP_CONTRACT OFF
        __kernel void FillIota({{View("int", "data")}}, int value, {{Hidden}})
        {
            {{Guard}}
            int i = get_global_id(0);
            data_ptr[data_offset + i] = value + i;
        }
        """,
        [new("data", KernelParameterKind.View, "ArrayView<int>"), new("value", KernelParameterKind.Scalar, "int")],
        (i, arg) => i switch { 0 => arg is ArrayView<int>, 1 => arg is int, _ => false },
        (args, w) =>
        {
            w.View((ArrayView<int>)args[0]!);
            w.Scalar((int)args[1]!);
        });

    /// <summary>data[i] = data[i] * p.Scale + p.Shift for i &lt; p.Count (a struct passed by value).</summary>
    public static readonly HandWrittenKernel ApplyAffine = new(
        "ApplyAffine",
        $$"""
        #pragma OPENCL FP_CONTRACT OFF
        typedef struct { float Scale; float Shift; int Count; } Affine;
        __kernel void ApplyAffine({{View("float", "data")}}, Affine p, {{Hidden}})
        {
            {{Guard}}
            int i = get_global_id(0);
            if (i < p.Count) data_ptr[data_offset + i] = data_ptr[data_offset + i] * p.Scale + p.Shift;
        }
        """,
        [new("data", KernelParameterKind.View, "ArrayView<float>"), new("p", KernelParameterKind.Struct, "Affine")],
        (i, arg) => i switch { 0 => arg is ArrayView<float>, 1 => arg is Affine, _ => false },
        (args, w) =>
        {
            w.View((ArrayView<float>)args[0]!);
            w.Scalar((Affine)args[1]!);
        });

    /// <summary>a[y, x] = 1000 * y + x over a strided 2D view.</summary>
    public static readonly HandWrittenKernel Index2D = new(
        "Index2D",
        $$"""
        __kernel void Index2D({{View("int", "a")}}, int a_width, int a_height, int a_stride, {{Hidden}})
        {
            {{Guard}}
            int x = get_global_id(0), y = get_global_id(1);
            a_ptr[a_offset + y * a_stride + x] = 1000 * y + x;
        }
        """,
        [new("a", KernelParameterKind.View2D, "ArrayView2D<int>")],
        (i, arg) => i == 0 && arg is ArrayView2D<int>,
        (args, w) => w.View2D((ArrayView2D<int>)args[0]!));

    /// <summary>a[z, y, x] = 10000 z + 100 y + x + 1000000 * extra.Length over a 3D view (extra may be the default, buffer-less view).</summary>
    public static readonly HandWrittenKernel Index3D = new(
        "Index3D",
        $$"""
        __kernel void Index3D({{View("int", "a")}}, int a_width, int a_height, int a_depth, int a_rowStride, int a_sliceStride,
                              {{View("int", "extra")}}, {{Hidden}})
        {
            {{Guard}}
            int x = get_global_id(0), y = get_global_id(1), z = get_global_id(2);
            a_ptr[a_offset + z * a_sliceStride + y * a_rowStride + x] = 10000 * z + 100 * y + x + 1000000 * extra_length;
        }
        """,
        [new("a", KernelParameterKind.View3D, "ArrayView3D<int>"), new("extra", KernelParameterKind.View, "ArrayView<int>")],
        (i, arg) => i switch { 0 => arg is ArrayView3D<int>, 1 => arg is ArrayView<int>, _ => false },
        (args, w) =>
        {
            w.View3D((ArrayView3D<int>)args[0]!);
            w.View((ArrayView<int>)args[1]!);
        });

    /// <summary>output[group] = sum of the group's 64 inputs, by a tree reduction in local memory with barriers.</summary>
    public static readonly HandWrittenKernel GroupSum = new(
        "GroupSum",
        $$"""
        __kernel void GroupSum({{View("int", "input")}}, {{View("int", "output")}}, {{Hidden}})
        {
            __local int tile[64];
            int l = get_local_id(0);
            tile[l] = input_ptr[input_offset + get_global_id(0)];
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int s = 32; s > 0; s >>= 1)
            {
                if (l < s) tile[l] += tile[l + s];
                barrier(CLK_LOCAL_MEM_FENCE);
            }
            if (l == 0) output_ptr[output_offset + get_group_id(0)] = tile[0];
        }
        """,
        [new("input", KernelParameterKind.View, "ArrayView<int>"), new("output", KernelParameterKind.View, "ArrayView<int>")],
        (i, arg) => i is 0 or 1 && arg is ArrayView<int>,
        (args, w) =>
        {
            w.View((ArrayView<int>)args[0]!);
            w.View((ArrayView<int>)args[1]!);
        },
        usesBarriers: true, sharedMemoryBytes: 256);

    /// <summary>a[i] *= factor in double precision.</summary>
    public static readonly HandWrittenKernel ScaleDouble = new(
        "ScaleDouble",
        $$"""
        #pragma OPENCL EXTENSION cl_khr_fp64 : enable
        __kernel void ScaleDouble({{View("double", "a")}}, double factor, {{Hidden}})
        {
            {{Guard}}
            a_ptr[a_offset + get_global_id(0)] *= factor;
        }
        """,
        [new("a", KernelParameterKind.View, "ArrayView<double>"), new("factor", KernelParameterKind.Scalar, "double")],
        (i, arg) => i switch { 0 => arg is ArrayView<double>, 1 => arg is double, _ => false },
        (args, w) =>
        {
            w.View((ArrayView<double>)args[0]!);
            w.Scalar((double)args[1]!);
        },
        usesDoubles: true);

    /// <summary>Does not compile: a missing semicolon and an undeclared name.</summary>
    public static HandWrittenKernel Broken() => new(
        "Broken",
        $$"""
        __kernel void Broken({{View("int", "a")}}, {{Hidden}})
        {
            int i = get_global_id(0)
            a_ptr[i] = undeclared_name;
        }
        """,
        [new("a", KernelParameterKind.View, "ArrayView<int>")],
        (i, arg) => i == 0 && arg is ArrayView<int>,
        (args, w) => w.View((ArrayView<int>)args[0]!));

    /// <summary>Compiles, but its source forgot the hidden ints: the backend must notice the mismatch.</summary>
    public static HandWrittenKernel MissingHiddenArguments() => new(
        "MissingHidden",
        $$"""
        __kernel void MissingHidden({{View("int", "a")}})
        {
            a_ptr[a_offset + get_global_id(0)] = 7;
        }
        """,
        [new("a", KernelParameterKind.View, "ArrayView<int>")],
        (i, arg) => i == 0 && arg is ArrayView<int>,
        (args, w) => w.View((ArrayView<int>)args[0]!));

    /// <summary>A fresh copy of <see cref="FillIota"/> with a marker comment, so its cache key is unique to one test.</summary>
    public static HandWrittenKernel UniqueFillIota(string marker) => new(
        "FillIota",
        "// " + marker + "\n" + FillIota.OpenCLSource,
        [.. FillIota.Parameters],
        (i, arg) => i switch { 0 => arg is ArrayView<int>, 1 => arg is int, _ => false },
        (args, w) =>
        {
            w.View((ArrayView<int>)args[0]!);
            w.Scalar((int)args[1]!);
        });
}
