using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Hilo.Peers;

/// <summary>Command line, numerics check, timing and the JSON result line that every peer runner shares.</summary>
internal sealed class PeerRun
{
    public string CaseDirectory { get; private init; } = "";
    public int Threads { get; private init; } = 2;
    public int Warmup { get; private init; } = 2;
    public int Runs { get; private init; } = 3;
    public int Repeat { get; private init; } = 2;

    /// <summary>Largest allowed |peer − reference| over the largest |reference| (at least 1): 1e-4, the project's parity bar.</summary>
    public double Tolerance { get; private init; } = 1e-4;

    public const string Usage = "usage: PEER --case DIR [--threads N] [--warmup N] [--runs N] [--repeat N] [--tolerance X]";

    public static PeerRun Parse(string[] args)
    {
        string? dir = null;
        int threads = 2, warmup = 2, runs = 3, repeat = 2;
        double tolerance = 1e-4;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new PeerException($"{args[i]} needs a value ({Usage})");
            int Whole(string option, int min)
            {
                string v = Value();
                return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min
                    ? n : throw new PeerException($"{option} {v}: give a whole number ≥ {min}");
            }
            switch (args[i])
            {
                case "--case": dir = Value(); break;
                case "--threads": threads = Whole("--threads", 1); break;
                case "--warmup": warmup = Whole("--warmup", 0); break;
                case "--runs": runs = Whole("--runs", 1); break;
                case "--repeat": repeat = Whole("--repeat", 1); break;
                case "--tolerance":
                    string t = Value();
                    tolerance = double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x > 0
                        ? x : throw new PeerException($"--tolerance {t}: give a positive number");
                    break;
                default: throw new PeerException($"unknown option {args[i]} ({Usage})");
            }
        }
        if (dir is null)
        {
            throw new PeerException($"--case DIR is required ({Usage})");
        }
        return new PeerRun { CaseDirectory = dir, Threads = threads, Warmup = warmup, Runs = runs, Repeat = repeat, Tolerance = tolerance };
    }

    /// <summary>Max |got − expected| over max(1, max |expected|); throws when above the tolerance or when a value is not finite.</summary>
    public double Check(PeerCase c, ReadOnlySpan<float> got, string peer)
    {
        float[] expected = c.Expected();
        if (got.Length != expected.Length)
        {
            throw new PeerException($"{peer} on {c.Name}: {got.Length} output values, the reference has {expected.Length}");
        }
        double maxError = 0, maxRef = 1;
        for (int i = 0; i < got.Length; i++)
        {
            double e = Math.Abs((double)got[i] - expected[i]);
            if (!double.IsFinite(e))
            {
                throw new PeerException(string.Create(CultureInfo.InvariantCulture, $"{peer} on {c.Name}: output {i} is {got[i]}, the reference {expected[i]}"));
            }
            maxError = Math.Max(maxError, e);
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        double relative = maxError / maxRef;
        if (relative > Tolerance)
        {
            throw new PeerException(string.Create(CultureInfo.InvariantCulture,
                $"{peer} on {c.Name}: max |error| {maxError:g3} over max(1, |reference|) {maxRef:g3} = {relative:g3}, above {Tolerance:g3}: its numerics differ from the reference; not timed"));
        }
        return relative;
    }

    /// <summary>Seconds of the fastest of <see cref="Repeat"/> loops of <see cref="Runs"/> forwards, after <see cref="Warmup"/> untimed ones.</summary>
    public double BestSeconds(Action forward)
    {
        for (int i = 0; i < Warmup; i++)
        {
            forward();
        }
        double best = double.PositiveInfinity;
        for (int r = 0; r < Repeat; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < Runs; i++)
            {
                forward();
            }
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return best;
    }

    /// <summary>The result as one JSON line on stdout (read by tools/peers/table.py).</summary>
    public void Report(PeerCase c, string peer, string version, double seconds, double relativeError)
    {
        double perBatch = seconds / Runs;
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["peer"] = peer,
            ["version"] = version,
            ["case"] = c.Name,
            ["subject"] = c.Subject,
            ["batch"] = c.Batch,
            ["threads"] = Threads,
            ["runs"] = Runs,
            ["repeat"] = Repeat,
            ["images_per_second"] = c.Batch / perBatch,
            ["ms_per_batch"] = perBatch * 1000,
            ["gflops"] = 2.0 * c.FlopsPerImage * c.Batch / perBatch / 1e9,
            ["max_relative_error"] = relativeError,
            ["load_average"] = LoadAverage(),
        }));
    }

    private static double LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>Runs <paramref name="body"/>, turning a <see cref="PeerException"/> into one <c>error:</c> line and exit code 1.</summary>
    public static int Execute(string[] args, Func<PeerRun, int> body)
    {
        try
        {
            return body(Parse(args));
        }
        catch (PeerException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 1;
        }
    }
}
