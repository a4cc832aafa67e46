using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace Hilo.Ilgpu.Cli;

/// <summary>
/// Progress of a long command on stderr. On a terminal: a Spectre.Console progress bar (with the elapsed and remaining
/// time) under the command's progress lines; otherwise (a log, a pipe, a test, CI) the plain lines alone, as before, so
/// nothing that reads stderr sees escape codes.
/// </summary>
internal sealed partial class CliProgress
{
    private readonly TextWriter? plain;
    private readonly IAnsiConsole? console;
    private readonly ProgressTask? task;

    private CliProgress(TextWriter? plain, IAnsiConsole? console, ProgressTask? task)
    {
        this.plain = plain;
        this.console = console;
        this.task = task;
    }

    /// <summary>Whether <paramref name="error"/> is the process's stderr on an interactive terminal.</summary>
    public static bool IsTerminal(TextWriter error) =>
        ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");

    /// <summary>
    /// Runs <paramref name="work"/> with a progress display titled <paramref name="title"/> over <paramref name="total"/>
    /// steps; the work reports lines (<see cref="Line"/>) and steps done (<see cref="Done"/>).
    /// </summary>
    public static T Run<T>(TextWriter error, string title, int total, Func<CliProgress, T> work)
    {
        if (!IsTerminal(error))
        {
            return work(new CliProgress(error, null, null));
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: Math.Max(1, total));
                result = work(new CliProgress(null, console, task));
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>Prints a progress line; a leading <c>[k/n]</c> or a <c>round k/n</c> also moves the bar to step k−1 of n.</summary>
    public void Line(string text)
    {
        if (plain is not null)
        {
            plain.WriteLine(text);
            return;
        }
        console!.WriteLine(text);
        var step = StepPattern().Match(text);
        if (step.Success && task is not null)
        {
            task.MaxValue = int.Parse(step.Groups[2].Value, CultureInfo.InvariantCulture);
            task.Value = int.Parse(step.Groups[1].Value, CultureInfo.InvariantCulture) - 1;
        }
    }

    /// <summary>Moves the bar to <paramref name="done"/> of <paramref name="total"/> steps (no line is printed).</summary>
    public void Done(int done, int total)
    {
        if (task is not null)
        {
            task.MaxValue = Math.Max(1, total);
            task.Value = done;
        }
    }

    // "[3/8] cpu hilo: …" (compare, tune) or "round 2/5: …" (plan): step and steps.
    [GeneratedRegex(@"(?:^\[|round )(\d+)/(\d+)")]
    private static partial Regex StepPattern();
}
