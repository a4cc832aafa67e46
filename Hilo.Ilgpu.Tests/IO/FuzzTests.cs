using System.Text;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Tests.Models;
using static Hilo.Ilgpu.Tests.IO.CheckpointFixtures;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary>
/// Seeded fuzzing of every reader of untrusted files: checkpoints (.pth zip and pickle, .safetensors, with and without
/// the model's schema), .npy and CONFIG.json. Every mutated input must end in a result or in the reader's documented
/// exception (<see cref="CheckpointException"/> and its subclasses for weights and .npy, <see cref="Litv2ConfigException"/>
/// for configs) — never another exception type, a hang (each input runs under a deadline) or unbounded memory (each
/// input's allocations are bounded). Every case stops after <see cref="CaseSeconds"/>, so the whole class stays under a
/// minute in CI; HILO_FUZZ_SCALE=N runs N times the rounds and time, with other seeds, for a longer local search.
/// </summary>
public class FuzzTests
{
    private static readonly int Scale =
        int.TryParse(Environment.GetEnvironmentVariable("HILO_FUZZ_SCALE"), out int scale) && scale > 0 ? scale : 1;

    /// <summary>Seconds each case may fuzz (its rounds stop early when this runs out): 12 cases, under a minute in all.</summary>
    private static double CaseSeconds => 3.5 * Scale;

    /// <summary>A single input taking longer than this is a hang.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>The loads run with a small materialisation limit, so the memory bound below can be tight.</summary>
    private static readonly CheckpointLimits Limits = CheckpointLimits.Default with { MaxMaterializedBytes = 16L << 20 };

    /// <summary>Most bytes one input may allocate: the materialisation limit, twice over, and room for parsing.</summary>
    private const long MaxAllocatedBytes = 2 * (16L << 20) + (32L << 20);

    private static byte[] Mutate(byte[] original, Random random)
    {
        byte[] bytes = (byte[])original.Clone();
        int edits = random.Next(1, 9);
        for (int i = 0; i < edits; i++)
        {
            int at = random.Next(bytes.Length);
            bytes[at] = random.Next(4) switch
            {
                0 => (byte)random.Next(256),
                1 => (byte)(bytes[at] ^ (1 << random.Next(8))),
                2 => 0xff,
                _ => 0,
            };
        }
        return random.Next(5) == 0 ? bytes[..random.Next(bytes.Length)] : bytes;
    }

