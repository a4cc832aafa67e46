using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using static Hilo.Ilgpu.Compute.OpenCL.OpenCLNative;

namespace Hilo.Ilgpu.Compute.OpenCL;

/// <summary>
/// Builds a kernel for one OpenCL device: from the program binary in the on-disk cache when there is a
/// usable one, else from the generated source (then stores the binary). A cache entry that fails to load
/// in any way is ignored: the cache only ever saves time, it never breaks a build.
/// </summary>
internal static unsafe class OpenCLProgramBuilder
{
    private const string CacheExtension = ".clbin";

    public static OpenCLKernel Build(OpenCLAccelerator accelerator, KernelDescriptor descriptor)
    {
        var device = accelerator.Device;
        string source = descriptor.OpenCLSource;
        if (descriptor.UsesDoubles && !accelerator.SupportsDoubles)
        {
            throw new KernelCompilationException(descriptor.Name, device.Id,
                $"Kernel {descriptor.Name} computes in double precision, but {accelerator.Describe()} has no cl_khr_fp64 support. " +
                "Use float in the kernel, or run it on a device with double precision (the managed CPU backend always has it).",
                source);
        }
        string key = KernelDiskCache.Key("opencl", source, accelerator.BuildOptions, device.Name, device.Vendor, device.DriverVersion);
        var clock = Stopwatch.StartNew();
        if (KernelDiskCache.TryLoad(key, CacheExtension, out byte[] entry) && CacheEnvelope.TryOpen(entry) is { } binary
            && TryBuildFromBinary(accelerator, descriptor, binary) is { } cached)
        {
            return Finish(accelerator, descriptor, cached.Program, cached.Kernel, clock.Elapsed, fromDiskCache: true);
        }
        nint program = BuildFromSource(accelerator, descriptor);
        nint kernel = CreateKernel(accelerator, descriptor, program);
        var elapsed = clock.Elapsed;
        if (ReadBinary(program) is { } built)
        {
            KernelDiskCache.Store(key, CacheExtension, CacheEnvelope.Seal(built));
        }
        return Finish(accelerator, descriptor, program, kernel, elapsed, fromDiskCache: false);
    }

    private static OpenCLKernel Finish(OpenCLAccelerator accelerator, KernelDescriptor descriptor, nint program, nint kernel, TimeSpan elapsed, bool fromDiskCache)
    {
        try
        {
            nuint maxGroup = OpenCLInfo.KernelWorkGroup<nuint>(kernel, accelerator.DeviceHandle, CL_KERNEL_WORK_GROUP_SIZE);
            nuint multiple = OpenCLInfo.KernelWorkGroup<nuint>(kernel, accelerator.DeviceHandle, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE);
            uint args;
            OpenCLLibrary.Check(clGetKernelInfo(kernel, CL_KERNEL_NUM_ARGS, sizeof(uint), &args, null), "clGetKernelInfo(CL_KERNEL_NUM_ARGS)");
            return new OpenCLKernel(accelerator, descriptor, program, kernel,
                (int)Math.Min(maxGroup, int.MaxValue), (int)Math.Min(multiple, 1024), (int)args, elapsed, fromDiskCache);
        }
        catch
        {
            clReleaseKernel(kernel);
            clReleaseProgram(program);
            throw;
        }
    }

    private static nint BuildFromSource(OpenCLAccelerator accelerator, KernelDescriptor descriptor)
    {
        string source = descriptor.OpenCLSource;
        byte[] utf8 = Encoding.UTF8.GetBytes(source);
        int error;
        nint program;
        fixed (byte* text = utf8)
        {
            byte* strings = text;
            nuint length = (nuint)utf8.Length;
            program = clCreateProgramWithSource(accelerator.Context, 1, &strings, &length, &error);
        }
        OpenCLLibrary.Check(error, "clCreateProgramWithSource");
        nint deviceHandle = accelerator.DeviceHandle;
        error = clBuildProgram(program, 1, &deviceHandle, accelerator.BuildOptions, 0, 0);
        if (error != CL_SUCCESS)
        {
            string log = OpenCLInfo.BuildLog(program, deviceHandle);
            clReleaseProgram(program);
            if (error is not (CL_BUILD_PROGRAM_FAILURE or CL_INVALID_BUILD_OPTIONS or CL_COMPILER_NOT_AVAILABLE))
            {
                // Not a compile error (out of memory, invalid device): a driver failure, not the kernel's fault.
                throw OpenCLLibrary.Failure(error, "clBuildProgram");
            }
            throw new KernelCompilationException(descriptor.Name, accelerator.Device.Id,
                $"clBuildProgram: {OpenCLLibrary.ErrorName(error)} (options: {accelerator.BuildOptions})\n{log}", source);
        }
        return program;
    }

