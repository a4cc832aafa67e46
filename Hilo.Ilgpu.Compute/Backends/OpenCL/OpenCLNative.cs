using System.Runtime.InteropServices;

namespace Hilo.Ilgpu.Compute.OpenCL;

/// <summary>
/// The OpenCL 1.2 entry points the backend uses, bound to the system ICD loader. Handles are <c>nint</c>,
/// <c>size_t</c> is <c>nuint</c>, <c>cl_bitfield</c> is <c>ulong</c>; every call returns (or writes) a
/// <c>cl_int</c> error code that <see cref="OpenCLLibrary.Check"/> turns into an exception.
/// The library name is a logical one that <see cref="OpenCLLibrary"/> resolves to the loader it found.
/// </summary>
internal static unsafe partial class OpenCLNative
{
    private const string Lib = OpenCLLibrary.LogicalName;

    // Platform and device queries.
    public const uint CL_PLATFORM_VERSION = 0x0901;
    public const uint CL_PLATFORM_NAME = 0x0902;
    public const uint CL_PLATFORM_VENDOR = 0x0903;
    public const uint CL_DEVICE_TYPE = 0x1000;
    public const uint CL_DEVICE_MAX_COMPUTE_UNITS = 0x1002;
    public const uint CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS = 0x1003;
    public const uint CL_DEVICE_MAX_WORK_GROUP_SIZE = 0x1004;
    public const uint CL_DEVICE_MAX_WORK_ITEM_SIZES = 0x1005;
    public const uint CL_DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010;
    public const uint CL_DEVICE_SINGLE_FP_CONFIG = 0x101B;
    public const uint CL_DEVICE_GLOBAL_MEM_SIZE = 0x101F;
    public const uint CL_DEVICE_LOCAL_MEM_SIZE = 0x1023;
    public const uint CL_DEVICE_NAME = 0x102B;
    public const uint CL_DEVICE_VENDOR = 0x102C;
    public const uint CL_DRIVER_VERSION = 0x102D;
    public const uint CL_DEVICE_VERSION = 0x102F;
    public const uint CL_DEVICE_EXTENSIONS = 0x1030;
    public const uint CL_DEVICE_OPENCL_C_VERSION = 0x103D;

    public const ulong CL_DEVICE_TYPE_CPU = 1 << 1;
    public const ulong CL_DEVICE_TYPE_GPU = 1 << 2;
    public const ulong CL_DEVICE_TYPE_ALL = 0xFFFFFFFF;
    public const ulong CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT = 1 << 7;

    public const nint CL_CONTEXT_PLATFORM = 0x1084;
    public const ulong CL_QUEUE_PROFILING_ENABLE = 1 << 1;
    public const ulong CL_MEM_READ_WRITE = 1 << 0;

    public const uint CL_PROGRAM_BINARY_SIZES = 0x1165;
    public const uint CL_PROGRAM_BINARIES = 0x1166;
    public const uint CL_PROGRAM_BUILD_LOG = 0x1183;
    public const uint CL_KERNEL_NUM_ARGS = 0x1191;
    public const uint CL_KERNEL_WORK_GROUP_SIZE = 0x11B0;
    public const uint CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE = 0x11B3;
    public const uint CL_PROFILING_COMMAND_END = 0x1283;

    public const int CL_SUCCESS = 0;
    public const int CL_DEVICE_NOT_FOUND = -1;
    public const int CL_COMPILER_NOT_AVAILABLE = -3;
    public const int CL_MEM_OBJECT_ALLOCATION_FAILURE = -4;
    public const int CL_OUT_OF_RESOURCES = -5;
    public const int CL_OUT_OF_HOST_MEMORY = -6;
    public const int CL_BUILD_PROGRAM_FAILURE = -11;
    public const int CL_INVALID_BUILD_OPTIONS = -43;
    public const int CL_INVALID_KERNEL_NAME = -46;
    public const int CL_INVALID_KERNEL_DEFINITION = -47;
    public const int CL_INVALID_BUFFER_SIZE = -61;
    public const int CL_PLATFORM_NOT_FOUND_KHR = -1001;

