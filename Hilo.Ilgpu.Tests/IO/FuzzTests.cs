using Hilo.Ilgpu.IO;
using static Hilo.Ilgpu.Tests.IO.CheckpointFixtures;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary>
/// Mutated files must either load or fail with <see cref="CheckpointFormatException"/>; any other
/// exception type (IndexOutOfRange, NullReference, InvalidCast, OutOfMemory…) fails the test.
/// </summary>
public class FuzzTests
{
    // HILO_FUZZ_SCALE=N runs N times as many rounds (with other seeds) for a longer local search.
    private static readonly int Scale =
        int.TryParse(Environment.GetEnvironmentVariable("HILO_FUZZ_SCALE"), out int scale) && scale > 0 ? scale : 1;

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

    private static void Survives(Action load, string what)
    {
        try
        {
            load();
        }
        catch (CheckpointFormatException)
        {
            // The expected way to fail.
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} escaped: {e}");
        }
    }

    [Theory]
    [InlineData("bare.pt", 300)]
    [InlineData("wrapped.pt", 200)]
    [InlineData("views.pt", 200)]
    [InlineData("tiny.safetensors", 400)]
    [InlineData("mixed.safetensors", 300)]
    public void Mutated_files_fail_cleanly(string fixture, int rounds)
    {
        byte[] original = File.ReadAllBytes(PathOf(fixture));
        var random = new Random(fixture.Length * 7919 + Scale);
        rounds *= Scale;
        using var dir = new TempDirectory();
        string path = dir.File(fixture);
        for (int i = 0; i < rounds; i++)
        {
            File.WriteAllBytes(path, Mutate(original, random));
            Survives(() => CheckpointLoader.Load(path), $"{fixture} round {i}");
        }
    }

    [Theory]
    [InlineData("bare.pt", "bare", 600)]
    [InlineData("wrapped.pt", "wrapped", 400)]
    [InlineData("protocol5.pt", "protocol5", 400)]
    public void Mutated_pickles_fail_cleanly(string fixture, string root, int rounds)
    {
        // Mutate only data.pkl and rebuild a valid zip around it, so every round reaches the unpickler.
        var entries = TorchZipBuilder.ReadEntries(PathOf(fixture));
        byte[] pickle = entries[$"{root}/data.pkl"];
        var random = new Random(rounds + Scale);
        rounds *= Scale;
        for (int i = 0; i < rounds; i++)
        {
            entries[$"{root}/data.pkl"] = Mutate(pickle, random);
            using var zip = TorchZipBuilder.Rebuild(entries);
            Survives(() =>
            {
                using var reader = TorchCheckpointReader.Open(zip, "fuzz.pt");
                reader.ReadStateDict().Materialize();
            }, $"{fixture} pickle round {i}");
        }
    }

    [Fact]
    public void Mutated_npy_files_fail_cleanly()
    {
        byte[] original = File.ReadAllBytes(PathOf("input.npy"));
        var random = new Random(11 + Scale);
        for (int i = 0; i < 400 * Scale; i++)
        {
            byte[] bytes = Mutate(original, random);
            Survives(() => NpyFile.Read(new MemoryStream(bytes), "fuzz.npy"), $"npy round {i}");
        }
    }
}
