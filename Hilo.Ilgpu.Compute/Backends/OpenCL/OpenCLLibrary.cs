using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Hilo.Ilgpu.Compute.OpenCL;

/// <summary>
/// Finds the OpenCL ICD loader and binds <see cref="OpenCLNative"/> to it. The P/Invokes name a logical
/// library that no default probe finds, so the runtime always asks our <c>ResolvingUnmanagedDll</c> handler,
/// which hands back the loader chosen here. An event (not <c>NativeLibrary.SetDllImportResolver</c>) is
/// used because an assembly can have only one resolver and other backends may want theirs.
/// </summary>
internal static class OpenCLLibrary
{
    /// <summary>Logical library name of the P/Invokes.</summary>
    public const string LogicalName = "hilo-opencl-icd-loader";

    private static readonly Lock Gate = new();
    private static nint bound;

    /// <summary>Where the ICD loader usually lives on this OS, most specific first.</summary>
    public static IReadOnlyList<string> DefaultCandidates { get; } =
        OperatingSystem.IsWindows() ? ["OpenCL.dll", "OpenCL"]
        : OperatingSystem.IsMacOS() ? ["/System/Library/Frameworks/OpenCL.framework/OpenCL", "libOpenCL.dylib", "OpenCL"]
        : ["libOpenCL.so.1", "libOpenCL.so", "OpenCL"];

    /// <summary>
    /// Loads the first candidate that exists and exports <c>clGetPlatformIDs</c>, and binds the P/Invokes
    /// to it (the first successful bind in the process wins). False with the reason otherwise; never throws.
    /// </summary>
    public static bool TryBind(IReadOnlyList<string> candidates, out string reason)
    {
        var tried = new List<string>();
        foreach (string name in candidates)
        {
            if (!NativeLibrary.TryLoad(name, out nint handle))
            {
                tried.Add(name + " (not found)");
                continue;
            }
            if (!NativeLibrary.TryGetExport(handle, "clGetPlatformIDs", out _))
            {
                tried.Add(name + " (loaded, but it does not export clGetPlatformIDs)");
                continue;
            }
            Bind(handle);
            reason = "";
            return true;
        }
        reason = "no OpenCL ICD loader: tried " + string.Join(", ", tried) +
                 (OperatingSystem.IsLinux() ? "; install ocl-icd-libopencl1 and a driver (e.g. pocl-opencl-icd)" : "");
        return false;
    }

    private static void Bind(nint handle)
    {
        lock (Gate)
        {
            if (bound != 0)
            {
                return;
            }
            bound = handle;
            var context = AssemblyLoadContext.GetLoadContext(typeof(OpenCLLibrary).Assembly) ?? AssemblyLoadContext.Default;
            context.ResolvingUnmanagedDll += Resolve;
        }
    }

    private static nint Resolve(Assembly assembly, string name) =>
        name == LogicalName && assembly == typeof(OpenCLLibrary).Assembly ? bound : 0;

    /// <summary>Throws <see cref="DeviceException"/> naming <paramref name="call"/> and the error unless <paramref name="error"/> is CL_SUCCESS.</summary>
    public static void Check(int error, string call)
    {
        if (error != OpenCLNative.CL_SUCCESS)
        {
            throw Failure(error, call);
        }
    }

    /// <summary>The exception for a failed call.</summary>
    public static DeviceException Failure(int error, string call) =>
        new($"OpenCL call {call} failed with {ErrorName(error)} ({error}).");

    /// <summary>True for the codes drivers use when device memory runs out (at allocation or, lazily, at first use).</summary>
    public static bool IsOutOfMemory(int error) =>
        error is OpenCLNative.CL_MEM_OBJECT_ALLOCATION_FAILURE or OpenCLNative.CL_OUT_OF_RESOURCES;

