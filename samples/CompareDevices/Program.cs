using Hilo.Ilgpu.Benchmarks;
using Hilo.Samples.CompareDevices;

// Usage: dotnet run -c Release --project samples/CompareDevices [-- CHART.png|CHART.svg]
string chart = args.Length > 0 ? args[0] : "compare-devices.png";
CompareDevicesDemo.Run(CompareRunner.AllDevices(), chart, Console.Out);
Console.WriteLine($"chart: {Path.GetFullPath(chart)}");
