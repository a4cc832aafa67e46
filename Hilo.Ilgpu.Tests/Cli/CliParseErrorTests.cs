using System.CommandLine;
using Hilo.Ilgpu.Cli;

namespace Hilo.Ilgpu.Tests.Cli;

/// <summary>
/// A value the parser cannot take (a word for a number, an unknown option) is one <c>error:</c> line naming the option
/// and the value, exit code 1, without the help text and without CLR type names — for every number option of every
/// command, found by walking the command tree (so a new option is covered without touching this test).
/// </summary>
public class CliParseErrorTests
{
    private static (int Code, string Out, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = HiloCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Every (command path, option name, is-whole-number) of the tree.</summary>
    public static TheoryData<string, string, bool> NumberOptions()
    {
        var data = new TheoryData<string, string, bool>();
        void Walk(Command command, string path)
        {
            foreach (var option in command.Options)
            {
                var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
                if (type == typeof(int) || type == typeof(double) || type == typeof(long) || type == typeof(float))
                {
                    data.Add(path, option.Name, type == typeof(int) || type == typeof(long));
                }
            }
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, (path + " " + sub.Name).Trim());
            }
        }
        Walk(HiloCli.Build(out _), "");
        return data;
    }

    [Fact]
    public void TheTreeHasTheNumberOptionsThisTestIsAbout()
    {
        var options = NumberOptions().Select(row => (row.Data.Item1, row.Data.Item2)).ToList();
        Assert.Contains(("classify", "--batch"), options);
        Assert.Contains(("compare", "--runs"), options);
        Assert.Contains(("plan", "--max-top1-drop"), options);
        Assert.Contains(("infer", "--benchmark"), options);
        Assert.True(options.Count >= 20, $"only {options.Count} number options found");
    }

    [Theory]
    [MemberData(nameof(NumberOptions))]
    public void AWordForANumberIsOneErrorLineNamingTheOption(string command, string option, bool whole)
    {
        var (code, text, error) = Run([.. command.Split(' '), option, "abc"]);
        Assert.Equal(1, code);
        Assert.Empty(text);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // Other problems of the same command line (a required option missing) may share the line.
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains($"{option}: 'abc' is not a {(whole ? "whole number" : "number")}", line, StringComparison.Ordinal);
        Assert.EndsWith($"(see hilo {command} --help)", line.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("infer --model litv2-s --random-weights --bench 3", "Unrecognized command or argument '--bench'")]
    [InlineData("classify", "Required argument missing for command: 'classify'")]
    [InlineData("plan --max-top1-drop NaN -m litv2-s", "--max-top1-drop: 'NaN' is not a number")]
    public void OtherParseErrorsAreOneErrorLineToo(string args, string expected)
    {
        var (code, text, error) = Run(args.Split(' '));
        Assert.Equal(1, code);
        Assert.Empty(text);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpIsNotAnError()
    {
        var (code, text, error) = Run("infer", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--batch", text, StringComparison.Ordinal);
        Assert.Empty(error);
    }
}
