using Hilo.Ilgpu.Kernels.Runtime;
using Hilo.Samples.VectorAdd;

// Usage: dotnet run --project samples/VectorAdd [-- DEVICE]   (DEVICE: cpu, opencl:0, cuda:0, ...)
string device = args.Length > 0 ? args[0] : "cpu";
var x = Enumerable.Range(0, 1000).Select(i => (float)i).ToArray();
var y = Enumerable.Repeat(1f, 1000).ToArray();
var result = SaxpyDemo.Run(device, 2f, x, y);
Console.WriteLine($"{Devices.Find(device).Name}: y[0..4] = {string.Join(", ", result.Take(4))} ... y[999] = {result[999]}");
