namespace Hilo.Ilgpu.Benchmarks;

/// <summary>One measured row: a subject (attention or model) on a device.</summary>
public sealed record CompareResult
{
    /// <summary>The device string (<c>cpu</c>, <c>opencl:0</c>, ...).</summary>
    public required string Device { get; init; }

    /// <summary>The device's name as its driver reports it.</summary>
    public required string DeviceName { get; init; }

    /// <summary><c>cpu</c> or <c>gpu</c>.</summary>
    public required string DeviceKind { get; init; }

    /// <summary><c>attention</c> or <c>model</c>.</summary>
    public required string Protocol { get; init; }

    /// <summary><c>hilo</c>, <c>sra</c>, <c>local-window</c>, <c>msa</c>, <c>litv2-s</c>, ...</summary>
    public required string Name { get; init; }

    /// <summary>Inputs per forward pass.</summary>
    public required int Batch { get; init; }

    /// <summary>Timed forward passes.</summary>
    public required int Runs { get; init; }

    /// <summary>Device time of all timed passes, in milliseconds.</summary>
    public required double TotalMilliseconds { get; init; }

    /// <summary>Throughput: runs · batch / time.</summary>
    public double ImagesPerSecond => Runs * (double)Batch / (TotalMilliseconds / 1000.0);

    /// <summary>Mean device time of one forward pass.</summary>
    public double MillisecondsPerBatch => TotalMilliseconds / Runs;

    /// <summary>Learned parameters.</summary>
    public required long Parameters { get; init; }

    /// <summary>Multiply-adds of one forward pass per input (image), as the paper counts them.</summary>
    public required long Flops { get; init; }

    /// <summary>Peak device memory during the timed passes (weights, input and every intermediate), in bytes.</summary>
    public required long PeakMemoryBytes { get; init; }

    /// <summary>Speed-up over the reference row on the same device (MSA, or the first model), or null without one.</summary>
    public double? SpeedUp { get; init; }
}

/// <summary>A device that could not be measured, and why.</summary>
/// <param name="Device">The device string as given.</param>
/// <param name="Reason">Why it was skipped (not found, backend unavailable, out of memory, ...).</param>
public sealed record SkippedDevice(string Device, string Reason);

/// <summary>Everything one comparison produced.</summary>
/// <param name="Results">Measured rows, grouped by device in the order the devices were given.</param>
/// <param name="Skipped">Devices that were not measured.</param>
public sealed record CompareReport(IReadOnlyList<CompareResult> Results, IReadOnlyList<SkippedDevice> Skipped);
