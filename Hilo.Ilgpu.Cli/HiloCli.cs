using System.CommandLine;

namespace Hilo.Ilgpu.Cli;

/// <summary>The <c>hilo</c> command: its subcommands and the one top-level error handler (<see cref="TopLevelErrors"/>).</summary>
internal static class HiloCli
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0, or 1 after one <c>error:</c> line).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = Build(out var verbose);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine would print the errors and the whole help; one line says what was wrong and where to look.
            string command = string.Join(' ', CommandPath(parse.CommandResult));
            error.WriteLine("error: " + InferCommand.OneLine(string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.'))))
                + $" (see {command} --help)");
            return TopLevelErrors.ExitCode;
        }
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

    /// <summary>The <c>hilo</c> command tree (every number option with a plain parser, <see cref="CliOptions.UsePlainNumberParsers"/>).</summary>
    internal static RootCommand Build(out Option<bool> verbose)
    {
        var root = new RootCommand("hilo — HiLo attention and LITv2 on every device, from C# kernels.");
        verbose = new Option<bool>("--verbose") { Description = "On an error, also print the stack trace.", Recursive = true };
        root.Options.Add(verbose);
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(DevicesCommand.Create());
        root.Subcommands.Add(InferCommand.Create());
        root.Subcommands.Add(KernelsCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(TuneCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        root.Subcommands.Add(PreprocessCommand.Create());
        root.Subcommands.Add(PeakCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        CliOptions.UsePlainNumberParsers(root);
        return root;
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(r.Parent is null ? "hilo" : r.Command.Name);
        }
        return names;
    }
}
