using System.Diagnostics;
using System.Globalization;
using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Tests.Imaging;

/// <summary>
/// Seeded, time-bounded fuzzing of the image decoders (PNG, JPEG, GIF, WebP, BMP; <see cref="ImageMutations"/>): every
/// mutated file must decode to an image of the size its header states or be refused with the file's
/// <see cref="ImageDecodeException"/> — never another exception, a hang, or unbounded memory. The decoders allocate
/// native memory that the GC does not see, so the bound is on the whole process: the rounds run in a child process
/// (this test assembly, running only <see cref="FuzzInThisProcess"/>) whose peak resident set (VmHWM) is the figure.
/// HILO_FUZZ_SCALE=N runs N times the rounds and time, with other seeds.
/// </summary>
public sealed class ImageFuzzTests
{
    private static readonly int Scale =
        int.TryParse(Environment.GetEnvironmentVariable("HILO_FUZZ_SCALE"), out int scale) && scale > 0 ? scale : 1;

    /// <summary>The limits the rounds decode under: a mutated header may ask for up to 4 megapixels.</summary>
    private static readonly ImageLimits Limits = new() { MaxPixels = 4_000_000, MaxSide = 8192, MaxFileBytes = 1 << 20 };

    /// <summary>
    /// The most the child process may reach, resident, at its peak: the test host and runtime (about 120 MB measured),
    /// the largest image a mutated header may ask for (4 MP: 16 MB RGBA + 12 MB RGB), and room for garbage not yet
    /// collected. The GIF reached 6 GB.
    /// </summary>
    private const long MaxPeakBytes = 400L << 20;

    /// <summary>A single file taking longer than this is a hang.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static readonly (string Fixture, string Format)[] Seeds =
    [
        ("rgb_317x251.png", "png"), ("rgba_160x120.png", "png"), ("rgb16_120x90.png", "png"),
        ("cat_420.jpg", "jpeg"), ("astronaut_progressive.jpg", "jpeg"), ("astronaut_gray.jpg", "jpeg"),
        ("animated_rect.gif", "gif"), ("palette_150x110.gif", "gif"),
        ("lossless_100x80.webp", "webp"), ("animated.webp", "webp"),
        ("rgb_90x70.bmp", "bmp"),
    ];

    [Fact]
    public async Task Mutated_images_fail_cleanly_with_bounded_process_memory()
    {
        string[] figures = await ChildTestProcess.RunAsync(typeof(ImageFuzzTests), nameof(FuzzInThisProcess), TimeSpan.FromSeconds(90 + 30 * Scale));
        long rounds = long.Parse(figures[0], CultureInfo.InvariantCulture), peak = long.Parse(figures[1], CultureInfo.InvariantCulture);
        TestContext.Current.TestOutputHelper?.WriteLine($"{rounds} mutated image(s) in a child process; its peak resident memory {peak / (1 << 20)} MiB (at most {MaxPeakBytes / (1 << 20)} MiB)");
        Assert.True(rounds >= Seeds.Length, $"only {rounds} round(s)");
        Assert.True(peak <= MaxPeakBytes, $"the fuzzing process peaked at {peak:N0} bytes resident (at most {MaxPeakBytes:N0})");
    }

    /// <summary>The rounds themselves: run only by the test above, in its child process (explicit: not in a normal run).</summary>
    [Fact(Explicit = true)]
    public void FuzzInThisProcess()
    {
        using var dir = new Hilo.Ilgpu.Tests.IO.TempDirectory();
        var timer = Stopwatch.StartNew();
        long rounds = 0;
        double seconds = 15.0 * Scale;
        while (timer.Elapsed.TotalSeconds < seconds)
        {
            foreach (var (fixture, format) in Seeds)
            {
                var random = new Random(HashCode.Combine(fixture.Length, rounds, Scale) & int.MaxValue);
                byte[] original = File.ReadAllBytes(Path.Combine(ImageFixtureCase.Folder, fixture));
                string path = dir.File($"fuzz_{rounds % 8}{Path.GetExtension(fixture)}");
                File.WriteAllBytes(path, ImageMutations.Mutate(original, format, random));
                Survives(path, $"{fixture} round {rounds}");
                rounds++;
            }
        }
        ChildTestProcess.Report(rounds, ChildTestProcess.PeakResidentBytes());
    }

    private static void Survives(string path, string what)
    {
        Exception? escaped = null;
        var worker = new Thread(() =>
        {
            try
            {
                var info = ImageFile.Identify(path, Limits);
                var image = ImageFile.Load(path, Limits);
                Assert.Equal((info.Width, info.Height), (image.Width, image.Height));
                Assert.Equal(3L * image.Width * image.Height, image.Pixels.LongLength);
            }
            catch (ImageDecodeException e) when (e.Path == path)
            {
                // The documented way to fail, naming the file.
            }
            catch (Exception e)
            {
                escaped = e;
            }
        }, 16 << 20);
        worker.Start();
        Assert.True(worker.Join(Deadline), $"{what}: still decoding after {Deadline.TotalSeconds} s (a hang)");
        Assert.True(escaped is null, $"{what}: {escaped?.GetType().Name} escaped: {escaped}");
    }
}
