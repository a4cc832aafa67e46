using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Hilo.Ilgpu.Compute.Cuda;

/// <summary>
/// Builds a kernel for a CUDA device: NVRTC compiles <see cref="KernelDescriptor.CudaSource"/> to PTX for the
/// device's virtual architecture (<c>--gpu-architecture=compute_XY --fmad=false</c>), the driver loads it with
/// <c>cuModuleLoadDataEx</c> (its JIT error log captured) and finds the <c>extern "C"</c> entry point. PTX is kept
/// in <see cref="KernelDiskCache"/>; an entry the driver rejects is rebuilt from source.
/// When NVRTC is newer than the driver, whose PTX JIT may not accept its PTX, it emits SASS (CUBIN,
/// <c>--gpu-architecture=sm_XY</c>) instead; <c>HILO_CUDA_TARGET=ptx|cubin</c> forces either.
/// </summary>
internal static unsafe class CudaKernelBuilder
{
    /// <summary>Environment variable choosing the binary NVRTC emits: <c>ptx</c>, <c>cubin</c> or <c>auto</c> (default).</summary>
    public const string TargetVariable = "HILO_CUDA_TARGET";

    private const int JitLogBytes = 16 * 1024;

    public static CompiledKernel Build(CudaAccelerator accelerator, KernelDescriptor descriptor)
    {
        var clock = Stopwatch.StartNew();
        var nvrtc = accelerator.Runtime.Nvrtc;
        var (arch, cubin) = ChooseTarget(accelerator, descriptor);
        string[] options = [$"--gpu-architecture={(cubin ? "sm_" : "compute_")}{arch}", "--fmad=false"];
        string extension = cubin ? ".cubin" : ".ptx";
        string key = CacheKey(descriptor.CudaSource, options, nvrtc.VersionText, accelerator.ComputeCapability);

        nint module = 0;
        bool fromCache = KernelDiskCache.TryLoad(key, extension, out byte[] cached) &&
                         TryLoadModule(accelerator, cubin ? cached : NulTerminated(cached), out module, out _);
        if (!fromCache)
        {
            byte[] image = Compile(accelerator, descriptor, options, cubin);
            if (!TryLoadModule(accelerator, image, out module, out string error))
            {
                throw new KernelCompilationException(descriptor.Name, accelerator.Device.Id, error + Hint(accelerator, cubin), descriptor.CudaSource);
            }
            KernelDiskCache.Store(key, extension, image);
        }
        try
        {
            nint function = 0;
            byte[] entry = NulTerminated(Encoding.UTF8.GetBytes(descriptor.EntryPoint));
            int result;
            fixed (byte* name = entry)
            {
                result = accelerator.Api.cuModuleGetFunction(&function, module, name);
            }
            if (result != CudaDriverApi.CUDA_SUCCESS)
            {
                throw new KernelCompilationException(descriptor.Name, accelerator.Device.Id,
                    $"cuModuleGetFunction(\"{descriptor.EntryPoint}\") failed: {accelerator.Api.ErrorName(result)}; the source must define " +
                    $"extern \"C\" __global__ void {descriptor.EntryPoint}(...).", descriptor.CudaSource);
            }
            int maxThreads = 0;
            accelerator.Check(accelerator.Api.cuFuncGetAttribute(&maxThreads, CudaDriverApi.FuncAttrMaxThreadsPerBlock, function),
                "cuFuncGetAttribute(CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK)");
            return new CudaCompiledKernel(accelerator, descriptor, module, function, maxThreads, clock.Elapsed, fromCache);
        }
        catch
        {
            accelerator.Api.cuModuleUnload(module);
            throw;
        }
    }

