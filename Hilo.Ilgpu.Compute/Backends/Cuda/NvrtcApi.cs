using System.Runtime.InteropServices;

namespace Hilo.Ilgpu.Compute.Cuda;

/// <summary>
/// NVRTC, the CUDA runtime compiler (<c>libnvrtc.so.*</c>), as function pointers looked up by name.
/// <c>nvrtcResult</c> is <c>int</c>, <c>nvrtcProgram</c> an opaque pointer, strings are UTF-8 <c>char*</c>.
/// </summary>
internal sealed unsafe class NvrtcApi
{
    public const int NVRTC_SUCCESS = 0;
    public const int NVRTC_ERROR_COMPILATION = 6;

    private NvrtcApi(nint library, string path)
    {
        Library = library;
        LibraryPath = path;
    }

    /// <summary>The loaded library handle.</summary>
    public nint Library { get; }

    /// <summary>The name or path it was loaded from.</summary>
    public string LibraryPath { get; }

    /// <summary>NVRTC version encoded like the driver's: 1000*major + 10*minor.</summary>
    public int Version { get; private set; }

    /// <summary>"major.minor".</summary>
    public string VersionText => CudaDriverApi.FormatVersion(Version);

    // A plain function-pointer table: fields are the cheapest way to call through.
    public delegate* unmanaged<int*, int*, int> nvrtcVersion;
    public delegate* unmanaged<int, byte*> nvrtcGetErrorString;
    public delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int> nvrtcCreateProgram;
    public delegate* unmanaged<nint*, int> nvrtcDestroyProgram;
    public delegate* unmanaged<nint, int, byte**, int> nvrtcCompileProgram;
    public delegate* unmanaged<nint, nuint*, int> nvrtcGetProgramLogSize;
    public delegate* unmanaged<nint, byte*, int> nvrtcGetProgramLog;
    public delegate* unmanaged<nint, nuint*, int> nvrtcGetPTXSize;
    public delegate* unmanaged<nint, byte*, int> nvrtcGetPTX;

    // Optional (NVRTC 11.1+/11.2+): null when the library is older.
    public delegate* unmanaged<nint, nuint*, int> nvrtcGetCUBINSize;
    public delegate* unmanaged<nint, byte*, int> nvrtcGetCUBIN;
    public delegate* unmanaged<int*, int> nvrtcGetNumSupportedArchs;
    public delegate* unmanaged<int*, int> nvrtcGetSupportedArchs;

    /// <summary>True when NVRTC can emit CUBIN (SASS) directly.</summary>
    public bool CanEmitCubin => nvrtcGetCUBIN != null && nvrtcGetCUBINSize != null;

    /// <summary>
    /// Loads the first NVRTC from <see cref="NvrtcLocator.Candidates()"/> that loads and answers. When it is newer
    /// than the driver (whose PTX JIT may then reject its PTX), later candidates are tried for one that is not.
    /// </summary>
    /// <param name="driverVersion">The driver's <c>cuDriverGetVersion</c> value.</param>
    /// <param name="candidates">Library names or paths to try (default <see cref="NvrtcLocator.Candidates()"/>).</param>
    /// <param name="reason">Why no NVRTC could be loaded (every candidate tried).</param>
    public static NvrtcApi? TryLoad(int driverVersion, IReadOnlyList<string>? candidates, out string reason)
    {
        var tried = new List<string>();
        NvrtcApi? first = null;
        foreach (string candidate in candidates ?? NvrtcLocator.Candidates())
        {
            var api = TryLoadOne(candidate, out string why);
            if (api is null)
            {
                tried.Add(why);
                continue;
            }
            if (api.Version <= driverVersion)
            {
                reason = "";
                return api;
            }
            first ??= api;
        }
        if (first is not null)
        {
            reason = "";
            return first;
        }
        reason = "NVRTC (the CUDA runtime compiler) was not found; tried " + string.Join("; ", tried) +
                 ". Install the CUDA toolkit's libnvrtc, or set HILO_NVRTC_PATH to a libnvrtc.so.* file";
        return null;
    }

    private static NvrtcApi? TryLoadOne(string candidate, out string why)
    {
        if (!NativeLibrary.TryLoad(candidate, out nint handle))
        {
            why = candidate + " (not loadable)";
            return null;
        }
        var api = new NvrtcApi(handle, candidate);
        var missing = api.Resolve();
        if (missing.Count > 0)
        {
            why = $"{candidate} (lacks {string.Join(", ", missing)})";
            return null;
        }
        int major = 0, minor = 0;
        int result = api.nvrtcVersion(&major, &minor);
        if (result != NVRTC_SUCCESS)
        {
            why = $"{candidate} (nvrtcVersion failed: {api.ErrorString(result)})";
            return null;
        }
        api.Version = major * 1000 + minor * 10;
        why = "";
        return api;
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
        nint Optional(string name) => NativeLibrary.TryGetExport(Library, name, out nint p) ? p : 0;

        nvrtcVersion = (delegate* unmanaged<int*, int*, int>)Get("nvrtcVersion");
        nvrtcGetErrorString = (delegate* unmanaged<int, byte*>)Get("nvrtcGetErrorString");
        nvrtcCreateProgram = (delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int>)Get("nvrtcCreateProgram");
        nvrtcDestroyProgram = (delegate* unmanaged<nint*, int>)Get("nvrtcDestroyProgram");
        nvrtcCompileProgram = (delegate* unmanaged<nint, int, byte**, int>)Get("nvrtcCompileProgram");
        nvrtcGetProgramLogSize = (delegate* unmanaged<nint, nuint*, int>)Get("nvrtcGetProgramLogSize");
        nvrtcGetProgramLog = (delegate* unmanaged<nint, byte*, int>)Get("nvrtcGetProgramLog");
        nvrtcGetPTXSize = (delegate* unmanaged<nint, nuint*, int>)Get("nvrtcGetPTXSize");
        nvrtcGetPTX = (delegate* unmanaged<nint, byte*, int>)Get("nvrtcGetPTX");
        nvrtcGetCUBINSize = (delegate* unmanaged<nint, nuint*, int>)Optional("nvrtcGetCUBINSize");
        nvrtcGetCUBIN = (delegate* unmanaged<nint, byte*, int>)Optional("nvrtcGetCUBIN");
        nvrtcGetNumSupportedArchs = (delegate* unmanaged<int*, int>)Optional("nvrtcGetNumSupportedArchs");
        nvrtcGetSupportedArchs = (delegate* unmanaged<int*, int>)Optional("nvrtcGetSupportedArchs");
        return missing;
    }

    /// <summary>The <c>NVRTC_ERROR_*</c> text of a result code.</summary>
    public string ErrorString(int result)
    {
        byte* text = nvrtcGetErrorString(result);
        return text == null ? $"nvrtcResult {result}" : $"{Marshal.PtrToStringUTF8((nint)text)} ({result})";
    }

    /// <summary>The virtual architectures this NVRTC can target (e.g. 75, 80, 90), ascending; empty when it cannot say.</summary>
    public int[] SupportedArchitectures()
    {
        if (nvrtcGetNumSupportedArchs == null || nvrtcGetSupportedArchs == null)
        {
            return [];
        }
        int count = 0;
        if (nvrtcGetNumSupportedArchs(&count) != NVRTC_SUCCESS || count <= 0 || count > 4096)
        {
            return [];
        }
        var archs = new int[count];
        fixed (int* p = archs)
        {
            if (nvrtcGetSupportedArchs(p) != NVRTC_SUCCESS)
            {
                return [];
            }
        }
        Array.Sort(archs);
        return archs;
    }
}
