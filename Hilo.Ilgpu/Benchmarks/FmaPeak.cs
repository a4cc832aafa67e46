using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hilo.Ilgpu.Benchmarks;

/// <summary>A measured fp32 FMA peak (<see cref="FmaPeak.Measure"/>).</summary>
/// <param name="GflopsPerSecond">fp32 GFLOP/s over all threads, an FMA counted as 2 FLOP.</param>
/// <param name="Threads">Threads that ran FMA chains at once.</param>
/// <param name="VectorBits">Width of the FMA instructions measured: 512 (AVX-512F), 256 (AVX2 FMA) or the width of <see cref="System.Numerics.Vector{T}"/> (separate multiply and add where no FMA is exposed).</param>
/// <param name="Instruction">What ran, e.g. <c>Vector512 FMA (AVX-512F)</c>.</param>
/// <param name="CpuModel">The CPU's model name (<c>/proc/cpuinfo</c>), or the processor architecture where that file is absent.</param>
/// <param name="Isa">The vector extensions the CPU reports (<c>/proc/cpuinfo</c> flags among avx512f, avx2, fma, …), or what .NET detects where that file is absent.</param>
public sealed record FmaPeakResult(double GflopsPerSecond, int Threads, int VectorBits, string Instruction, string CpuModel, string Isa);

/// <summary>
/// The fp32 FMA peak of this machine with a given number of threads, measured rather than taken from a data sheet: each
/// thread runs independent chains of the widest FMA the CPU has (<c>Vector512</c> with AVX-512F, else <c>Vector256</c>
/// with FMA3) for a short while, and the best of a few rounds is kept. Speed tables quote kernels as a percentage of it
/// (<c>hilo peak</c>, <c>tools/compare_peers.sh</c>): a VM's clock, turbo and the neighbours' load all show in it, which is
/// why it is measured on the machine and in the run that the table comes from.
/// </summary>
public static class FmaPeak
{
    // Twelve independent accumulators cover an FMA latency of 4–6 cycles on two FMA pipes (Skylake-X, Zen 3/4) and
    // leave registers for the two constants even on AVX2's sixteen.
    private const int Chains = 12;
    private const int InnerIterations = 4096;

    private static float sink;

