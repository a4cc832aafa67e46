using System.CommandLine;
using Hilo.Ilgpu.Cli;

var root = new RootCommand("hilo — HiLo attention and LITv2 on every device, from C# kernels.");
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(CompareCommand.Create());
root.Subcommands.Add(DevicesCommand.Create());
root.Subcommands.Add(InferCommand.Create());
root.Subcommands.Add(KernelsCommand.Create());
root.Subcommands.Add(TuneCommand.Create());
root.Subcommands.Add(PlanCommand.Create());
return root.Parse(args).Invoke();
