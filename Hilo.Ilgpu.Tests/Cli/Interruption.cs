namespace Hilo.Ilgpu.Tests.Cli;

/// <summary>
/// Interrupting a <c>classify</c>/<c>validate</c> run at an exact batch, as Ctrl+C would between batches: the options'
/// <c>AfterBatch</c> hook cancels the run's token once the given number of batches is in the journal. (A watcher
/// polling the journal raced a fast run to its end, and then waited forever.)
/// </summary>
internal static class Interruption
{
    /// <summary>An <c>AfterBatch</c> hook that cancels <paramref name="stop"/> after <paramref name="batches"/> batches.</summary>
    public static Action After(int batches, CancellationTokenSource stop)
    {
        int done = 0;
        return () =>
        {
            if (++done == batches)
            {
                stop.Cancel();
            }
        };
    }
}
