using System.Globalization;
using Hilo.Ilgpu;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Scheduling;
using Hilo.Samples.CustomKernel;

// Usage: dotnet run --project samples/CustomKernel [-- DEVICE]   (DEVICE: cpu, opencl:0, cuda:0, ...)
// Registers an ILGPU GEMM as a Linear variant, runs a layer pinned to it, then lets the tuner choose.
string deviceId = args.Length > 0 ? args[0] : "cpu";
RowGemm.Register();
using var device = ComputeDevice.Open(deviceId);
device.Tuner = new KernelTuner(device, TuningMode.Measure, new TuningCache(Path.Combine(Path.GetTempPath(), $"hilo-sample-{Environment.ProcessId}.json")));

const int Rows = 64, In = 96, Out = 80;
var x = Enumerable.Range(0, Rows * In).Select(i => MathF.Sin(i * 0.37f)).ToArray();
using var input = device.Upload(x, Rows, In);

// 1. Pinned: the layer always runs the user's kernel.
using var pinned = new Linear(device, In, Out) { Variant = RowGemm.Name };
pinned.InitializeRandom(seed: 1);
using var mine = pinned.Forward(input);

// 2. The library's default variant on the same weights: the results agree.
using var builtIn = new Linear(device, In, Out);
builtIn.Variant = builtIn.DefaultVariant;
builtIn.InitializeRandom(seed: 1); // the same seed: the same weights
using var theirs = builtIn.Forward(input);
float diff = mine.ToArray().Zip(theirs.ToArray(), (a, b) => MathF.Abs(a - b)).Max();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{device}: {RowGemm.Name} vs {builtIn.Variant}: max |difference| {diff:G3}"));

// 3. Tuned: the tuner times every variant this device runs, the user's included, and keeps the fastest.
using var tuned = new Linear(device, In, Out);
tuned.InitializeRandom(seed: 2);
string choice = tuned.VariantFor(Rows);
var entry = device.Tuner.Decisions.Single(d => d.Key.Operation == Linear.TuningOperation).Entry!;
foreach (var (variant, ms) in entry.Milliseconds.OrderBy(p => p.Value))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {variant,-12} {ms,9:0.000} ms{(entry.Stopped.Contains(variant) ? " (stopped early)" : "")}"));
}
Console.WriteLine($"tuner's choice for {Rows}x{In}x{Out}: {choice}");
