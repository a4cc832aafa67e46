using System.CommandLine;
using System.Globalization;
using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Kernels.Basic;
using Hilo.Ilgpu.Kernels.Gemm;
using Hilo.Ilgpu.Kernels.Reduction;

namespace Hilo.Ilgpu.Cli;

/// <summary>
/// <c>hilo check [--device D]</c>: runs the library's kernels on a device, checks each result against its C#
/// reference and prints the device time — a quick end-to-end test of a device and its driver.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device", "-d") { Description = "Device string (cpu, opencl:0, cuda:0, ...).", DefaultValueFactory = _ => "cpu" };
        var runs = new Option<int>("--runs") { Description = "Timed runs per kernel after one warm-up run.", DefaultValueFactory = _ => 3 };
        var command = new Command("check", "Run the kernels on a device against their C# references and time them.");
        command.Options.Add(device);
        command.Options.Add(runs);
        command.SetAction(parse => Run(parse.GetValue(device)!, Math.Max(1, parse.GetValue(runs))));
        return command;
    }

    private static int Run(string deviceString, int runs)
    {
        using var accelerator = Devices.Open(deviceString);
        var stream = accelerator.DefaultStream;
        Console.WriteLine($"{accelerator.Device.Id}: {accelerator.Device.Name} ({accelerator.Device.Vendor})");
        Console.WriteLine($"{"kernel",-28} {"size",-16} {"check",-6} {"ms",9} {"rate",14}");
        bool ok = true;
        var random = new Random(1);

        {
            const int n = 1 << 22;
            var a = RandomArray(random, n);
            var b = RandomArray(random, n);
            using var da = accelerator.Allocate<float>(a);
            using var db = accelerator.Allocate<float>(b);
            using var dc = accelerator.Allocate<float>(n);
            double ms = Time(stream, runs, () => stream.Launch(VectorKernels.VectorAddKernel, new LaunchDims(n), da.View, db.View, dc.View));
            bool pass = dc.ToArray().AsSpan().SequenceEqual(VectorReference.Add(a, b));
            ok &= Report("VectorAdd", $"{n:N0}", pass, ms, 3.0 * n * sizeof(float) / (ms * 1e6), "GB/s");
        }
        {
            const int n = 1 << 22;
            var x = RandomArray(random, n);
            using var dx = accelerator.Allocate<float>(x);
            using var partial = accelerator.Allocate<float>(ReductionKernels.PartialLength(n));
            using var result = accelerator.Allocate<float>(1);
            double ms = Time(stream, runs, () => ReductionKernels.Sum(stream, dx.View, partial.View, result.View));
            var (sum, absSum) = ReductionReference.Sum(x);
            bool pass = Math.Abs(result.ToArray()[0] - sum) <= 1e-5 * absSum;
            ok &= Report("Sum (two-pass reduction)", $"{n:N0}", pass, ms, (double)n * sizeof(float) / (ms * 1e6), "GB/s");
        }
        ok &= Gemm(accelerator, random, runs, "TiledGemm (GPU-style)", accelerator.Device.Kind == DeviceKind.Gpu ? 1024 : 256, packed: false);
        ok &= Gemm(accelerator, random, runs, "PanelGemm (CPU-style)", 1024, packed: true);
        Console.WriteLine(ok ? "all kernels match their references" : "SOME KERNELS DO NOT MATCH THEIR REFERENCES");
        return ok ? 0 : 1;
    }

    private static bool Gemm(Accelerator accelerator, Random random, int runs, string name, int size, bool packed)
    {
        var stream = accelerator.DefaultStream;
        int m = size, n = size, k = size;
        var a = RandomArray(random, m * k);
        var b = RandomArray(random, k * n);
        using var da = accelerator.Allocate<float>(a);
        using var db = accelerator.Allocate<float>(b);
        using var dc = accelerator.Allocate<float>(m * n);
        using var dp = accelerator.Allocate<float>(packed ? PanelGemmKernels.PackedLength(k, n) : 0);
        if (packed)
        {
            PanelGemmKernels.Pack(stream, db.View, dp.View, k, n);
        }
        double ms = Time(stream, runs, () =>
        {
            if (packed)
            {
                PanelGemmKernels.Multiply(stream, da.View, dp.View, dc.View, m, n, k);
            }
            else
            {
                TiledGemmKernels.Multiply(stream, da.View, db.View, dc.View, m, n, k);
            }
        });
        var c = dc.ToArray();
        var (expected, absSum) = GemmReference.Multiply(a, b, m, n, k);
        bool pass = true;
        for (int i = 0; i < c.Length && pass; i++)
        {
            pass = Math.Abs(c[i] - expected[i]) <= 1e-5 * absSum[i] + 1e-6;
        }
        return Report(name, $"{m}x{n}x{k}", pass, ms, 2.0 * m * n * k / (ms * 1e6), "GFLOP/s");
    }

    /// <summary>One warm-up run (builds the kernels), then the mean device time of <paramref name="runs"/> runs.</summary>
    private static double Time(AcceleratorStream stream, int runs, Action work)
    {
        work();
        stream.Synchronize();
        using var start = stream.RecordEvent();
        for (int i = 0; i < runs; i++)
        {
            work();
        }
        using var end = stream.RecordEvent();
        return end.ElapsedMillisecondsSince(start) / runs;
    }

    private static bool Report(string name, string size, bool pass, double ms, double rate, string unit)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-28} {size,-16} {(pass ? "ok" : "WRONG"),-6} {ms,9:0.000} {rate,8:0.0} {unit}"));
        return pass;
    }

    private static float[] RandomArray(Random random, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return x;
    }
}
