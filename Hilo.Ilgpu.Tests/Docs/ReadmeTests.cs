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
