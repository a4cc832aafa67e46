namespace Hilo.Ilgpu.Tests.Cli;

/// <summary>
/// Interrupts a command as Ctrl+C or a pre-empted job would: cancels its token once its journal holds a number of
/// lines (a header, then one line per batch), so that the command stops after the batch on the device.
/// </summary>
internal static class Interruption
{
    /// <summary>Cancels <paramref name="stop"/> once <paramref name="journal"/> has <paramref name="lines"/> lines; the task ends then.</summary>
    public static Task WhenJournalHas(string journal, int lines, CancellationTokenSource stop) => Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            if (File.Exists(journal) && LineCount(journal) >= lines)
            {
                await stop.CancelAsync();
            }
            await Task.Delay(2, TestContext.Current.CancellationToken);
        }
    }, TestContext.Current.CancellationToken);

    private static int LineCount(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        int lines = 0;
        for (int b; (b = stream.ReadByte()) >= 0;)
        {
            lines += b == '\n' ? 1 : 0;
        }
        return lines;
    }
}