    /// <summary>The on-disk cache key of a build (internal so tests can plant entries).</summary>
    internal static string CacheKey(string source, string[] options, string nvrtcVersion, int computeCapability) =>
        KernelDiskCache.Key("cuda", source, string.Join(' ', options), nvrtcVersion, computeCapability.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// The architecture to compile for (the device's, or the newest older one NVRTC knows, whose PTX the
    /// driver JIT-compiles forward) and whether to emit CUBIN.
    /// </summary>
    internal static (int Arch, bool Cubin) ChooseTarget(CudaAccelerator accelerator, KernelDescriptor descriptor)
    {
        var nvrtc = accelerator.Runtime.Nvrtc;
        int cc = accelerator.ComputeCapability;
        int[] supported = nvrtc.SupportedArchitectures();
        int arch = cc;
        if (supported.Length > 0 && Array.IndexOf(supported, cc) < 0)
        {
            int[] older = [.. supported.Where(a => a < cc)];
            if (older.Length == 0)
            {
                throw new KernelCompilationException(descriptor.Name, accelerator.Device.Id,
                    $"NVRTC {nvrtc.VersionText} ({nvrtc.LibraryPath}) targets compute_{string.Join("/", supported)} only; the device is sm_{cc}. " +
                    "Use an older CUDA toolkit's NVRTC (HILO_NVRTC_PATH).", descriptor.CudaSource);
            }
            arch = older.Max();
        }
        string mode = (Environment.GetEnvironmentVariable(TargetVariable) ?? "auto").Trim().ToLowerInvariant();
        bool cubin = mode switch
        {
            "cubin" => true,
            "ptx" => false,
            _ => nvrtc.Version > accelerator.Runtime.DriverVersion,
        };
        // SASS only for the exact architecture; PTX otherwise (it runs on newer GPUs through the JIT).
        return (arch, cubin && arch == cc && nvrtc.CanEmitCubin);
    }

    private static byte[] Compile(CudaAccelerator accelerator, KernelDescriptor descriptor, string[] options, bool cubin)
    {
        var nvrtc = accelerator.Runtime.Nvrtc;
        string device = accelerator.Device.Id;
        byte[] source = NulTerminated(Encoding.UTF8.GetBytes(descriptor.CudaSource));
        byte[] name = NulTerminated(Encoding.UTF8.GetBytes(descriptor.EntryPoint + ".cu"));
        var optionMemory = new nint[options.Length];
        lock (accelerator.Runtime.CompileGate)
        {
            nint program = 0;
            int result;
            fixed (byte* s = source, n = name)
            {
                result = nvrtc.nvrtcCreateProgram(&program, s, n, 0, null, null);
            }
            if (result != NvrtcApi.NVRTC_SUCCESS)
            {
                throw new KernelCompilationException(descriptor.Name, device, "nvrtcCreateProgram failed: " + nvrtc.ErrorString(result), descriptor.CudaSource);
            }
            try
            {
                byte** optionPointers = stackalloc byte*[Math.Max(options.Length, 1)];
                for (int i = 0; i < options.Length; i++)
                {
                    optionMemory[i] = Marshal.StringToCoTaskMemUTF8(options[i]);
                    optionPointers[i] = (byte*)optionMemory[i];
                }
                result = nvrtc.nvrtcCompileProgram(program, options.Length, optionPointers);
                string log = ProgramLog(nvrtc, program);
                if (result != NvrtcApi.NVRTC_SUCCESS)
                {
                    throw new KernelCompilationException(descriptor.Name, device,
                        $"nvrtcCompileProgram failed: {nvrtc.ErrorString(result)} (NVRTC {nvrtc.VersionText}, options {string.Join(' ', options)})\n{log}",
                        descriptor.CudaSource);
                }
                return cubin ? Output(nvrtc, program, nvrtc.nvrtcGetCUBINSize, nvrtc.nvrtcGetCUBIN, "nvrtcGetCUBIN", descriptor, device)
                             : NulTerminated(Output(nvrtc, program, nvrtc.nvrtcGetPTXSize, nvrtc.nvrtcGetPTX, "nvrtcGetPTX", descriptor, device));
            }
            finally
            {
                foreach (nint p in optionMemory)
                {
                    Marshal.FreeCoTaskMem(p);
                }
                nvrtc.nvrtcDestroyProgram(&program);
            }
        }
    }

    private static byte[] Output(NvrtcApi nvrtc, nint program, delegate* unmanaged<nint, nuint*, int> getSize,
        delegate* unmanaged<nint, byte*, int> get, string call, KernelDescriptor descriptor, string device)
    {
        nuint size = 0;
        int result = getSize(program, &size);
        var image = new byte[result == NvrtcApi.NVRTC_SUCCESS ? (int)size : 0];
        if (result == NvrtcApi.NVRTC_SUCCESS && image.Length > 0)
        {
            fixed (byte* p = image)
            {
                result = get(program, p);
            }
        }
        if (result != NvrtcApi.NVRTC_SUCCESS || image.Length == 0)
        {
            throw new KernelCompilationException(descriptor.Name, device, $"{call} failed: {nvrtc.ErrorString(result)}", descriptor.CudaSource);
        }
        return image;
    }

    private static string ProgramLog(NvrtcApi nvrtc, nint program)
    {
        nuint size = 0;
        if (nvrtc.nvrtcGetProgramLogSize(program, &size) != NvrtcApi.NVRTC_SUCCESS || size <= 1)
        {
            return "";
        }
        var log = new byte[(int)size];
        fixed (byte* p = log)
        {
            if (nvrtc.nvrtcGetProgramLog(program, p) != NvrtcApi.NVRTC_SUCCESS)
            {
                return "";
            }
        }
        return Encoding.UTF8.GetString(log).TrimEnd('\0');
    }

    private static bool TryLoadModule(CudaAccelerator accelerator, byte[] image, out nint module, out string error)
    {
        accelerator.Bind();
        byte* log = stackalloc byte[JitLogBytes];
        log[0] = 0;
        int* options = stackalloc int[2];
        options[0] = CudaDriverApi.JitErrorLogBuffer;
        options[1] = CudaDriverApi.JitErrorLogBufferSizeBytes;
        void** values = stackalloc void*[2];
        values[0] = log;
        values[1] = (void*)(nint)JitLogBytes;
        nint handle = 0;
        int result;
        fixed (byte* data = image)
        {
            result = accelerator.Api.cuModuleLoadDataEx(&handle, data, 2, options, values);
        }
        module = handle;
        if (result == CudaDriverApi.CUDA_SUCCESS)
        {
            error = "";
            return true;
        }
        string jit = Marshal.PtrToStringUTF8((nint)log, new ReadOnlySpan<byte>(log, JitLogBytes - 1).IndexOf((byte)0) is int n and >= 0 ? n : JitLogBytes - 1);
        error = $"cuModuleLoadDataEx failed: {accelerator.Api.ErrorName(result)}" + (jit.Length > 0 ? "\n" + jit : "");
        module = 0;
        return false;
    }

    private static string Hint(CudaAccelerator accelerator, bool cubin)
    {
        var rt = accelerator.Runtime;
        return !cubin && rt.Nvrtc.Version > rt.DriverVersion
            ? $"\nNVRTC {rt.Nvrtc.VersionText} is newer than the CUDA driver {CudaDriverApi.FormatVersion(rt.DriverVersion)}: set {TargetVariable}=cubin, " +
              $"or {NvrtcLocator.PathVariable} to an NVRTC no newer than the driver."
            : "";
    }

    private static byte[] NulTerminated(byte[] bytes) =>
        bytes.Length > 0 && bytes[^1] == 0 ? bytes : [.. bytes, 0];
}

/// <summary>A loaded <c>CUmodule</c> and its kernel <c>CUfunction</c>.</summary>
internal sealed class CudaCompiledKernel(
    CudaAccelerator accelerator, KernelDescriptor descriptor, nint module, nint function, int maxGroupSize, TimeSpan buildTime, bool fromDiskCache)
    : CompiledKernel(accelerator, descriptor, maxGroupSize, buildTime, fromDiskCache)
{
    private int disposed;

    /// <summary>The <c>CUfunction</c> to launch.</summary>
    public nint Function { get; } = function;

    protected override unsafe void DisposeCore()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0 && accelerator.TryBind())
        {
            accelerator.Api.cuModuleUnload(module);
        }
    }
}
