using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Hilo.Ilgpu.Kernels.Gemm;
using Hilo.Ilgpu.Kernels.Layers.Basic;

namespace Hilo.Ilgpu.Cli;

/// <summary>
/// <c>hilo check [--device D] [--kernels cpu|ilgpu]</c>: runs the library's kernels of each family the device runs,
/// checks every result against its C# reference and prints the time — a quick end-to-end test of a device, its driver
/// and ILGPU's compilation for it.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device", "-d") { Description = "Device string (cpu, opencl:0, cuda:0, ...).", DefaultValueFactory = _ => "cpu" };
        var runs = new Option<int>("--runs") { Description = "Timed runs per kernel after one warm-up run.", DefaultValueFactory = _ => 3 };
        var kernels = CliOptions.KernelsOption();
        var command = new Command("check", "Run the kernels on a device against their C# references and time them.");
        command.Options.Add(device);
        command.Options.Add(runs);
        command.Options.Add(kernels);
        command.SetAction(parse =>
        {
            int n = parse.GetValue(runs);
            return n >= 1 ? Run(parse.GetValue(device)!, n, CliOptions.Family(parse.GetValue(kernels)))
                : throw new ArgumentException($"--runs must be at least 1, got {n}");
        });
        return command;
    }

    private static int Run(string deviceString, int runs, KernelFamily? pinned)
    {
        using var device = Devices.Open(deviceString);
        Console.WriteLine($"{device.Info.Id}: {device.Info.Name} ({device.Info.Vendor})");
        Console.WriteLine($"{"kernel",-34} {"size",-16} {"check",-6} {"ms",9} {"rate",14}");
        bool ok = true;
        foreach (var family in device.Families.Where(f => pinned is null || f == pinned))
        {
            // ILGPU kernels on the CPU accelerator run on emulated GPU threads: small sizes keep the check short.
            bool emulated = family == KernelFamily.Ilgpu && device.IsCpuAccelerator;
            var random = new Random(1);
            ok &= Gemm(device, family, random, runs, emulated ? 64 : 512);
            if (family == KernelFamily.Ilgpu)
            {
                ok &= Gemm(device, family, random, runs, emulated ? 64 : 512, rowBlocks: true);
            }
            ok &= LayerNorm(device, family, random, runs, emulated ? 16 : 4096, 384);
            ok &= Gelu(device, family, random, runs, emulated ? 4096 : 1 << 22);
        }
        Console.WriteLine($"ILGPU kernels compiled for {device.Info.Id}: {device.LoadedKernelCount} in {device.CompileSeconds:0.00} s");
        Console.WriteLine(ok ? "all kernels match their references" : "SOME KERNELS DO NOT MATCH THEIR REFERENCES");
        return ok ? 0 : 1;
    }

    private static bool Gemm(KernelDevice device, KernelFamily family, Random random, int runs, int size, bool rowBlocks = false)
    {
        int m = size, n = size, k = size;
        var a = RandomArray(random, m * k);
        var b = RandomArray(random, k * n);
        using var da = device.Upload(a);
        using var dc = device.Allocate((long)m * n);
        using var db = device.Upload(family == KernelFamily.Cpu ? GemmReference.PackB(b, k, n) : b);
        double ms = Time(device, runs, () =>
        {
            if (family == KernelFamily.Cpu)
            {
                PanelGemmCpu.Multiply(device, da.View, db.View, dc.View, m, n, k);
            }
            else if (rowBlocks)
            {
                TiledGemmKernels.MultiplyBiasRowBlocks(device, da.View, k, db.View, default, dc.View, n, m, n, k, accumulate: false);
            }
            else
            {
                TiledGemmKernels.Multiply(device, da.View, db.View, dc.View, m, n, k);
            }
        });
        var c = Download(device, dc);
        var (expected, absSum) = GemmReference.Multiply(a, b, m, n, k);
        bool pass = true;
        for (int i = 0; i < c.Length && pass; i++)
        {
            pass = Math.Abs(c[i] - expected[i]) <= 1e-5 * absSum[i] + 1e-6;
        }
        return Report(rowBlocks ? "GEMM rows8 (Ilgpu)" : $"GEMM ({family})", $"{m}x{n}x{k}", pass, ms, 2.0 * m * n * k / (ms * 1e6), "GFLOP/s");
    }

    private static bool LayerNorm(KernelDevice device, KernelFamily family, Random random, int runs, int rows, int dim)
    {
        var x = RandomArray(random, rows * dim);
        var w = RandomArray(random, dim);
        var bias = RandomArray(random, dim);
        using var dx = device.Upload(x);
        using var dw = device.Upload(w);
        using var db = device.Upload(bias);
        using var dy = device.Allocate((long)rows * dim);
        double ms = Time(device, runs, () => Elementwise.LayerNorm(device, family, dx.View, dw.View, db.View, dy.View, rows, dim, 1e-5f));
        var y = Download(device, dy);
        var expected = BasicReference.LayerNorm(x, w, bias, dim, 1e-5);
        bool pass = y.Select((v, i) => Math.Abs(v - expected[i]) <= 1e-4).All(p => p);
        return Report($"LayerNorm ({family})", $"{rows}x{dim}", pass, ms, 2.0 * rows * dim * sizeof(float) / (ms * 1e6), "GB/s");
    }

    private static bool Gelu(KernelDevice device, KernelFamily family, Random random, int runs, int n)
    {
        var x = RandomArray(random, n);
        using var dx = device.Upload(x);
        using var dy = device.Allocate(n);
        double ms = Time(device, runs, () => Elementwise.Gelu(device, family, dx.View, dy.View, n));
        var y = Download(device, dy);
        var expected = BasicReference.Gelu(x);
        bool pass = y.Select((v, i) => Math.Abs(v - expected[i]) <= 1e-6).All(p => p);
        return Report($"GELU ({family})", $"{n:N0}", pass, ms, 2.0 * n * sizeof(float) / (ms * 1e6), "GB/s");
    }

    /// <summary>One warm-up run (compiles the kernels), then the mean wall time of <paramref name="runs"/> runs between synchronisations.</summary>
    private static double Time(KernelDevice device, int runs, Action work)
    {
        work();
        device.Synchronize();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < runs; i++)
        {
            work();
        }
        device.Synchronize();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds / runs;
    }

    private static float[] Download(KernelDevice device, DeviceBuffer buffer)
    {
        var data = new float[buffer.Length];
        device.CopyToHost(buffer.View, data);
        return data;
    }

    private static bool Report(string name, string size, bool pass, double ms, double rate, string unit)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-34} {size,-16} {(pass ? "ok" : "WRONG"),-6} {ms,9:0.000} {rate,8:0.0} {unit}"));
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
