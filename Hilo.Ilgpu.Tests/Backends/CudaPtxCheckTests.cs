using System.Diagnostics;
using System.Text.RegularExpressions;
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Cuda;

namespace Hilo.Ilgpu.Tests.Backends;

/// <summary>
/// Compiles the hand-written CUDA test kernels to PTX with clang-14 (no GPU or CUDA install needed), proving
/// they are valid CUDA, and checks each kernel's PTX parameter list against what the CUDA backend's argument
/// packer writes for it: same count, same sizes. Skips visibly when clang-14 is not on PATH.
/// </summary>
public partial class CudaPtxCheckTests
{
    /// <summary>
    /// What NVRTC predefines and clang's <c>-nocudainc</c> mode lacks: the execution-space attributes, the
    /// built-in index variables (read through NVVM special-register builtins), and the few device functions
    /// the test kernels call. <c>__syncthreads</c> is a clang builtin already.
    /// </summary>
    public const string ClangPrelude = """
        #define __global__ __attribute__((global))
        #define __device__ __attribute__((device))
        #define __shared__ __attribute__((shared))
        #define __constant__ __attribute__((constant))
        #define __host__ __attribute__((host))
        #define __forceinline__ __inline__ __attribute__((always_inline))
        #define __align__(n) __attribute__((aligned(n)))
        struct __hilo_uint3 { unsigned int x, y, z; };
        static __device__ __forceinline__ __hilo_uint3 __hilo_make_uint3(unsigned int x, unsigned int y, unsigned int z)
        {
            __hilo_uint3 r; r.x = x; r.y = y; r.z = z; return r;
        }
        #define threadIdx (__hilo_make_uint3(__nvvm_read_ptx_sreg_tid_x(), __nvvm_read_ptx_sreg_tid_y(), __nvvm_read_ptx_sreg_tid_z()))
        #define blockIdx (__hilo_make_uint3(__nvvm_read_ptx_sreg_ctaid_x(), __nvvm_read_ptx_sreg_ctaid_y(), __nvvm_read_ptx_sreg_ctaid_z()))
        #define blockDim (__hilo_make_uint3(__nvvm_read_ptx_sreg_ntid_x(), __nvvm_read_ptx_sreg_ntid_y(), __nvvm_read_ptx_sreg_ntid_z()))
        #define gridDim (__hilo_make_uint3(__nvvm_read_ptx_sreg_nctaid_x(), __nvvm_read_ptx_sreg_nctaid_y(), __nvvm_read_ptx_sreg_nctaid_z()))
        static __device__ __forceinline__ int atomicAdd(int* address, int value) { return __nvvm_atom_add_gen_i(address, value); }

        """;

    public static TheoryData<string> ValidKernels => [.. CudaTestKernels.Valid.Select(k => k.EntryPoint)];

    [Theory]
    [MemberData(nameof(ValidKernels))]
    public void TestKernelCompilesToPtxWithTheParametersThePackerWrites(string entryPoint)
    {
        var kernel = CudaTestKernels.Valid.Single(k => k.EntryPoint == entryPoint);
        var (exitCode, ptx, errors) = CompileToPtx(kernel.CudaSource);
        Assert.True(exitCode == 0, $"clang-14 rejected {entryPoint}:\n{errors}");
        Assert.Contains($".entry {entryPoint}(", ptx, StringComparison.Ordinal);

        var ptxSizes = ParameterSizes(ptx, entryPoint);
        var packer = new CudaArgumentPacker(_ => 0x1000);
        using var cpu = Devices.Open("cpu");
        kernel.WriteArguments(SampleArguments(cpu, kernel), packer);
        packer.Scalar(1);
        packer.Scalar(1);
        packer.Scalar(1);
        Assert.Equal(ptxSizes, packer.Sizes);
    }

    [Fact]
    public void BrokenKernelIsRejectedByClangToo()
    {
        var (exitCode, _, errors) = CompileToPtx(CudaTestKernels.Broken.CudaSource);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("hilo_undeclared_identifier", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void ReductionDeclaresItsStaticSharedMemory()
    {
        var (exitCode, ptx, errors) = CompileToPtx(CudaTestKernels.BlockSum.CudaSource);
        Assert.True(exitCode == 0, errors);
        Assert.Matches(@"\.shared \.align \d+ \.b8 \S*tile\S*\[1024\]", ptx);
        Assert.Contains("bar.sync", ptx, StringComparison.Ordinal);
        Assert.Equal(1024, CudaTestKernels.BlockSum.SharedMemoryBytes);
    }

    /// <summary>Arguments of the right types for a test kernel (values do not matter: only the layout is compared).</summary>
    private static object?[] SampleArguments(Accelerator acc, KernelDescriptor kernel)
    {
        var floats = acc.Allocate<float>(16).View;
        var ints = acc.Allocate<int>(16).View;
        return kernel.Parameters.Select(p => p.TypeName switch
        {
            "ArrayView<float>" => (object?)floats,
            "ArrayView<int>" => ints,
            "ArrayView2D<int>" => ints.As2D(4, 4),
            "CudaTestMixed" => new CudaTestMixed(),
            "bool" => true,
            _ => throw new InvalidOperationException($"no sample for {p.TypeName}"),
        }).ToArray();
    }

    /// <summary>Byte size of each <c>.param</c> of the entry, in order: <c>.u64</c> → 8, <c>.b8 x[24]</c> → 24.</summary>
    private static List<int> ParameterSizes(string ptx, string entryPoint)
    {
        int start = ptx.IndexOf($".entry {entryPoint}(", StringComparison.Ordinal);
        int end = ptx.IndexOf(')', start);
        var sizes = new List<int>();
        foreach (Match m in ParamPattern().Matches(ptx[start..end]))
        {
            sizes.Add(m.Groups["count"].Success
                ? int.Parse(m.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture) * int.Parse(m.Groups["bits"].Value, System.Globalization.CultureInfo.InvariantCulture) / 8
                : int.Parse(m.Groups["bits"].Value, System.Globalization.CultureInfo.InvariantCulture) / 8);
        }
        return sizes;
    }

    [GeneratedRegex(@"\.param\s+(?:\.align\s+\d+\s+)?\.[usbf](?<bits>8|16|32|64)\s+(?:\.ptr\s+(?:\.\w+\s+)*)?\w+(?:\[(?<count>\d+)\])?")]
    private static partial Regex ParamPattern();

    internal static (int ExitCode, string Ptx, string Errors) CompileToPtx(string cudaSource)
    {
        string? clang = FindClang();
        if (clang is null)
        {
            Assert.Skip("clang-14 is not on PATH: the CUDA sources were not PTX-checked");
        }
        string dir = Path.Combine(Path.GetTempPath(), "hilo-ptx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string input = Path.Combine(dir, "kernel.cu");
            string output = Path.Combine(dir, "kernel.ptx");
            File.WriteAllText(input, ClangPrelude + "#line 1 \"kernel.cu\"\n" + cudaSource + "\n");
            var info = new ProcessStartInfo(clang)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[] { "-x", "cuda", "--cuda-device-only", "-nocudainc", "-nocudalib", "--cuda-gpu-arch=sm_70", "-O1", "-S", "-o", output, input })
            {
                info.ArgumentList.Add(arg);
            }
            using var process = Process.Start(info)!;
            string stderr = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            string ptx = File.Exists(output) ? File.ReadAllText(output) : "";
            return (process.ExitCode, ptx, stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string? FindClang()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(dir, "clang-14");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
