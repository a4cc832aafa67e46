using System.Diagnostics;
using System.Globalization;

namespace Hilo.Ilgpu.Tests;

/// <summary>
/// Runs one explicit test method of this assembly in a child process, for what must be measured on a whole process
/// (peak resident memory: native allocations included, unlike the GC heap): the child writes its figures to the file
/// named by <see cref="ReportVariable"/>, the parent bounds them.
/// </summary>
internal static class ChildTestProcess
{
    /// <summary>The environment variable naming the child's report file.</summary>
    public const string ReportVariable = "HILO_CHILD_TEST_REPORT";

    /// <summary>Runs <paramref name="type"/>.<paramref name="method"/> (an explicit test) and returns its report's words.</summary>
    public static async Task<string[]> RunAsync(Type type, string method, TimeSpan timeout)
    {
        using var dir = new IO.TempDirectory();
        string report = dir.File("report.txt");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "exec", type.Assembly.Location, "-method", $"{type.FullName}.{method}", "-explicit", "only" })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment[ReportVariable] = report;
        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        bool ended = true;
        try
        {
            await child.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            ended = false;
            child.Kill(entireProcessTree: true);
        }
        Assert.True(ended, $"the child process running {method} did not end within {timeout.TotalSeconds} s (a hang)");
        string log = await output + await errors;
        Assert.True(child.ExitCode == 0 && File.Exists(report), $"the child process running {method} failed (exit code {child.ExitCode}):\n{log}");
        return File.ReadAllText(report).Split(' ');
    }

    /// <summary>In the child: writes <paramref name="words"/> to the report file (nothing when run as a normal test).</summary>
    public static void Report(params object[] words)
    {
        string? report = Environment.GetEnvironmentVariable(ReportVariable);
        if (report is not null)
        {
            File.WriteAllText(report, string.Join(' ', words.Select(w => Convert.ToString(w, CultureInfo.InvariantCulture))));
        }
    }

    /// <summary>This process's peak resident set (VmHWM of /proc/self/status), managed and native memory alike.</summary>
    public static long PeakResidentBytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return 1024 * long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException("/proc/self/status has no VmHWM line");
    }
}