    /// <summary>Measures the peak with <paramref name="threads"/> threads running at once.</summary>
    /// <param name="threads">Threads (≥ 1); the figure quoted beside a table uses the table's thread count.</param>
    /// <param name="duration">Wall time of each round (at least 10 ms).</param>
    /// <param name="rounds">Rounds; the fastest counts (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">threads or rounds below 1, duration under 10 ms.</exception>
    public static FmaPeakResult Measure(int threads, TimeSpan duration, int rounds = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        if (duration < TimeSpan.FromMilliseconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "each round needs at least 10 ms to be timed.");
        }
        var (bits, instruction, flopsPerBlock, kernel) = Widest();
        kernel(16);  // JIT and wake the FMA units before timing
        double best = 0;
        for (int r = 0; r < rounds; r++)
        {
            best = Math.Max(best, Round(threads, duration, flopsPerBlock, kernel));
        }
        return new FmaPeakResult(best / 1e9, threads, bits, instruction, CpuModel(), Isa());
    }

    private static (int Bits, string Instruction, double FlopsPerBlock, Func<int, float> Kernel) Widest()
    {
        if (Avx512F.IsSupported)
        {
            return (512, "Vector512 FMA (AVX-512F)", 2.0 * Chains * 16 * InnerIterations, Chains512);
        }
        if (Fma.IsSupported)
        {
            return (256, "Vector256 FMA (FMA3)", 2.0 * Chains * 8 * InnerIterations, Chains256);
        }
        int lanes = System.Numerics.Vector<float>.Count;
        return (lanes * 32, $"Vector<float> multiply + add ({lanes * 32}-bit, no FMA exposed)", 2.0 * Chains * lanes * InnerIterations, ChainsPortable);
    }

    private static double Round(int threads, TimeSpan duration, double flopsPerBlock, Func<int, float> kernel)
    {
        long[] blocks = new long[threads];
        using var start = new Barrier(threads + 1);
        var workers = new Thread[threads];
        long deadline = 0;
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                long done = 0;
                float acc = 0;
                long end = Volatile.Read(ref deadline);
                do
                {
                    acc += kernel(1);
                    done++;
                }
                while (Stopwatch.GetTimestamp() < end);
                blocks[id] = done;
                sink += acc;
            }) { IsBackground = true, Name = "fma-peak-" + id };
            workers[t].Start();
        }
        long begin = Stopwatch.GetTimestamp();
        Volatile.Write(ref deadline, begin + (long)(duration.TotalSeconds * Stopwatch.Frequency));
        start.SignalAndWait();
        foreach (var w in workers)
        {
            w.Join();
        }
        double seconds = Stopwatch.GetElapsedTime(begin).TotalSeconds;
        return blocks.Sum() * flopsPerBlock / seconds;
    }

    // Each kernel: `blocks` × InnerIterations rounds of one FMA on each of twelve independent accumulators. Written out
    // (no arrays, no calls in the loop) so that the JIT keeps every accumulator in a register. a·m + c with m just
    // below 1 keeps the values finite and normal however long it runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Chains512(int blocks)
    {
        var m = Vector512.Create(0.9999999f);
        var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = a0 + c, a2 = a1 + c, a3 = a2 + c, a4 = a3 + c, a5 = a4 + c;
        Vector512<float> a6 = a5 + c, a7 = a6 + c, a8 = a7 + c, a9 = a8 + c, a10 = a9 + c, a11 = a10 + c;
        for (long i = (long)blocks * InnerIterations; i > 0; i--)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, c); a1 = Avx512F.FusedMultiplyAdd(a1, m, c);
            a2 = Avx512F.FusedMultiplyAdd(a2, m, c); a3 = Avx512F.FusedMultiplyAdd(a3, m, c);
            a4 = Avx512F.FusedMultiplyAdd(a4, m, c); a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, c); a7 = Avx512F.FusedMultiplyAdd(a7, m, c);
            a8 = Avx512F.FusedMultiplyAdd(a8, m, c); a9 = Avx512F.FusedMultiplyAdd(a9, m, c);
            a10 = Avx512F.FusedMultiplyAdd(a10, m, c); a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Chains256(int blocks)
    {
        var m = Vector256.Create(0.9999999f);
        var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = a0 + c, a2 = a1 + c, a3 = a2 + c, a4 = a3 + c, a5 = a4 + c;
        Vector256<float> a6 = a5 + c, a7 = a6 + c, a8 = a7 + c, a9 = a8 + c, a10 = a9 + c, a11 = a10 + c;
        for (long i = (long)blocks * InnerIterations; i > 0; i--)
        {
            a0 = Fma.MultiplyAdd(a0, m, c); a1 = Fma.MultiplyAdd(a1, m, c);
            a2 = Fma.MultiplyAdd(a2, m, c); a3 = Fma.MultiplyAdd(a3, m, c);
            a4 = Fma.MultiplyAdd(a4, m, c); a5 = Fma.MultiplyAdd(a5, m, c);
            a6 = Fma.MultiplyAdd(a6, m, c); a7 = Fma.MultiplyAdd(a7, m, c);
            a8 = Fma.MultiplyAdd(a8, m, c); a9 = Fma.MultiplyAdd(a9, m, c);
            a10 = Fma.MultiplyAdd(a10, m, c); a11 = Fma.MultiplyAdd(a11, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float ChainsPortable(int blocks)
    {
        var m = new System.Numerics.Vector<float>(0.9999999f);
        var c = new System.Numerics.Vector<float>(1e-7f);
        System.Numerics.Vector<float> a0 = System.Numerics.Vector<float>.One, a1 = a0 + c, a2 = a1 + c, a3 = a2 + c, a4 = a3 + c, a5 = a4 + c;
        System.Numerics.Vector<float> a6 = a5 + c, a7 = a6 + c, a8 = a7 + c, a9 = a8 + c, a10 = a9 + c, a11 = a10 + c;
        for (long i = (long)blocks * InnerIterations; i > 0; i--)
        {
            a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c; a4 = a4 * m + c; a5 = a5 * m + c;
            a6 = a6 * m + c; a7 = a7 * m + c; a8 = a8 * m + c; a9 = a9 * m + c; a10 = a10 * m + c; a11 = a11 * m + c;
        }
        return System.Numerics.Vector.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    /// <summary>The CPU's model name from <c>/proc/cpuinfo</c> (<c>model name</c>), else the process architecture.</summary>
    public static string CpuModel()
    {
        string? line = CpuInfoLines().FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        string? name = line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        return string.IsNullOrEmpty(name) ? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString() : name;
    }

    /// <summary>
    /// The vector extensions that matter for fp32 GEMM, as <c>/proc/cpuinfo</c> names them (<c>avx512f avx2 fma</c>; also
    /// <c>avx512_bf16</c>, <c>amx_tile</c> where present), else as .NET detects them.
    /// </summary>
    public static string Isa()
    {
        string[] wanted = ["avx512f", "avx512_bf16", "amx_tile", "avx2", "fma"];
        string? flags = CpuInfoLines().FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        if (flags is not null)
        {
            var present = new HashSet<string>(flags[(flags.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
            var found = wanted.Where(present.Contains).ToArray();
            return found.Length > 0 ? string.Join(' ', found) : "no AVX2/AVX-512/FMA";
        }
        var detected = new List<string>();
        if (Avx512F.IsSupported) { detected.Add("avx512f"); }
        if (Avx2.IsSupported) { detected.Add("avx2"); }
        if (Fma.IsSupported) { detected.Add("fma"); }
        return detected.Count > 0 ? string.Join(' ', detected) : System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static IEnumerable<string> CpuInfoLines()
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path))
        {
            return [];
        }
        try
        {
            return File.ReadLines(path).Take(64).ToArray();
        }
        catch (IOException)
        {
            return [];
        }
    }
}