    private static nint CreateKernel(OpenCLAccelerator accelerator, KernelDescriptor descriptor, nint program)
    {
        int error;
        nint kernel = clCreateKernel(program, descriptor.EntryPoint, &error);
        if (error == CL_SUCCESS)
        {
            return kernel;
        }
        clReleaseProgram(program);
        if (error is CL_INVALID_KERNEL_NAME or CL_INVALID_KERNEL_DEFINITION)
        {
            throw new KernelCompilationException(descriptor.Name, accelerator.Device.Id,
                $"clCreateKernel: {OpenCLLibrary.ErrorName(error)}: the program has no usable __kernel named '{descriptor.EntryPoint}'.",
                descriptor.OpenCLSource);
        }
        throw OpenCLLibrary.Failure(error, "clCreateKernel");
    }

    /// <summary>Loads a cached binary; null (with everything released) when the entry is unusable.</summary>
    private static (nint Program, nint Kernel)? TryBuildFromBinary(OpenCLAccelerator accelerator, KernelDescriptor descriptor, byte[] binary)
    {
        nint deviceHandle = accelerator.DeviceHandle;
        int error, status = 0;
        nint program;
        fixed (byte* data = binary)
        {
            byte* binaries = data;
            nuint length = (nuint)binary.Length;
            program = clCreateProgramWithBinary(accelerator.Context, 1, &deviceHandle, &length, &binaries, &status, &error);
        }
        if (error != CL_SUCCESS || status != CL_SUCCESS || program == 0)
        {
            if (program != 0)
            {
                clReleaseProgram(program);
            }
            return null;
        }
        if (clBuildProgram(program, 1, &deviceHandle, accelerator.BuildOptions, 0, 0) != CL_SUCCESS)
        {
            clReleaseProgram(program);
            return null;
        }
        nint kernel = clCreateKernel(program, descriptor.EntryPoint, &error);
        if (error != CL_SUCCESS)
        {
            clReleaseProgram(program);
            return null;
        }
        return (program, kernel);
    }

    /// <summary>The device binary of a built single-device program, or null when the driver does not give one.</summary>
    private static byte[]? ReadBinary(nint program)
    {
        nuint size;
        if (clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, (nuint)sizeof(nuint), &size, null) != CL_SUCCESS || size == 0 || size > int.MaxValue)
        {
            return null;
        }
        var binary = new byte[(int)size];
        fixed (byte* data = binary)
        {
            byte* pointer = data;
            return clGetProgramInfo(program, CL_PROGRAM_BINARIES, (nuint)sizeof(byte*), &pointer, null) == CL_SUCCESS ? binary : null;
        }
    }
}

/// <summary>
/// The on-disk form of a cached binary: a magic tag, the SHA-256 of the binary, then the binary. A truncated
/// or damaged file is recognised here and never reaches the driver (some drivers crash on garbage binaries).
/// </summary>
internal static class CacheEnvelope
{
    private static readonly byte[] Magic = "HCLB1\n"u8.ToArray();
    private const int HashBytes = 32;

    public static byte[] Seal(ReadOnlySpan<byte> binary)
    {
        var entry = new byte[Magic.Length + HashBytes + binary.Length];
        Magic.CopyTo(entry, 0);
        SHA256.HashData(binary, entry.AsSpan(Magic.Length, HashBytes));
        binary.CopyTo(entry.AsSpan(Magic.Length + HashBytes));
        return entry;
    }

    public static byte[]? TryOpen(byte[] entry)
    {
        int header = Magic.Length + HashBytes;
        if (entry.Length <= header || !entry.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }
        var binary = entry.AsSpan(header);
        Span<byte> hash = stackalloc byte[HashBytes];
        SHA256.HashData(binary, hash);
        return hash.SequenceEqual(entry.AsSpan(Magic.Length, HashBytes)) ? binary.ToArray() : null;
    }
}