    /// <summary>
    /// Runs <paramref name="load"/> on a thread of its own under <see cref="Deadline"/>, measuring what it allocates;
    /// fails on a hang, on too much memory, or on an exception that <paramref name="documented"/> does not accept.
    /// </summary>
    private static void Survives(Action load, string what, Func<Exception, bool> documented)
    {
        Exception? escaped = null;
        long allocated = 0;
        var worker = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                load();
            }
            catch (Exception e) when (documented(e))
            {
                // The expected way to fail.
            }
            catch (Exception e)
            {
                escaped = e;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, 16 << 20);
        worker.Start();
        Assert.True(worker.Join(Deadline), $"{what}: still running after {Deadline.TotalSeconds} s (a hang)");
        Assert.True(escaped is null, $"{what}: {escaped?.GetType().Name} escaped: {escaped}");
        Assert.True(allocated <= MaxAllocatedBytes, $"{what}: allocated {allocated:N0} bytes (at most {MaxAllocatedBytes:N0})");
    }

    private static bool IsCheckpointError(Exception e) => e is CheckpointException;

    /// <summary>Runs up to <paramref name="rounds"/> rounds of <paramref name="round"/>, stopping when the case's time is up.</summary>
    private static int Fuzz(int rounds, Action<int> round)
    {
        var timer = System.Diagnostics.Stopwatch.StartNew();
        int done = 0;
        for (; done < rounds * Scale && timer.Elapsed.TotalSeconds < CaseSeconds; done++)
        {
            round(done);
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{done} round(s) in {timer.Elapsed.TotalSeconds:0.0} s");
        Assert.True(done > 0);
        return done;
    }

    [Theory]
    [InlineData("bare.pt", 1500)]
    [InlineData("wrapped.pt", 1000)]
    [InlineData("views.pt", 1000)]
    [InlineData("tiny.safetensors", 2000)]
    [InlineData("mixed.safetensors", 1500)]
    public void Mutated_files_fail_cleanly(string fixture, int rounds)
    {
        byte[] original = File.ReadAllBytes(PathOf(fixture));
        var random = new Random(fixture.Length * 7919 + Scale);
        using var dir = new TempDirectory();
        string path = dir.File(fixture);
        Fuzz(rounds, i =>
        {
            File.WriteAllBytes(path, Mutate(original, random));
            Survives(() => CheckpointLoader.Load(path, Limits), $"{fixture} round {i}", IsCheckpointError);
        });
    }

    [Theory]
    [InlineData("bare.pt", "bare", 3000)]
    [InlineData("wrapped.pt", "wrapped", 2000)]
    [InlineData("protocol5.pt", "protocol5", 2000)]
    public void Mutated_pickles_fail_cleanly(string fixture, string root, int rounds)
    {
        // Mutate only data.pkl and rebuild a valid zip around it, so every round reaches the unpickler.
        var entries = TorchZipBuilder.ReadEntries(PathOf(fixture));
        byte[] pickle = entries[$"{root}/data.pkl"];
        var random = new Random(rounds + Scale);
        using var dir = new TempDirectory();
        string path = dir.File("fuzz.pt");
        Fuzz(rounds, i =>
        {
            entries[$"{root}/data.pkl"] = Mutate(pickle, random);
            using (var zip = TorchZipBuilder.Rebuild(entries))
            {
                File.WriteAllBytes(path, zip.ToArray());
            }
            Survives(() => CheckpointLoader.Load(path, Limits), $"{fixture} pickle round {i}", IsCheckpointError);
        });
    }

    /// <summary>The model's path: a mutated LITv2 checkpoint read against the model's schema (keys and shapes first).</summary>
    [Fact]
    public void Mutated_model_checkpoints_fail_cleanly_against_the_schema()
    {
        var device = ComputeDevice.Open("cpu");
        using (device)
        {
            using var model = new Litv2Model(device, Litv2TestData.Tiny);
            var schema = model.Schema(model.Architecture);
            byte[] original = File.ReadAllBytes(Litv2TestData.PathOf("tiny_bare.pth"));
            var random = new Random(29 + Scale);
            using var dir = new TempDirectory();
            string path = dir.File("tiny.pth");
            Fuzz(1500, i =>
            {
                File.WriteAllBytes(path, Mutate(original, random));
                Survives(() => model.LoadStateDict(CheckpointLoader.Load(path, Limits, schema)), $"tiny.pth round {i}", IsCheckpointError);
            });
        }
    }

    [Fact]
    public void Mutated_npy_files_fail_cleanly()
    {
        byte[] original = File.ReadAllBytes(PathOf("input.npy"));
        var random = new Random(11 + Scale);
        Fuzz(2000, i =>
        {
            byte[] bytes = Mutate(original, random);
            Survives(() => NpyFile.Read(new MemoryStream(bytes), "fuzz.npy", Limits), $"npy round {i}", IsCheckpointError);
        });
    }

    /// <summary>
    /// Configs: byte mutations of the fixture (broken JSON, odd characters, invalid UTF-8) and value mutations (each
    /// number replaced by a random, often huge or negative one), read from a file as <c>hilo infer -m</c> does.
    /// </summary>
    [Fact]
    public void Mutated_configs_fail_cleanly()
    {
        string text = File.ReadAllText(Litv2TestData.PathOf("tiny_config.json"));
        byte[] original = Encoding.UTF8.GetBytes(text);
        var random = new Random(41 + Scale);
        using var dir = new TempDirectory();
        string path = dir.File("config.json");
        string[] values = ["0", "-1", "1", "3", "1e9", "2147483647", "2147483648", "99999999999999999999", "1.5", "-0", "null", "[]", "{}", "\"7\"", "true", "1e-400", "1e400"];
        int valid = 0;
        Fuzz(3000, i =>
        {
            byte[] bytes = i % 2 == 0
                ? Mutate(original, random)
                : Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Replace(text, "-?[0-9][0-9.e+-]*",
                    m => random.Next(3) == 0 ? values[random.Next(values.Length)] : m.Value));
            File.WriteAllBytes(path, bytes);
            Survives(() =>
            {
                var config = Litv2ConfigJson.Read(path);
                valid++;
                // A config that reads is within the documented bounds.
                Assert.InRange(config.ApproximateParameterCount, 0, Litv2ConfigLimits.MaxParameters);
                Assert.All(config.Depths, d => Assert.InRange(d, 0, Litv2ConfigLimits.MaxDepth));
            }, $"config round {i}", e => e is Litv2ConfigException);
        });
        TestContext.Current.TestOutputHelper?.WriteLine($"{valid} mutated config(s) were valid");
    }
}