    /// <summary>The symbolic name of an OpenCL error code.</summary>
    public static string ErrorName(int error) => error switch
    {
        0 => "CL_SUCCESS",
        -1 => "CL_DEVICE_NOT_FOUND",
        -2 => "CL_DEVICE_NOT_AVAILABLE",
        -3 => "CL_COMPILER_NOT_AVAILABLE",
        -4 => "CL_MEM_OBJECT_ALLOCATION_FAILURE",
        -5 => "CL_OUT_OF_RESOURCES",
        -6 => "CL_OUT_OF_HOST_MEMORY",
        -7 => "CL_PROFILING_INFO_NOT_AVAILABLE",
        -8 => "CL_MEM_COPY_OVERLAP",
        -9 => "CL_IMAGE_FORMAT_MISMATCH",
        -10 => "CL_IMAGE_FORMAT_NOT_SUPPORTED",
        -11 => "CL_BUILD_PROGRAM_FAILURE",
        -12 => "CL_MAP_FAILURE",
        -13 => "CL_MISALIGNED_SUB_BUFFER_OFFSET",
        -14 => "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
        -15 => "CL_COMPILE_PROGRAM_FAILURE",
        -16 => "CL_LINKER_NOT_AVAILABLE",
        -17 => "CL_LINK_PROGRAM_FAILURE",
        -18 => "CL_DEVICE_PARTITION_FAILED",
        -19 => "CL_KERNEL_ARG_INFO_NOT_AVAILABLE",
        -30 => "CL_INVALID_VALUE",
        -31 => "CL_INVALID_DEVICE_TYPE",
        -32 => "CL_INVALID_PLATFORM",
        -33 => "CL_INVALID_DEVICE",
        -34 => "CL_INVALID_CONTEXT",
        -35 => "CL_INVALID_QUEUE_PROPERTIES",
        -36 => "CL_INVALID_COMMAND_QUEUE",
        -37 => "CL_INVALID_HOST_PTR",
        -38 => "CL_INVALID_MEM_OBJECT",
        -39 => "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR",
        -40 => "CL_INVALID_IMAGE_SIZE",
        -41 => "CL_INVALID_SAMPLER",
        -42 => "CL_INVALID_BINARY",
        -43 => "CL_INVALID_BUILD_OPTIONS",
        -44 => "CL_INVALID_PROGRAM",
        -45 => "CL_INVALID_PROGRAM_EXECUTABLE",
        -46 => "CL_INVALID_KERNEL_NAME",
        -47 => "CL_INVALID_KERNEL_DEFINITION",
        -48 => "CL_INVALID_KERNEL",
        -49 => "CL_INVALID_ARG_INDEX",
        -50 => "CL_INVALID_ARG_VALUE",
        -51 => "CL_INVALID_ARG_SIZE",
        -52 => "CL_INVALID_KERNEL_ARGS",
        -53 => "CL_INVALID_WORK_DIMENSION",
        -54 => "CL_INVALID_WORK_GROUP_SIZE",
        -55 => "CL_INVALID_WORK_ITEM_SIZE",
        -56 => "CL_INVALID_GLOBAL_OFFSET",
        -57 => "CL_INVALID_EVENT_WAIT_LIST",
        -58 => "CL_INVALID_EVENT",
        -59 => "CL_INVALID_OPERATION",
        -60 => "CL_INVALID_GL_OBJECT",
        -61 => "CL_INVALID_BUFFER_SIZE",
        -62 => "CL_INVALID_MIP_LEVEL",
        -63 => "CL_INVALID_GLOBAL_WORK_SIZE",
        -64 => "CL_INVALID_PROPERTY",
        -65 => "CL_INVALID_IMAGE_DESCRIPTOR",
        -66 => "CL_INVALID_COMPILER_OPTIONS",
        -67 => "CL_INVALID_LINKER_OPTIONS",
        -68 => "CL_INVALID_DEVICE_PARTITION_COUNT",
        -69 => "CL_INVALID_PIPE_SIZE",
        -70 => "CL_INVALID_DEVICE_QUEUE",
        -71 => "CL_INVALID_SPEC_ID",
        -72 => "CL_MAX_SIZE_RESTRICTION_EXCEEDED",
        -1000 => "CL_INVALID_GL_SHAREGROUP_REFERENCE_KHR",
        -1001 => "CL_PLATFORM_NOT_FOUND_KHR",
        _ => "unknown OpenCL error",
    };
}
