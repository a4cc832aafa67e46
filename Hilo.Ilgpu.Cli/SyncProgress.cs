namespace Hilo.Ilgpu.Cli;

/// <summary>Reports on the caller's thread, at once (<see cref="Progress{T}"/> would post each report to the thread pool, out of order with the output).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
