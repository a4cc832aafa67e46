namespace Hilo.Ilgpu.Benchmarks;

/// <summary>The step every timing loop of this project takes between its warm-up and its timed runs.</summary>
public static class BenchmarkSettle
{
    /// <summary>
    /// Collects the garbage of start-up and warm-up and runs the finalizers it leaves, so that neither the GC nor the
    /// finalizer thread works during the timed runs. Start-up leaves thousands of finalizable dynamic methods (ILGPU's
    /// context and code generation): a sampled trace of <c>hilo infer --benchmark 3 -b 16</c> on a 2-core machine
    /// showed the finalizer thread busy for 1.5 s of the 7 s of timed runs (2026-12-07), taking a core from the model.
    /// BenchmarkDotNet does the same between its iterations.
    /// </summary>
    public static void Now()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
