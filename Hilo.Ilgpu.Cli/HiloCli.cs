using System.CommandLine;

namespace Hilo.Ilgpu.Cli;

/// <summary>The <c>hilo</c> command: its subcommands and the one top-level error handler (<see cref="TopLevelErrors"/>).</summary>
internal static class HiloCli
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0, or 1 after one <c>error:</c> line).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("hilo — HiLo attention and LITv2 on every device, from C# kernels.");
        var verbose = new Option<bool>("--verbose") { Description = "On an error, also print the stack trace.", Recursive = true };
        root.Options.Add(verbose);
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(DevicesCommand.Create());
        root.Subcommands.Add(InferCommand.Create());
        root.Subcommands.Add(KernelsCommand.Create());
        root.Subcommands.Add(TuneCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        var parse = root.Parse(args);
        try
        {
            // Our handler, not System.CommandLine's (which prints the stack trace): one "error:" line, exit code 1.
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = output, Error = error });
        }
        catch (Exception e)
        {
            return TopLevelErrors.Report(e, parse.GetValue(verbose), error);
        }
    }
}