    [LibraryImport(Lib)]
    public static partial int clGetPlatformIDs(uint numEntries, nint* platforms, uint* numPlatforms);

    [LibraryImport(Lib)]
    public static partial int clGetPlatformInfo(nint platform, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Lib)]
    public static partial int clGetDeviceIDs(nint platform, ulong type, uint numEntries, nint* devices, uint* numDevices);

    [LibraryImport(Lib)]
    public static partial int clGetDeviceInfo(nint device, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Lib)]
    public static partial nint clCreateContext(nint* properties, uint numDevices, nint* devices, nint notify, nint userData, int* error);

    [LibraryImport(Lib)]
    public static partial int clReleaseContext(nint context);

    [LibraryImport(Lib)]
    public static partial nint clCreateCommandQueue(nint context, nint device, ulong properties, int* error);

    [LibraryImport(Lib)]
    public static partial int clReleaseCommandQueue(nint queue);

    [LibraryImport(Lib)]
    public static partial nint clCreateBuffer(nint context, ulong flags, nuint size, void* hostPtr, int* error);

    [LibraryImport(Lib)]
    public static partial int clReleaseMemObject(nint memory);

    [LibraryImport(Lib)]
    public static partial int clEnqueueWriteBuffer(nint queue, nint buffer, uint blocking, nuint offset, nuint size, void* source,
        uint numWait, nint* waitList, nint* evt);

    [LibraryImport(Lib)]
    public static partial int clEnqueueReadBuffer(nint queue, nint buffer, uint blocking, nuint offset, nuint size, void* destination,
        uint numWait, nint* waitList, nint* evt);

    [LibraryImport(Lib)]
    public static partial int clEnqueueCopyBuffer(nint queue, nint source, nint destination, nuint sourceOffset, nuint destinationOffset,
        nuint size, uint numWait, nint* waitList, nint* evt);

    [LibraryImport(Lib)]
    public static partial int clEnqueueFillBuffer(nint queue, nint buffer, void* pattern, nuint patternSize, nuint offset, nuint size,
        uint numWait, nint* waitList, nint* evt);

    [LibraryImport(Lib)]
    public static partial nint clCreateProgramWithSource(nint context, uint count, byte** strings, nuint* lengths, int* error);

    [LibraryImport(Lib)]
    public static partial nint clCreateProgramWithBinary(nint context, uint numDevices, nint* devices, nuint* lengths, byte** binaries,
        int* binaryStatus, int* error);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int clBuildProgram(nint program, uint numDevices, nint* devices, string options, nint notify, nint userData);

    [LibraryImport(Lib)]
    public static partial int clGetProgramBuildInfo(nint program, nint device, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Lib)]
    public static partial int clGetProgramInfo(nint program, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Lib)]
    public static partial int clReleaseProgram(nint program);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint clCreateKernel(nint program, string name, int* error);

    [LibraryImport(Lib)]
    public static partial int clReleaseKernel(nint kernel);

    [LibraryImport(Lib)]
    public static partial int clGetKernelInfo(nint kernel, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Lib)]
    public static partial int clGetKernelWorkGroupInfo(nint kernel, nint device, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Lib)]
    public static partial int clSetKernelArg(nint kernel, uint index, nuint size, void* value);

    [LibraryImport(Lib)]
    public static partial int clEnqueueNDRangeKernel(nint queue, nint kernel, uint workDim, nuint* globalOffset, nuint* globalSize,
        nuint* localSize, uint numWait, nint* waitList, nint* evt);

    [LibraryImport(Lib)]
    public static partial int clFlush(nint queue);

    [LibraryImport(Lib)]
    public static partial int clFinish(nint queue);

    [LibraryImport(Lib)]
    public static partial int clEnqueueMarkerWithWaitList(nint queue, uint numWait, nint* waitList, nint* evt);

    [LibraryImport(Lib)]
    public static partial int clWaitForEvents(uint count, nint* events);

    [LibraryImport(Lib)]
    public static partial int clGetEventProfilingInfo(nint evt, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Lib)]
    public static partial int clReleaseEvent(nint evt);
}
