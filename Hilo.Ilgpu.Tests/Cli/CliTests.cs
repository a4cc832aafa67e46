using Hilo.Ilgpu.Cli;

namespace Hilo.Ilgpu.Tests.Cli;

public class CliTests
{
    [Fact]
    public void DevicesListsEveryDeviceAndWhyBackendsAreMissing()
    {
        var output = new StringWriter();
        DevicesCommand.Print(output);
        string text = output.ToString();
        foreach (var device in Devices.All)
        {
            Assert.Contains(device.Id + "\n", text, StringComparison.Ordinal);
            Assert.Contains(device.Name, text, StringComparison.Ordinal);
        }
        foreach (var backend in Devices.Backends.Where(b => !b.IsAvailable))
        {
            Assert.Contains(backend.Reason!, text, StringComparison.Ordinal);
        }
        Assert.Contains("max group size", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DevicesListsEveryRefusedDeviceWithIlgpusReason()
    {
        var output = new StringWriter();
        DevicesCommand.Print(output);
        string text = output.ToString();
        foreach (var refused in Devices.Refused)
        {
            Assert.Contains(refused.Name, text, StringComparison.Ordinal);
            Assert.Contains(refused.Reason, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void KernelsListNamesEveryKernelWithItsFamily()
    {
        var output = new StringWriter();
        Assert.Equal(0, KernelsCommand.List(output));
        string text = output.ToString();
        Assert.Contains(KernelCatalog.All, k => k.Name == "TiledGemmKernels.TiledGemm" && k.Family == KernelFamily.Ilgpu);
        Assert.Contains(KernelCatalog.All, k => k.Name == "PanelGemmCpu.MultiplyBiasGrouped" && k.Family == KernelFamily.Cpu);
        foreach (var kernel in KernelCatalog.All)
        {
            Assert.Contains($"{kernel.Family,-7} {kernel.Name}", text, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Every ILGPU kernel compiles, without a device, to PTX for SM_80 and SM_90 and to OpenCL C 2.0 and 3.0 (what CI
    /// checks with <c>hilo kernels dump</c>), and the files hold ILGPU's code.
    /// </summary>
    [Fact]
    public void KernelsDumpWritesPtxAndOpenCLForEveryIlgpuKernel()
    {
        string dir = Path.Combine(Path.GetTempPath(), "hilo-dump-" + Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();
            int rc = KernelsCommand.Dump(dir, output);
            Assert.True(rc == 0, output.ToString());
            var kernels = KernelCatalog.Ilgpu.ToList();
            Assert.True(kernels.Count >= 15, $"only {kernels.Count} ILGPU kernels found");
            foreach (var kernel in kernels)
            {
                foreach (string target in new[] { "sm_80", "sm_90" })
                {
                    string ptx = File.ReadAllText(Path.Combine(dir, $"{kernel.Name}.{target}.ptx"));
                    Assert.Contains(".entry", ptx, StringComparison.Ordinal);
                    Assert.Contains(".target sm_", ptx, StringComparison.Ordinal);
                }
                foreach (string target in new[] { "cl20", "cl30" })
                {
                    string cl = File.ReadAllText(Path.Combine(dir, $"{kernel.Name}.{target}.cl"));
                    Assert.Contains("kernel", cl, StringComparison.Ordinal);
                }
            }
            Assert.Equal(4 * kernels.Count, Directory.GetFiles(dir).Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void KernelsDumpRefusesAFileForTheDirectory()
    {
        string file = Path.GetTempFileName();
        try
        {
            Assert.Equal(2, KernelsCommand.Dump(file, new StringWriter()));
            Assert.Equal(0, new FileInfo(file).Length);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>Every failure of the <c>hilo</c> command ends in one <c>error:</c> line and exit code 1, never a stack trace (unless <c>--verbose</c>).</summary>
public class CliErrorTests
{
    private static (int Code, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = HiloCli.Run(args, output, error);
        return (code, error.ToString());
    }

    [Theory]
    [InlineData("Unknown device 'foo'", "check", "-d", "foo")]
    [InlineData("--runs must be at least 1", "check", "--runs", "0")]
    [InlineData("a size is too large", "infer", "--model", "litv2-s", "--random-weights", "--benchmark", "1", "-b", "1000000000", "--device", "cpu")]
    public void FailuresAreOneErrorLineWithoutAStackTrace(string expected, params string[] args)
    {
        var (code, error) = Run(args);
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        var (code, error) = Run("infer", "--model", "litv2-s", "--random-weights", "--benchmark", "1", "-b", "1000000000", "--device", "cpu", "--verbose");
        Assert.Equal(1, code);
        Assert.Contains("OverflowException", error, StringComparison.Ordinal);
        Assert.Contains("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonNumberIsCalledThatNotANullableInt32()
    {
        var (code, error) = Run("infer", "--model", "litv2-s", "--random-weights", "--benchmark", "1", "-b", "abc");
        Assert.NotEqual(0, code);
        Assert.Contains("'abc' is not a whole number", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Nullable", error, StringComparison.Ordinal);
    }
}
