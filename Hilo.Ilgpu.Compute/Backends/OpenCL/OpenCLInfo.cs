using System.Text;
using static Hilo.Ilgpu.Compute.OpenCL.OpenCLNative;

namespace Hilo.Ilgpu.Compute.OpenCL;

/// <summary>Typed reads of <c>clGet*Info</c> values (strings, scalars, size arrays).</summary>
internal static unsafe class OpenCLInfo
{
    public static string PlatformString(nint platform, uint param)
    {
        nuint size;
        OpenCLLibrary.Check(clGetPlatformInfo(platform, param, 0, null, &size), "clGetPlatformInfo");
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes)
        {
            OpenCLLibrary.Check(clGetPlatformInfo(platform, param, size, p, null), "clGetPlatformInfo");
        }
        return Decode(bytes);
    }

    public static string DeviceString(nint device, uint param)
    {
        nuint size;
        OpenCLLibrary.Check(clGetDeviceInfo(device, param, 0, null, &size), "clGetDeviceInfo");
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes)
        {
            OpenCLLibrary.Check(clGetDeviceInfo(device, param, size, p, null), "clGetDeviceInfo");
        }
        return Decode(bytes);
    }

    /// <summary>A fixed-size device value (<c>cl_uint</c>, <c>cl_ulong</c>, <c>size_t</c>, bitfields).</summary>
    public static T Device<T>(nint device, uint param) where T : unmanaged
    {
        T value = default;
        OpenCLLibrary.Check(clGetDeviceInfo(device, param, (nuint)sizeof(T), &value, null), "clGetDeviceInfo");
        return value;
    }

    /// <summary>CL_DEVICE_MAX_WORK_ITEM_SIZES as three ints (missing dimensions are 1).</summary>
    public static int[] MaxWorkItemSizes(nint device)
    {
        uint dims = Device<uint>(device, CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS);
        var sizes = new nuint[Math.Max(dims, 3)];
        fixed (nuint* p = sizes)
        {
            OpenCLLibrary.Check(clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_ITEM_SIZES, (nuint)(dims * (uint)sizeof(nuint)), p, null), "clGetDeviceInfo");
        }
        return [.. sizes.Take(3).Select(s => s == 0 ? 1 : (int)Math.Min(s, int.MaxValue))];
    }

    public static T KernelWorkGroup<T>(nint kernel, nint device, uint param) where T : unmanaged
    {
        T value = default;
        OpenCLLibrary.Check(clGetKernelWorkGroupInfo(kernel, device, param, (nuint)sizeof(T), &value, null), "clGetKernelWorkGroupInfo");
        return value;
    }

    public static string BuildLog(nint program, nint device)
    {
        nuint size;
        if (clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, null, &size) != CL_SUCCESS || size == 0)
        {
            return "";
        }
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes)
        {
            if (clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, p, null) != CL_SUCCESS)
            {
                return "";
            }
        }
        return Decode(bytes);
    }

    private static string Decode(byte[] bytes)
    {
        int end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end).Trim();
    }
}
