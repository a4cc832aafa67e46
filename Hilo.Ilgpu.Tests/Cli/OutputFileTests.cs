using Hilo.Ilgpu.Cli;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Tests.Imaging;
using Hilo.Ilgpu.Tests.Models;

namespace Hilo.Ilgpu.Tests.Cli;

/// <summary>
/// Where outputs go (docs/errors.md, "Outputs"): a regular file is replaced whole; a character device, a FIFO or a
/// descriptor (<c>/proc/self/fd/N</c>) is written straight through and never replaced (a write error such as
/// <c>/dev/full</c>'s is an error); a symbolic link is followed and kept; an output that is one of the command's inputs
/// (by device and inode: through a link or a hard link too) or another output is refused before any work; an
/// unwritable folder is found before a benchmark, plan or tuning runs. As root in CI: the device cases use private
/// nodes made with mknod (1 3 as /dev/null, 1 7 as /dev/full), never the machine's own; file kinds are checked with stat(1).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OutputFileTests : IDisposable
{
    private readonly IO.TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private string Copy(string source, string name)
    {
        string path = dir.File(name);
        File.Copy(source, path);
        return path;
    }

    private static InferOptions Tiny(string weights, string output) => new()
    {
        Model = Litv2TestData.PathOf("tiny_config.json"),
        Weights = weights,
        Input = Litv2TestData.PathOf("input_32x32.npy"),
        Output = output,
        Device = "cpu",
    };

    private static (int Code, string Out, string Err) Infer(InferOptions options)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = InferCommand.Run(options, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static void AssertRefusedBeforeWork(int code, string err, string expected)
    {
        Assert.Equal(1, code);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOutputThatIsTheWeightsIsRefusedByIdentityBeforeAnyWork()
    {
        string weights = Copy(Litv2TestData.PathOf("tiny_bare.pth"), "w.pth");
        byte[] before = File.ReadAllBytes(weights);
        string link = dir.File("link.pth"), hard = dir.File("hard.pth"), dotted = Path.Combine(dir.Path, ".", "w.pth");
        File.CreateSymbolicLink(link, "w.pth");
        SpecialFiles.MakeHardLink(weights, hard);
        foreach (string output in new[] { weights, dotted, link, hard })
        {
            var (code, _, err) = Infer(Tiny(weights, output));
            AssertRefusedBeforeWork(code, err, $"--output {output} is the --weights file");
            Assert.Contains("refusing to overwrite an input of this command", err, StringComparison.Ordinal);
        }
        Assert.Equal(before, File.ReadAllBytes(weights));
        Assert.Equal("w.pth", new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void AnOutputThatIsTheInputArrayOrTheConfigIsRefused()
    {
        string input = Copy(Litv2TestData.PathOf("input_32x32.npy"), "in.npy");
        string config = Copy(Litv2TestData.PathOf("tiny_config.json"), "tiny_config.json");
        var (code, _, err) = Infer(Tiny(Litv2TestData.PathOf("tiny_bare.pth"), input) with { Input = input });
        AssertRefusedBeforeWork(code, err, $"--output {input} is the --input file");
        (code, _, err) = Infer(Tiny(Litv2TestData.PathOf("tiny_bare.pth"), config) with { Model = config });
        AssertRefusedBeforeWork(code, err, $"--output {config} is the --model config");
    }

    private ClassifyOptions Classify(params string[] images) => new()
    {
        Images = images,
        Model = Litv2TestData.PathOf("tiny_config.json"),
        Weights = Litv2TestData.PathOf("tiny_bare.pth"),
        Device = "cpu",
        Batch = 2,
        Top = 2,
    };

    private static (int Code, string Out, string Err) Run(ClassifyOptions options, TextWriter? output = null)
    {
        output ??= new StringWriter();
        var error = new StringWriter();
        int code = ClassifyCommand.Run(options, output, error);
        return (code, output.ToString()!, error.ToString());
    }

    [Fact]
    public void ClassifyRefusesAJsonOutputThatIsOneOfItsImages()
    {
        string a = Copy(Path.Combine(ImageFixtureCase.Folder, "rgb_317x251.png"), "a.png");
        string b = Copy(Path.Combine(ImageFixtureCase.Folder, "photo_300x400.jpg"), "b.jpg");
        byte[] before = File.ReadAllBytes(b);
        var (code, _, err) = Run(Classify(a, b) with { Json = b });
        AssertRefusedBeforeWork(code, err, $"--json {b} is an input image");
        Assert.Equal(before, File.ReadAllBytes(b));
    }

    [Fact]
    public void ClassifyRefusesAnExplainPictureThatWouldReplaceAnInputImage()
    {
        // x.png's Hi-Fi picture is x.hifi.png, which is also an input here.
        string x = Copy(Path.Combine(ImageFixtureCase.Folder, "rgb_317x251.png"), "x.png");
        string hifi = Copy(Path.Combine(ImageFixtureCase.Folder, "rgb_317x251.png"), "x.hifi.png");
        var (code, _, err) = Run(Classify(x, hifi) with { Explain = dir.Path });
        AssertRefusedBeforeWork(code, err, $"--explain {hifi} is an input image");
    }

    [Fact]
    public void TwoOutputsOfOneFileAreRefused()
    {
        string image = Path.Combine(ImageFixtureCase.Folder, "rgb_317x251.png");
        string json = dir.File("out.txt");
        var (code, _, err) = Run(Classify(image) with { Json = json, Csv = Path.Combine(dir.Path, ".", "out.txt") });
        AssertRefusedBeforeWork(code, err, "and --json " + json + " are the same file");
        Assert.False(File.Exists(json));
    }

    [Fact]
    public void ExplainOptionsAreNamedAsOnTheCommandLine()
    {
        string image = Path.Combine(ImageFixtureCase.Folder, "rgb_317x251.png");
        var (code, _, err) = Run(Classify(image) with { Explain = dir.File("pictures"), ExplainStage = 2 });
        AssertRefusedBeforeWork(code, err, "--explain-stage is 2; tiny_config has HiLo blocks in stages 3 and 4 (1-based).");
        (code, _, err) = Run(Classify(image) with { Explain = dir.File("pictures"), ExplainHead = 7 });
        AssertRefusedBeforeWork(code, err, "--explain-head is 7; block 0 of stage 3 has 1 Hi-Fi head: 0..0 (--explain-hifi-head chooses the Hi-Fi head on its own).");
        Assert.DoesNotContain("ExplainOptions", err, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", err, StringComparison.Ordinal);
        Assert.DoesNotContain("HiFiHead", err, StringComparison.Ordinal);
    }

    /// <summary>A private character device (mknod, as root), or null where this process may not make one.</summary>
    private string? Device(string name, int minor)
    {
        string path = dir.File(name);
        return SpecialFiles.TryMakeCharDevice(path, 1, minor) ? path : null;
    }

    private const string CharacterDevice = "character special file";

    [Fact]
    public void AFullDeviceIsWrittenThroughAndItsErrorIsAnError()
    {
        string? full = Device("full", 7);
        Assert.SkipWhen(full is null, "mknod is not allowed here (not root)");
        var (code, _, err) = Infer(Tiny(Litv2TestData.PathOf("tiny_bare.pth"), full));
        Assert.Equal(1, code);
        Assert.Contains($"error: cannot write {full}: No space left on device", err, StringComparison.Ordinal);
        Assert.Equal(CharacterDevice, SpecialFiles.KindOf(full!));
    }

    [Fact]
    public void ANullDeviceStaysADevice()
    {
        string? nul = Device("null", 3);
        Assert.SkipWhen(nul is null, "mknod is not allowed here (not root)");
        var (code, _, err) = Infer(Tiny(Litv2TestData.PathOf("tiny_bare.pth"), nul!));
        Assert.True(code == 0, err);
        Assert.Contains($"wrote logits [2, 10] to {nul}", err, StringComparison.Ordinal);
        Assert.Equal(CharacterDevice, SpecialFiles.KindOf(nul!));
        Assert.Equal([dir.File("null")], Directory.GetFileSystemEntries(dir.Path)); // no temporary file beside it
    }

    [Fact]
    public void StdoutOnAFullDeviceIsAnErrorNamingTheStandardOutput()
    {
        string? full = Device("full", 7);
        Assert.SkipWhen(full is null, "mknod is not allowed here (not root)");
        var stdout = new StreamWriter(new FileStream(full!, FileMode.Open, FileAccess.Write));
        var (code, _, err) = Run(Classify(Path.Combine(ImageFixtureCase.Folder, "rgb_317x251.png")) with { Json = "-" }, stdout);
        Assert.Equal(1, code);
        Assert.Contains("error: cannot write the standard output: No space left on device", err, StringComparison.Ordinal);
        // What the writer still holds cannot be written either.
        Assert.Throws<IOException>(stdout.Dispose);
    }

    [Fact]
    public async Task AFifoIsWrittenThroughToItsReader()
    {
        string fifo = dir.File("logits.fifo");
        SpecialFiles.MakeFifo(fifo);
        var reader = Task.Run(() => File.ReadAllBytes(fifo), TestContext.Current.CancellationToken);
        var (code, _, err) = SpecialFiles.Within(TimeSpan.FromMinutes(2), () => Infer(Tiny(Litv2TestData.PathOf("tiny_bare.pth"), fifo)));
        Assert.True(code == 0, err);
        byte[] bytes = await reader.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var logits = NpyFile.Read(new MemoryStream(bytes), "fifo");
        Assert.True(Litv2TestData.MaxAbsDiff(logits.Data, Litv2TestData.Logits("32x32").Data) <= 1e-4);
        Assert.Equal("fifo", SpecialFiles.KindOf(fifo));
    }

    [Fact]
    public void ASymbolicLinkIsFollowedAndKept()
    {
        string target = dir.File("target.csv");
        File.WriteAllText(target, "old");
        string link = dir.File("link.csv"), dangling = dir.File("dangling.csv");
        File.CreateSymbolicLink(link, target);
        File.CreateSymbolicLink(dangling, "made.csv");
        var (code, _, err) = Run(Classify(Path.Combine(ImageFixtureCase.Folder, "rgb_317x251.png")) with { Csv = link, Json = dangling });
        Assert.True(code == 0, err);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.StartsWith("path,rank,class", File.ReadAllText(target), StringComparison.Ordinal);
        Assert.Equal("made.csv", new FileInfo(dangling).LinkTarget);
        Assert.StartsWith("{", File.ReadAllText(dir.File("made.csv")), StringComparison.Ordinal);
        // Nothing else: no temporary file left, no file named after the links.
        Assert.Equal(["dangling.csv", "link.csv", "made.csv", "target.csv"],
            Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ADescriptorPathIsAppendedToNotReplaced()
    {
        // `hilo infer … -o /dev/stdout >> log`: the shell's file keeps its inode and what it held.
        string log = dir.File("log.bin");
        File.WriteAllText(log, "HEAD");
        string inode = SpecialFiles.IdentityOf(log);
        using (var open = new FileStream(log, FileMode.Append, FileAccess.Write))
        {
            string descriptor = $"/proc/self/fd/{open.SafeFileHandle.DangerousGetHandle()}";
            var (code, _, err) = Infer(Tiny(Litv2TestData.PathOf("tiny_bare.pth"), descriptor));
            Assert.True(code == 0, err);
        }
        byte[] bytes = File.ReadAllBytes(log);
        Assert.Equal("HEAD"u8.ToArray(), bytes[..4]);
        Assert.Equal(0x93, bytes[4]);
        Assert.Equal(inode, SpecialFiles.IdentityOf(log));
        var logits = NpyFile.Read(new MemoryStream(bytes[4..]), "log");
        Assert.Equal([2, 10], logits.Shape);
    }

    /// <summary>A folder this process cannot write: a read-only one (non-root), else /sys (read-only for root too).</summary>
    private string? UnwritableFolder()
    {
        string readOnly = dir.File("ro");
        Directory.CreateDirectory(readOnly);
        File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        foreach (string folder in new[] { readOnly, "/sys" })
        {
            try
            {
                File.WriteAllBytes(Path.Combine(folder, ".probe"), []);
                File.Delete(Path.Combine(folder, ".probe"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return folder;
            }
        }
        return null;
    }

    [Fact]
    public void CompareIntoAnUnwritableFolderFailsBeforeMeasuring()
    {
        string? folder = UnwritableFolder();
        Assert.SkipWhen(folder is null, "no unwritable folder on this machine");
        foreach (var options in new CompareOptions[]
        {
            new() { Devices = "cpu", Runs = 1, Warmup = 0, Batch = 1, Json = Path.Combine(folder!, "r.json") },
            new() { Devices = "cpu", Runs = 1, Warmup = 0, Batch = 1, Csv = Path.Combine(folder!, "r.csv") },
            new() { Devices = "cpu", Runs = 1, Warmup = 0, Batch = 1, Html = Path.Combine(folder!, "r.html") },
            new() { Devices = "cpu", Runs = 1, Warmup = 0, Batch = 1, Chart = Path.Combine(folder!, "r.png") },
        })
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = CompareCommand.Run(options, output, error);
            AssertRefusedBeforeWork(code, error.ToString(), $"cannot write {folder}/r.");
            Assert.Empty(output.ToString());
        }
    }

    [Fact]
    public void PlanIntoAnUnwritableFolderFailsBeforePlanning()
    {
        string? folder = UnwritableFolder();
        Assert.SkipWhen(folder is null, "no unwritable folder on this machine");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = PlanCommand.Run(new PlanCommandOptions { Model = "litv2-s", Device = "cpu", Json = Path.Combine(folder!, "plan.json"), Runs = 1, Batch = 1, ImageSize = 64 }, output, error);
        AssertRefusedBeforeWork(code, error.ToString(), $"cannot write {folder}/plan.json");
    }

    [Fact]
    public void TuneIntoAnUnwritableCacheFailsBeforeMeasuring()
    {
        string? folder = UnwritableFolder();
        Assert.SkipWhen(folder is null, "no unwritable folder on this machine");
        foreach (string cache in new[] { Path.Combine(folder!, "tuning.json"), Path.Combine(folder!, "sub", "tuning.json") })
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = TuneCommand.Run(new TuneOptions { Devices = ["cpu"], Protocol = "attention", Batch = 1, Cache = cache }, output, error);
            AssertRefusedBeforeWork(code, error.ToString(), "cannot write ");
            Assert.Contains(cache, error.ToString(), StringComparison.Ordinal);
            Assert.Empty(output.ToString());
            code = TuneCommand.Run(new TuneOptions { Clear = true, Cache = cache }, output, error);
            Assert.Equal(1, code);
        }
    }

    [Fact]
    public void TuningThatCannotSaveIsAnError()
    {
        // A cache of another version is left as it is, never overwritten: tuning into it saved nothing, yet exited 0.
        string cache = dir.File("other-version.json");
        const string Other = """{"format": "hilo-tuning-cache", "version": 99, "entries": []}""";
        File.WriteAllText(cache, Other);
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TuneCommand.Run(new TuneOptions { Devices = ["cpu"], Protocol = "attention", Batch = 1, Cache = cache }, output, error,
            s => s with { MapSide = 4, Dim = 32, Heads = 4, LocalWindow = 2, ImageSize = 32 });
        Assert.Equal(1, code);
        string last = error.ToString().TrimEnd().Split('\n')[^1];
        Assert.StartsWith("error: the choices above were not saved: ", last, StringComparison.Ordinal);
        Assert.Equal(Other, File.ReadAllText(cache));
    }
}
