using Hilo.Ilgpu.Tests.Infrastructure;
using Hilo.Samples.VectorAdd;

namespace Hilo.Ilgpu.Tests.Docs;

/// <summary>The README's kernel example is the sample's code, and it runs on every accelerator present.</summary>
public class ReadmeTests
{
    private static readonly float[] X = Enumerable.Range(0, 1003).Select(i => i * 0.5f).ToArray();
    private static readonly float[] Y = Enumerable.Range(0, 1003).Select(i => 1f - i).ToArray();

    [Fact]
    public void SaxpyRunsOnTheCpuAccelerator() => AssertSaxpy("cpu");

    [Fact]
    public void SaxpyRunsOnOpenCL() => AssertSaxpy(DeviceRequirement.RequireDevice(BackendKind.OpenCL).Id);

    [Fact]
    public void SaxpyRunsOnCuda() => AssertSaxpy(DeviceRequirement.RequireDevice(BackendKind.Cuda).Id);

    [Fact]
    public void TheSampleOnAMissingDeviceIsOneErrorLineAndExitCodeOne()
    {
        // Not an unhandled DeviceNotFoundException (exit code 134 and a stack trace) on a machine without the device.
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(1, VectorAddProgram.Run(["opencl:99"], output, error));
        Assert.Equal("", output.ToString());
        string line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains("opencl:99", line, StringComparison.Ordinal);
        Assert.Contains("-- devices", line, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSampleOnTheCpuPrintsSaxpy()
    {
        var output = new StringWriter();
        Assert.Equal(0, VectorAddProgram.Run(["cpu"], output, TextWriter.Null));
        Assert.EndsWith("y[0..4] = 1, 3, 5, 7 ... y[999] = 1999", output.ToString().TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReadmeDevicesLineBuildsRelease()
    {
        // The same configuration as every other line: without -c Release it is a second, Debug build.
        string readme = File.ReadAllText(Path.Combine(FindRepositoryRoot(), "README.md"));
        Assert.Contains("dotnet run -c Release --project Hilo.Ilgpu.Cli -- devices", readme, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet run --project Hilo.Ilgpu.Cli", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadmeExampleIsTheSampleCode()
    {
        string root = FindRepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        string sample = File.ReadAllText(Path.Combine(root, "samples", "VectorAdd", "Saxpy.cs"));
        int start = readme.IndexOf("```csharp\nusing Hilo.Ilgpu;\nusing ILGPU;", StringComparison.Ordinal);
        Assert.True(start >= 0, "README lost its kernel example");
        int end = readme.IndexOf("```", start + 10, StringComparison.Ordinal);
        var sampleLines = new HashSet<string>(sample.Split('\n').Select(l => l.Trim()));
        foreach (string line in readme[start..end].Split('\n').Skip(1).Select(l => l.Trim()))
        {
            string code = line.Split("//")[0].Trim();
            if (code.Length > 0)
            {
                Assert.True(sampleLines.Any(s => s.StartsWith(code, StringComparison.Ordinal)),
                    $"README line not found in samples/VectorAdd/Saxpy.cs: {line}");
            }
        }
    }

    [Fact]
    public void ReadmeClassifyExampleIsTheSampleCode()
    {
        string root = FindRepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        string sample = File.ReadAllText(Path.Combine(root, "samples", "Classify", "ClassifyDemo.cs"));
        int start = readme.IndexOf("```csharp\nusing var gpu = ComputeDevice.Open(device);", StringComparison.Ordinal);
        Assert.True(start >= 0, "README lost its classify example");
        int end = readme.IndexOf("```", start + 10, StringComparison.Ordinal);
        var sampleLines = sample.Split('\n').Select(l => l.Trim()).ToList();
        foreach (string line in readme[start..end].Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            Assert.True(sampleLines.Contains(line), $"README line not found in samples/Classify/ClassifyDemo.cs: {line}");
        }
    }

    private static void AssertSaxpy(string device)
    {
        var result = SaxpyDemo.Run(device, 2f, X, Y);
        for (int i = 0; i < X.Length; i++)
        {
            Assert.Equal(2f * X[i] + Y[i], result[i]);
        }
    }

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HiloIlgpu.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
