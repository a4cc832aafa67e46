namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>
/// Generated OpenCL C, CUDA C and C# for the kernels in Generator/Snapshots/*.cs.txt, compared with the
/// checked-in files next to them (HILO_UPDATE_SNAPSHOTS=1 rewrites them).
/// </summary>
public class SnapshotTests
{
    public static TheoryData<string> Sources()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(Snapshot.Directory(), "*.cs.txt").Order(StringComparer.Ordinal))
        {
            if (file.EndsWith(".g.cs.txt", StringComparison.Ordinal))
            {
                continue; // generated C# snapshots, not sources
            }
            data.Add(Path.GetFileName(file)[..^".cs.txt".Length]);
        }
        return data;
    }

    /// <summary>Runs the generator on one snapshot source and checks it produced no errors.</summary>
    public static GeneratorRun Generate(string name) =>
        GeneratorHarness.RunClean(File.ReadAllText(Path.Combine(Snapshot.Directory(), name + ".cs.txt")));

    [Theory]
    [MemberData(nameof(Sources))]
    public void GeneratedCodeMatchesSnapshot(string name)
    {
        var run = Generate(name);
        Assert.NotEmpty(run.Kernels);
        foreach (var kernel in run.Kernels)
        {
            Snapshot.Verify($"{name}.{kernel.Method}.cl", kernel.OpenCL);
            Snapshot.Verify($"{name}.{kernel.Method}.cu", kernel.Cuda);
            Snapshot.Verify($"{name}.{kernel.Method}.g.cs.txt", kernel.CSharp);
        }
    }
}
