using System.Runtime.InteropServices;

namespace Hilo.Ilgpu.Compute.Cuda;

/// <summary>
/// The CUDA driver API (<c>libcuda.so.1</c> / <c>nvcuda.dll</c>) as function pointers looked up by name, so
/// that a machine without the driver never fails at type load: <see cref="TryLoad"/> just reports why.
/// Handle types: <c>CUresult</c>/<c>CUdevice</c> are <c>int</c>, <c>CUdeviceptr</c> is <c>ulong</c> (64-bit
/// builds), every other handle (<c>CUcontext</c>, <c>CUmodule</c>, <c>CUfunction</c>, <c>CUstream</c>,
/// <c>CUevent</c>) is an opaque pointer, <c>size_t</c> is <c>nuint</c>. Names are the ABI symbols that the
/// CUDA 12/13 headers map the API names to (<c>cuMemAlloc</c> → <c>cuMemAlloc_v2</c>, and so on).
/// </summary>
internal sealed unsafe class CudaDriverApi
{
    public const int CUDA_SUCCESS = 0;
    public const int CUDA_ERROR_OUT_OF_MEMORY = 2;
    public const int CUDA_ERROR_NO_DEVICE = 100;

    // CUdevice_attribute values (cuda.h).
    public const int AttrMaxThreadsPerBlock = 1;
    public const int AttrMaxBlockDimX = 2;
    public const int AttrMaxBlockDimY = 3;
    public const int AttrMaxBlockDimZ = 4;
    public const int AttrMaxGridDimX = 5;
    public const int AttrMaxGridDimY = 6;
    public const int AttrMaxGridDimZ = 7;
    public const int AttrMaxSharedMemoryPerBlock = 8;
    public const int AttrMultiprocessorCount = 16;
    public const int AttrComputeCapabilityMajor = 75;
    public const int AttrComputeCapabilityMinor = 76;

    // CUfunction_attribute, CUjit_option, stream and event flags (cuda.h).
    public const int FuncAttrMaxThreadsPerBlock = 0;
    public const int JitErrorLogBuffer = 5;
    public const int JitErrorLogBufferSizeBytes = 6;
    public const uint StreamNonBlocking = 1;
    public const uint EventDefault = 0;

    private CudaDriverApi(nint library, string path)
    {
        Library = library;
        LibraryPath = path;
    }

    /// <summary>The loaded library handle (never freed: the driver stays loaded for the process).</summary>
    public nint Library { get; }

    /// <summary>The name or path the library was loaded from.</summary>
    public string LibraryPath { get; }

    // A plain function-pointer table: fields are the cheapest way to call through.
    public delegate* unmanaged<uint, int> cuInit;
    public delegate* unmanaged<int*, int> cuDriverGetVersion;
    public delegate* unmanaged<int, nint*, int> cuGetErrorName;
    public delegate* unmanaged<int*, int> cuDeviceGetCount;
    public delegate* unmanaged<int*, int, int> cuDeviceGet;
    public delegate* unmanaged<byte*, int, int, int> cuDeviceGetName;
    public delegate* unmanaged<nuint*, int, int> cuDeviceTotalMem_v2;
    public delegate* unmanaged<int*, int, int, int> cuDeviceGetAttribute;
    public delegate* unmanaged<nint*, int, int> cuDevicePrimaryCtxRetain;
    public delegate* unmanaged<int, int> cuDevicePrimaryCtxRelease;
    public delegate* unmanaged<nint, int> cuCtxSetCurrent;
    public delegate* unmanaged<ulong*, nuint, int> cuMemAlloc_v2;
    public delegate* unmanaged<ulong, int> cuMemFree_v2;
    public delegate* unmanaged<ulong, void*, nuint, nint, int> cuMemcpyHtoDAsync_v2;
    public delegate* unmanaged<void*, ulong, nuint, nint, int> cuMemcpyDtoHAsync_v2;
    public delegate* unmanaged<ulong, ulong, nuint, nint, int> cuMemcpyDtoDAsync_v2;
    public delegate* unmanaged<ulong, byte, nuint, nint, int> cuMemsetD8Async;
    public delegate* unmanaged<ulong, ushort, nuint, nint, int> cuMemsetD16Async;
    public delegate* unmanaged<ulong, uint, nuint, nint, int> cuMemsetD32Async;
    public delegate* unmanaged<nint*, uint, int> cuStreamCreate;
    public delegate* unmanaged<nint, int> cuStreamSynchronize;
    public delegate* unmanaged<nint, int> cuStreamDestroy_v2;
    public delegate* unmanaged<nint*, uint, int> cuEventCreate;
    public delegate* unmanaged<nint, nint, int> cuEventRecord;
    public delegate* unmanaged<nint, int> cuEventSynchronize;
    public delegate* unmanaged<float*, nint, nint, int> cuEventElapsedTime;
    public delegate* unmanaged<nint, int> cuEventDestroy_v2;
    public delegate* unmanaged<nint*, void*, uint, int*, void**, int> cuModuleLoadDataEx;
    public delegate* unmanaged<nint*, nint, byte*, int> cuModuleGetFunction;
    public delegate* unmanaged<nint, int> cuModuleUnload;
    public delegate* unmanaged<int*, int, nint, int> cuFuncGetAttribute;
    public delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int> cuLaunchKernel;

