namespace Hilo.Ilgpu.Scheduling;

/// <summary>How a <see cref="KernelTuner"/> chooses kernel variants (docs/scheduler.md).</summary>
public enum TuningMode
{
    /// <summary>Use the cached choice; on a miss time every candidate once, store the winner and reuse it (the default).</summary>
    Measure,

    /// <summary>Use the cached choice; on a miss use the device-family default. Never measures.</summary>
    CachedOnly,

    /// <summary>Always the device-family default (CPU-style kernels on CPU devices, tiled ones on GPUs).</summary>
    Off,
}

/// <summary>Reads the mode from the <c>HILO_TUNING</c> environment variable.</summary>
public static class TuningModes
{
    /// <summary>The environment variable: <c>measure</c>, <c>cached</c> or <c>off</c>.</summary>
    public const string EnvironmentVariable = "HILO_TUNING";

    /// <summary>
    /// The mode <c>HILO_TUNING</c> asks for (<see cref="TuningMode.Measure"/> when unset). An unknown value gives
    /// <see cref="TuningMode.Measure"/> and a message in <paramref name="problem"/> (tuning only picks among variants
    /// that compute the same result, so a typo changes speed, never results).
    /// </summary>
    public static TuningMode FromEnvironment(out string? problem)
    {
        string? text = Environment.GetEnvironmentVariable(EnvironmentVariable);
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return TuningMode.Measure;
        }
        if (TryParse(text, out var mode))
        {
            return mode;
        }
        problem = $"{EnvironmentVariable}='{text}' is not measure, cached or off; using measure.";
        return TuningMode.Measure;
    }

    /// <summary>Parses <c>measure</c>, <c>cached</c> (or <c>cached-only</c>) and <c>off</c>, case-insensitively.</summary>
    public static bool TryParse(string text, out TuningMode mode)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text.Trim().ToLowerInvariant())
        {
            case "measure":
                mode = TuningMode.Measure;
                return true;
            case "cached":
            case "cached-only":
            case "cachedonly":
                mode = TuningMode.CachedOnly;
                return true;
            case "off":
                mode = TuningMode.Off;
                return true;
            default:
                mode = TuningMode.Measure;
                return false;
        }
    }
}
