using System.Diagnostics;
using System.Reflection;
using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>
/// Compiles generated code with clang-14: OpenCL C as CL1.2 (syntax and semantic check with the standard
/// builtin declarations), CUDA C to PTX for sm_70 with tools/cuda-prelude.h standing in for what NVRTC
/// predefines. Covers every snapshot source and every kernel of the test and kernel assemblies.
/// Skips (visibly) when clang-14 is not on PATH.
/// </summary>
public class ClangCompileTests
{
    public static TheoryData<string> SnapshotSources() => SnapshotTests.Sources();

    public static TheoryData<string> AssemblyKernels()
    {
        var data = new TheoryData<string>();
        foreach (var descriptor in Descriptors())
        {
            data.Add(descriptor.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SnapshotSources))]
    public void SnapshotKernelsCompile(string name)
    {
        RequireClang();
        foreach (var kernel in SnapshotTests.Generate(name).Kernels)
        {
            CompileOpenCL(kernel.HintName, kernel.OpenCL);
            CompileCuda(kernel.HintName, kernel.Cuda);
        }
    }

    [Theory]
    [MemberData(nameof(AssemblyKernels))]
    public void ProjectKernelsCompile(string name)
    {
        RequireClang();
        var descriptor = Descriptors().Single(d => d.Name == name);
        CompileOpenCL(name, descriptor.OpenCLSource);
        CompileCuda(name, descriptor.CudaSource);
    }

    /// <summary>
    /// Every generated kernel descriptor of the kernel library, the conformance kernels and this test assembly (hand-written test
    /// descriptors of the backend tests, some broken on purpose, are not generator output and are left out).
    /// </summary>
    public static IEnumerable<KernelDescriptor> Descriptors()
    {
        var assemblies = new[]
        {
            typeof(Hilo.Ilgpu.Kernels.Basic.VectorKernels).Assembly,
            typeof(Hilo.Ilgpu.Compute.Conformance.MathKernels).Assembly,
            typeof(ClangCompileTests).Assembly,
        };
        return assemblies.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(p => p.PropertyType == typeof(KernelDescriptor) && p.GetIndexParameters().Length == 0)
            .Select(p => (KernelDescriptor)p.GetValue(null)!)
            .Where(d => d.GetType().Name.StartsWith("__HiloKernel_", StringComparison.Ordinal))
            .DistinctBy(d => d.Name)
            .OrderBy(d => d.Name, StringComparer.Ordinal);
    }

    private static void RequireClang()
    {
        if (!ClangAvailable.Value)
        {
            Assert.Skip("clang-14 is not on PATH; generated OpenCL C and CUDA C were not compiled.");
        }
    }

    private static readonly Lazy<bool> ClangAvailable = new(() =>
    {
        try
        {
            return Clang(new[] { "--version" }, null).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    internal static void CompileOpenCL(string name, string source)
    {
        string file = Temp(name, ".cl", source);
        var result = Clang(new[] { "-x", "cl", "-cl-std=CL1.2", "-fsyntax-only", "-Werror", "-Xclang", "-finclude-default-header", file }, null);
        Assert.True(result.ExitCode == 0, $"OpenCL C of {name} does not compile:\n{result.Output}\n{Numbered(source)}");
    }

    internal static void CompileCuda(string name, string source)
    {
        string file = Temp(name, ".cu", source);
        string prelude = Path.Combine(RepositoryRoot(), "tools", "cuda-prelude.h");
        var result = Clang(new[]
        {
            "-x", "cuda", "--cuda-device-only", "-nocudainc", "-nocudalib", "--cuda-gpu-arch=sm_70", "-S", "-o", "/dev/null",
            "-Werror", "-include", prelude, file,
        }, null);
        Assert.True(result.ExitCode == 0, $"CUDA C of {name} does not compile to PTX:\n{result.Output}\n{Numbered(source)}");
    }

    private static string Temp(string name, string extension, string source)
    {
        string dir = Path.Combine(Path.GetTempPath(), "hilo-clang-tests");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, name + "." + Guid.NewGuid().ToString("N")[..8] + extension);
        File.WriteAllText(file, source);
        return file;
    }

    private static string Numbered(string source) =>
        string.Join("\n", source.Split('\n').Select((line, i) => $"{i + 1,4}: {line}"));

    private static (int ExitCode, string Output) Clang(string[] args, string? workingDirectory)
    {
        var psi = new ProcessStartInfo("clang-14")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HiloIlgpu.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("HiloIlgpu.sln not found above " + AppContext.BaseDirectory);
    }
}