    /// <summary>The library names tried in order, per operating system.</summary>
    public static IReadOnlyList<string> LibraryCandidates =>
        OperatingSystem.IsWindows() ? ["nvcuda.dll"]
        : OperatingSystem.IsMacOS() ? ["libcuda.dylib"]
        : ["libcuda.so.1", "libcuda.so"];

    /// <summary>Loads the driver library and resolves every entry point; null with the reason when either fails.</summary>
    /// <param name="candidates">Library names or paths to try (default <see cref="LibraryCandidates"/>).</param>
    /// <param name="reason">Why no driver could be used.</param>
    public static CudaDriverApi? TryLoad(IReadOnlyList<string>? candidates, out string reason)
    {
        var errors = new List<string>();
        foreach (string name in candidates ?? LibraryCandidates)
        {
            if (!NativeLibrary.TryLoad(name, out nint handle))
            {
                errors.Add(name);
                continue;
            }
            var api = new CudaDriverApi(handle, name);
            var missing = api.Resolve();
            if (missing.Count == 0)
            {
                reason = "";
                return api;
            }
            reason = $"the CUDA driver library {name} lacks {string.Join(", ", missing)} (driver too old?)";
            return null;
        }
        reason = $"the CUDA driver library was not found (tried {string.Join(", ", errors)}); install the NVIDIA driver";
        return null;
    }

