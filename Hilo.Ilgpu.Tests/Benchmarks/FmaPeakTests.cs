using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using Hilo.Ilgpu.Benchmarks;
using Hilo.Ilgpu.Cli;

namespace Hilo.Ilgpu.Tests.Benchmarks;

public class FmaPeakTests
{
    /// <summary>
    /// The peak is positive, within what any CPU core can do (≤ 2 FMA pipes × lanes × 2 FLOP × 6 GHz per thread), and
    /// measured with the widest FMA the CPU has; no timing bound below (a shared CI machine may be slow at any moment).
    /// </summary>
    [Fact]
    public void MeasuresAPlausiblePeakWithTheWidestFma()
    {
        var r = FmaPeak.Measure(1, TimeSpan.FromMilliseconds(50), rounds: 2);
        Assert.Equal(1, r.Threads);
        int expectedBits = Avx512F.IsSupported ? 512 : Fma.IsSupported ? 256 : System.Numerics.Vector<float>.Count * 32;
        Assert.Equal(expectedBits, r.VectorBits);
        double ceiling = 2 * (expectedBits / 32) * 2 * 6.0;  // GFLOP/s for one thread
        Assert.InRange(r.GflopsPerSecond, 0.01, ceiling);
    }

    [Fact]
    public void ReadsModelAndFlagsFromProcCpuinfo()
    {
        if (!File.Exists("/proc/cpuinfo"))
        {
            Assert.Skip("no /proc/cpuinfo on this OS");
        }
        string model = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("model name", StringComparison.Ordinal)).Split(':', 2)[1].Trim();
        Assert.Equal(model, FmaPeak.CpuModel());
        string isa = FmaPeak.Isa();
        // .NET and the kernel agree on what this CPU has.
        Assert.Equal(Avx512F.IsSupported, isa.Split(' ').Contains("avx512f"));
        Assert.Equal(Avx2.IsSupported, isa.Split(' ').Contains("avx2"));
        Assert.Equal(Fma.IsSupported, isa.Split(' ').Contains("fma"));
    }

    [Fact]
    public void PeakCommandPrintsJsonWithModelIsaAndThreads()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, PeakCommand.Run(2, 0.02, json: true, output, error));
        using var doc = JsonDocument.Parse(output.ToString());
        var root = doc.RootElement;
        Assert.True(root.GetProperty("gflops").GetDouble() > 0);
        Assert.Equal(2, root.GetProperty("threads").GetInt32());
        Assert.Equal(FmaPeak.CpuModel(), root.GetProperty("cpu_model").GetString());
        Assert.Equal(FmaPeak.Isa(), root.GetProperty("isa").GetString());
        Assert.Equal("", error.ToString());
    }

    [Theory]
    [InlineData(0, 0.5, "--threads 0")]
    [InlineData(2, 0.001, "--seconds 0.001")]
    public void PeakCommandRefusesBadOptionsWithOneErrorLine(int threads, double seconds, string named)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(1, PeakCommand.Run(threads, seconds, json: false, output, error));
        string line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: " + named, line, StringComparison.Ordinal);
        Assert.Equal("", output.ToString());
    }
}
