using Hilo.Ilgpu.Cli;

namespace Hilo.Ilgpu.Tests.Cli;

// One collection with KernelCodeTests: the two compile every kernel for every target, not at once.
[Collection(Hilo.Ilgpu.Tests.Kernels.KernelCodeTests.DumpCollection)]
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
            Assert.Equal(1, KernelsCommand.Dump(file, new StringWriter(), new StringWriter()));
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
    [InlineData("more than 32-bit indexing allows", "infer", "--model", "litv2-s", "--random-weights", "--benchmark", "1", "-b", "1000000000", "--device", "cpu")]
    [InlineData("hilo: a batch of 20000 map(s) of 14×14×768 needs a tensor of", "compare", "-b", "20000", "-r", "1", "--devices", "cpu")]
    [InlineData("litv2-s: a batch of 2000 image(s) of 224×224 needs a tensor of", "compare", "-p", "model", "-m", "litv2-s", "-b", "2000", "--devices", "cpu")]
    [InlineData("more than 32-bit indexing allows", "tune", "-m", "litv2-s", "-b", "1000000000", "-d", "cpu")]
    [InlineData("more than 32-bit indexing allows", "plan", "-m", "litv2-s", "-d", "cpu", "-b", "1000000000")]
    [InlineData("image-size must be in [29, 16384] pixels, got 100000", "plan", "-m", "litv2-s", "-d", "cpu", "--image-size", "100000")]
    [InlineData("a batch of 16 image(s) of 10000×10000 needs a tensor of", "plan", "-m", "litv2-s", "-d", "cpu", "--image-size", "10000")]
    [InlineData("larger than a config file may be (65536 bytes)", "infer", "--model", "/dev/zero", "--random-weights", "--benchmark", "1")]
    public void FailuresAreOneErrorLineWithoutAStackTrace(string expected, params string[] args)
    {
        var (code, error) = Run(args);
        Assert.Equal(1, code);
        // Progress lines may come first (plan prints what it is planning); the error is the one last line.
        string last = error.TrimEnd().Split('\n')[^1];
        Assert.StartsWith("error: ", last, StringComparison.Ordinal);
        Assert.Contains(expected, last, StringComparison.Ordinal);
        Assert.Single(error.Split('\n'), line => line.StartsWith("error: ", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void VerboseAddsTheStackTraceOfAnUnexpectedError()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("boom");
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }
        var quiet = new StringWriter();
        Assert.Equal(1, TopLevelErrors.Report(thrown, verbose: false, quiet));
        Assert.Equal("error: InvalidOperationException: boom\n(run with --verbose for the stack trace)\n", quiet.ToString().Replace("\r", "", StringComparison.Ordinal));
        var verbose = new StringWriter();
        Assert.Equal(1, TopLevelErrors.Report(thrown, verbose: true, verbose));
        Assert.Contains("   at ", verbose.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ExpectedErrorsAreOneLineAndTheSizeErrorsComeAtOnce()
    {
        // Refused before the model is built or a byte of the batch is allocated: well under the seconds a build takes.
        var timer = System.Diagnostics.Stopwatch.StartNew();
        var (code, error) = Run("infer", "--model", "litv2-s", "--random-weights", "--benchmark", "1", "-b", "1000000000", "--device", "cpu", "--verbose");
        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(30));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void AnUnwritableOutputIsFoundBeforeInferenceAndNamedAsGiven()
    {
        // As root, permission bits do not stop writes; /sys is read-only for everyone. Skip where neither works.
        using var dir = new IO.TempDirectory();
        string readOnly = dir.File("ro");
        Directory.CreateDirectory(readOnly);
        File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        string? folder = !CanCreateIn(readOnly) ? readOnly : Directory.Exists("/sys") && !CanCreateIn("/sys") ? "/sys" : null;
        Assert.SkipWhen(folder is null, $"no unwritable folder on this machine ({readOnly} and /sys are writable)");
        string target = Path.Combine(folder!, "hilo-logits.npy");
        var (code, error) = Run("infer", "--model", "litv2-s", "--random-weights", "--benchmark", "1", "--output", target, "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Contains($"cannot write {target}", error, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", error, StringComparison.Ordinal);
        Assert.DoesNotContain("first pass", error, StringComparison.Ordinal); // nothing ran
        File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static bool CanCreateIn(string directory)
    {
        string probe = Path.Combine(directory, $".hilo-probe-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [Fact]
    public void AWindowLargerThanItsMapIsRefusedByInferAndPlanAlike()
    {
        using var dir = new IO.TempDirectory();
        string config = dir.File("ws.json");
        File.WriteAllText(config, """{"embed_dim": 96, "depths": [2, 2, 6, 2], "num_heads": [3, 6, 12, 24], "local_ws": [0, 0, 40, 1]}""");
        const string expected = "'local_ws' entry 2 (stage 3) is 40, larger than the stage's 14×14 token map at 224×224 pixels";
        var infer = Run("infer", "--model", config, "--random-weights", "--benchmark", "1", "--device", "cpu");
        var plan = Run("plan", "--model", config, "--device", "cpu", "-b", "1", "--runs", "1");
        Assert.Equal(1, infer.Code);
        Assert.Equal(1, plan.Code);
        Assert.Contains(expected, infer.Error, StringComparison.Ordinal);
        Assert.Contains(expected, plan.Error, StringComparison.Ordinal);
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