    private List<string> Resolve()
    {
        var missing = new List<string>();
        nint Get(string name)
        {
            if (NativeLibrary.TryGetExport(Library, name, out nint p))
            {
                return p;
            }
            missing.Add(name);
            return 0;
        }
        // Prefer the newest ABI symbol, fall back to the older one with the same signature.
        nint GetEither(string newer, string older) =>
            NativeLibrary.TryGetExport(Library, newer, out nint p) ? p : Get(older);

        cuInit = (delegate* unmanaged<uint, int>)Get("cuInit");
        cuDriverGetVersion = (delegate* unmanaged<int*, int>)Get("cuDriverGetVersion");
        cuGetErrorName = (delegate* unmanaged<int, nint*, int>)Get("cuGetErrorName");
        cuDeviceGetCount = (delegate* unmanaged<int*, int>)Get("cuDeviceGetCount");
        cuDeviceGet = (delegate* unmanaged<int*, int, int>)Get("cuDeviceGet");
        cuDeviceGetName = (delegate* unmanaged<byte*, int, int, int>)Get("cuDeviceGetName");
        cuDeviceTotalMem_v2 = (delegate* unmanaged<nuint*, int, int>)Get("cuDeviceTotalMem_v2");
        cuDeviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)Get("cuDeviceGetAttribute");
        cuDevicePrimaryCtxRetain = (delegate* unmanaged<nint*, int, int>)Get("cuDevicePrimaryCtxRetain");
        cuDevicePrimaryCtxRelease = (delegate* unmanaged<int, int>)GetEither("cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease");
        cuCtxSetCurrent = (delegate* unmanaged<nint, int>)Get("cuCtxSetCurrent");
        cuMemAlloc_v2 = (delegate* unmanaged<ulong*, nuint, int>)Get("cuMemAlloc_v2");
        cuMemFree_v2 = (delegate* unmanaged<ulong, int>)Get("cuMemFree_v2");
        cuMemcpyHtoDAsync_v2 = (delegate* unmanaged<ulong, void*, nuint, nint, int>)Get("cuMemcpyHtoDAsync_v2");
        cuMemcpyDtoHAsync_v2 = (delegate* unmanaged<void*, ulong, nuint, nint, int>)Get("cuMemcpyDtoHAsync_v2");
        cuMemcpyDtoDAsync_v2 = (delegate* unmanaged<ulong, ulong, nuint, nint, int>)Get("cuMemcpyDtoDAsync_v2");
        cuMemsetD8Async = (delegate* unmanaged<ulong, byte, nuint, nint, int>)Get("cuMemsetD8Async");
        cuMemsetD16Async = (delegate* unmanaged<ulong, ushort, nuint, nint, int>)Get("cuMemsetD16Async");
        cuMemsetD32Async = (delegate* unmanaged<ulong, uint, nuint, nint, int>)Get("cuMemsetD32Async");
        cuStreamCreate = (delegate* unmanaged<nint*, uint, int>)Get("cuStreamCreate");
        cuStreamSynchronize = (delegate* unmanaged<nint, int>)Get("cuStreamSynchronize");
        cuStreamDestroy_v2 = (delegate* unmanaged<nint, int>)Get("cuStreamDestroy_v2");
        cuEventCreate = (delegate* unmanaged<nint*, uint, int>)Get("cuEventCreate");
        cuEventRecord = (delegate* unmanaged<nint, nint, int>)Get("cuEventRecord");
        cuEventSynchronize = (delegate* unmanaged<nint, int>)Get("cuEventSynchronize");
        cuEventElapsedTime = (delegate* unmanaged<float*, nint, nint, int>)GetEither("cuEventElapsedTime_v2", "cuEventElapsedTime");
        cuEventDestroy_v2 = (delegate* unmanaged<nint, int>)Get("cuEventDestroy_v2");
        cuModuleLoadDataEx = (delegate* unmanaged<nint*, void*, uint, int*, void**, int>)Get("cuModuleLoadDataEx");
        cuModuleGetFunction = (delegate* unmanaged<nint*, nint, byte*, int>)Get("cuModuleGetFunction");
        cuModuleUnload = (delegate* unmanaged<nint, int>)Get("cuModuleUnload");
        cuFuncGetAttribute = (delegate* unmanaged<int*, int, nint, int>)Get("cuFuncGetAttribute");
        cuLaunchKernel = (delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)Get("cuLaunchKernel");
        return missing;
    }

    /// <summary>The <c>CUDA_ERROR_*</c> name of a result code (falls back to the number).</summary>
    public string ErrorName(int result)
    {
        nint text = 0;
        if (cuGetErrorName(result, &text) == CUDA_SUCCESS && text != 0)
        {
            return $"{Marshal.PtrToStringUTF8(text)} ({result})";
        }
        return $"CUresult {result}";
    }

    /// <summary>Throws <see cref="DeviceException"/> naming the call, the error and the device when <paramref name="result"/> is not success.</summary>
    public void Check(int result, string call, string device)
    {
        if (result != CUDA_SUCCESS)
        {
            throw new DeviceException($"{call} failed on {device}: {ErrorName(result)}.");
        }
    }

    /// <summary>Driver version as "X.Y" from the encoded 1000*major + 10*minor.</summary>
    public static string FormatVersion(int encoded) => $"{encoded / 1000}.{encoded % 1000 / 10}";
}
