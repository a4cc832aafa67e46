namespace Hilo.Ilgpu.Cli;

/// <summary>
/// The one place every command's unexpected failures end: one <c>error: …</c> line on stderr and exit code 1, the
/// stack trace only with <c>--verbose</c>. Commands report the errors they expect themselves (same format); this
/// catches the rest — an overflow of a size, running out of memory, a bug — so no user ever sees a raw stack trace.
/// </summary>
internal static class TopLevelErrors
{
    /// <summary>Exit code of every failed command.</summary>
    public const int ExitCode = 1;

    public static int Report(Exception e, bool verbose, TextWriter error)
    {
        error.WriteLine("error: " + InferCommand.OneLine(Describe(e)));
        if (verbose)
        {
            error.WriteLine(e.ToString());
        }
        else if (!IsExpected(e))
        {
            error.WriteLine("(run with --verbose for the stack trace)");
        }
        return ExitCode;
    }

    internal static string Describe(Exception e) => e switch
    {
        OutOfMemoryException or InsufficientMemoryException =>
            "out of host memory: the work asked for more memory than this process can have; try a smaller --batch or image size",
        OverflowException => $"a size is too large (element counts and byte sizes must fit 32-bit tensor indexing): {e.Message}",
        _ when IsExpected(e) => e.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static bool IsExpected(Exception e) => e is ArgumentException or IOException or UnauthorizedAccessException
        or OutOfMemoryException or InsufficientMemoryException or OverflowException
        or Hilo.Ilgpu.IO.CheckpointException or DeviceNotFoundException or DeviceOutOfMemoryException or KernelCompilationException;
}
