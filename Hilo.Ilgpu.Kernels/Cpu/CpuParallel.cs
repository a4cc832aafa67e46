using System.Runtime.ExceptionServices;

namespace Hilo.Ilgpu.Kernels.Cpu;

/// <summary>
/// How the CPU family spreads an op over the cores: a number of independent work items handed out in
/// dynamic chunks to one worker per core (items of uneven cost balance themselves). The calling thread is one of
/// the workers, and the call returns when every item ran; the first exception of any item is rethrown as it was.
/// </summary>
public static class CpuParallel
{
    /// <summary>Workers an op uses: one per core (<c>HILO_CPU_THREADS</c> overrides).</summary>
    public static int Workers { get; } = ReadWorkers();

    /// <summary>Runs <paramref name="body"/> for every item in [0, <paramref name="count"/>).</summary>
    public static void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (count <= 0)
        {
            return;
        }
        int workers = Math.Min(Workers, count);
        if (workers <= 1)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }
            return;
        }
        // About eight chunks per worker: few enough to keep the shared counter cold, enough to balance.
        int chunk = Math.Max(1, count / (workers * 8));
        int next = 0;
        void Worker(int _)
        {
            int start;
            while ((start = Interlocked.Add(ref next, chunk) - chunk) < count)
            {
                int end = Math.Min(start + chunk, count);
                for (int i = start; i < end; i++)
                {
                    body(i);
                }
            }
        }
        try
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, Worker);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>Runs <paramref name="body"/> for every (x, y, z) of an nx × ny × nz grid (x fastest), as <see cref="For(int, Action{int})"/>.</summary>
    public static void For(int nx, int ny, int nz, Action<int, int, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        long count = (long)nx * ny * nz;
        if (nx <= 0 || ny <= 0 || nz <= 0)
        {
            return;
        }
        if (count > int.MaxValue)
        {
            throw new ArgumentException($"A CPU grid of {nx} × {ny} × {nz} has more than 2^31 - 1 items.");
        }
        For((int)count, i =>
        {
            int x = i % nx;
            int rest = i / nx;
            body(x, rest % ny, rest / ny);
        });
    }

    private static int ReadWorkers()
    {
        string? text = Environment.GetEnvironmentVariable("HILO_CPU_THREADS");
        return int.TryParse(text, out int n) && n >= 1 ? n : Environment.ProcessorCount;
    }
}
