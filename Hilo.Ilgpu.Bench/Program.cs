using BenchmarkDotNet.Running;
using Hilo.Ilgpu.Bench;

// Tiered compilation must be off for the managed CPU backend's timings (see BenchConfig); say so if it is not.
if (!AppContext.TryGetSwitch("System.Runtime.TieredCompilation", out bool tiered) || tiered)
{
    Console.Error.WriteLine("warning: tiered compilation is on; managed CPU timings will include tier-0 code (set DOTNET_TieredCompilation=0)");
}
string[] forwarded = BenchConfig.WithInProcess(args);
BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run(forwarded, BenchConfig.Create(forwarded));
