using System.Globalization;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>What <see cref="ModelPlanner"/> may change and how it measures (docs/plan.md).</summary>
public sealed record ModelPlanOptions
{
    /// <summary>Image side in pixels the model will run at; null: the config's <c>img_size</c>.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Images per forward pass; null: 64 on GPUs, 16 on CPU devices.</summary>
    public int? Batch { get; init; }

    /// <summary>
    /// The accuracy constraint: a head split α is allowed when its published top-1 is at least the default α's
    /// published top-1 minus this many points (percent). Default 0.2.
    /// </summary>
    public double MaxTop1Drop { get; init; } = 0.2;

    /// <summary>Holds every stage's trained window size (only α may change).</summary>
    public bool KeepWindows { get; init; }

    /// <summary>Weights the model will run with: α is then fixed to the split they hold (<see cref="AlphaSweep.AlphaOf"/>) and only windows vary.</summary>
    public StateDict? Weights { get; init; }

    /// <summary>The model will be freshly initialised and trained: α is free over the sweep's grid, no accuracy constraint applies.</summary>
    public bool Fresh { get; init; }

    /// <summary>Window sizes to try in each stage with window &gt; 1; null: 2, 4, 7, 14, 28, … up to the stage's map side.</summary>
    public IReadOnlyList<int>? Windows { get; init; }

    /// <summary>Timed runs per measurement (the median is used). Default 5.</summary>
    public int Runs { get; init; } = 5;

    /// <summary>Untimed runs before each measurement. Default 1.</summary>
    public int Warmup { get; init; } = 1;

    /// <summary>
    /// A change is made only when it beats the plan so far by more than this share (levels of change walked from the
    /// default: windows, then α): measurements on a shared machine are noisy. Default 0.02 (2 %).
    /// </summary>
    public double MinGain { get; init; } = 0.02;

    /// <summary>Also runs the whole model with the chosen configuration and reports measured against estimated time.</summary>
    public bool Verify { get; init; }

    /// <summary>Seed of the random weights and inputs of the measurements.</summary>
    public int Seed { get; init; }

    /// <summary>Checks every value; the message names the option.</summary>
    /// <exception cref="ArgumentException">A value out of range, or <see cref="Weights"/> together with <see cref="Fresh"/>.</exception>
    public void Validate()
    {
        Require(double.IsFinite(MaxTop1Drop) && MaxTop1Drop >= 0, $"max-top1-drop must be a number of points ≥ 0, got {Format(MaxTop1Drop)}");
        Require(ImageSize is null || (ImageSize >= Litv2Config.MinImageSide && ImageSize <= Litv2ConfigLimits.MaxImageSize), $"image-size must be in [{Litv2Config.MinImageSide}, {Litv2ConfigLimits.MaxImageSize}] pixels, got {ImageSize}");
        Require(Batch is null or >= 1, $"batch must be at least 1, got {Batch}");
        Require(Runs >= 1, $"runs must be at least 1, got {Runs}");
        Require(Warmup >= 0, $"warmup must be at least 0, got {Warmup}");
        Require(double.IsFinite(MinGain) && MinGain >= 0, $"min-gain must be a share ≥ 0, got {Format(MinGain)}");
        Require(Windows is null || (Windows.Count > 0 && Windows.All(w => w >= 2)),
            "windows must list window sizes of at least 2 (s = 1 is plain attention with other weights)");
        Require(!(Fresh && Weights is not null), "give either weights (α fixed by them) or fresh (α free), not both");
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException("model plan: " + problem + ".");
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>One HiLo layer to time: a stage's shape with a window and a head split.</summary>
/// <param name="Stage">0-based stage index.</param>
/// <param name="Dim">Channels.</param>
/// <param name="Heads">Total heads.</param>
/// <param name="Height">Token map height.</param>
/// <param name="Width">Token map width.</param>
/// <param name="Window">Window size s.</param>
/// <param name="Alpha">Share of Lo-Fi heads.</param>
/// <param name="QkvBias">Whether the q/k/v projections have a bias.</param>
/// <param name="Batch">Images per forward pass.</param>
public sealed record PlanLayerCase(int Stage, int Dim, int Heads, int Height, int Width, int Window, double Alpha, bool QkvBias, int Batch)
{
    /// <summary>Lo-Fi heads of the layer.</summary>
    public int LoFiHeads => Window == 1 ? Heads : AlphaSweep.LoFiHeads(Heads, Alpha);
}

/// <summary>A whole model to time.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="ImageSize">Image side in pixels.</param>
/// <param name="Batch">Images per forward pass.</param>
public sealed record PlanModelCase(Litv2Config Config, int ImageSize, int Batch);

/// <summary>
/// How <see cref="ModelPlanner"/> measures: the device it describes and two timing functions (milliseconds per
/// forward pass of a batch). <see cref="ModelPlannerTiming.OnDevice"/> times on a real device; tests and users may
/// pass their own numbers.
/// </summary>
public sealed record ModelPlanTimer
{
    /// <summary>The device string (<c>cpu</c>, <c>opencl:0</c>, …).</summary>
    public required string DeviceId { get; init; }

    /// <summary>The device's name.</summary>
    public string DeviceName { get; init; } = "";

    /// <summary>Whether the device is a GPU (the default batch is 64 there, 16 elsewhere).</summary>
    public bool IsGpu { get; init; }

    /// <summary>Device memory free for the plan's passes, checked before any is timed; null when unknown (given timings).</summary>
    public long? FreeMemoryBytes { get; init; }

    /// <summary>Milliseconds of one forward pass of each HiLo layer (one time per case, in order).</summary>
    public required Func<IReadOnlyList<PlanLayerCase>, IReadOnlyList<double>> LayerMilliseconds { get; init; }

    /// <summary>Milliseconds of one forward pass of each whole model (one time per case, in order).</summary>
    public required Func<IReadOnlyList<PlanModelCase>, IReadOnlyList<double>> ModelMilliseconds { get; init; }
}

/// <summary>One measured candidate: a stage's window and a head split, with the decision about it.</summary>
public sealed record ModelPlanCandidate
{
    /// <summary>0-based stage index (printed 1-based).</summary>
    public required int StageIndex { get; init; }

    /// <summary>Window size s.</summary>
    public required int Window { get; init; }

    /// <summary>Share of Lo-Fi heads.</summary>
    public required double Alpha { get; init; }

    /// <summary>Lo-Fi heads of the stage.</summary>
    public required int LoFiHeads { get; init; }

    /// <summary>Hi-Fi heads of the stage.</summary>
    public required int HiFiHeads { get; init; }

    /// <summary>Measured median milliseconds of one HiLo layer's forward pass (a batch).</summary>
    public required double MillisecondsPerLayer { get; init; }

    /// <summary>Estimated whole-model images/s with this stage so and the other planned stages at their trained windows.</summary>
    public required double EstimatedImagesPerSecond { get; init; }

    /// <summary>Published ImageNet top-1 (%) of exactly this configuration, or null when none is published.</summary>
    public double? Top1 { get; init; }

    /// <summary>Whether the accuracy constraint and the options allow this candidate.</summary>
    public required bool Allowed { get; init; }

    /// <summary>Why it is allowed or excluded (one line).</summary>
    public required string Reason { get; init; }

    /// <summary>True for the trained window with the default α.</summary>
    public bool IsDefault { get; init; }

    /// <summary>True for the chosen window and α of this stage.</summary>
    public bool IsChosen { get; init; }
}

/// <summary>The whole model measured with the chosen configuration (<see cref="ModelPlanOptions.Verify"/>), alternating with the default.</summary>
/// <param name="MeasuredMilliseconds">Measured milliseconds per batch of the planned model.</param>
/// <param name="EstimatedMilliseconds">The plan's estimate.</param>
/// <param name="DefaultMilliseconds">Measured milliseconds per batch of the default model in the same rounds.</param>
public sealed record PlanVerification(double MeasuredMilliseconds, double EstimatedMilliseconds, double DefaultMilliseconds)
{
    /// <summary>Measured speed-up of the planned model over the default, from the same rounds.</summary>
    public double SpeedUp => DefaultMilliseconds / MeasuredMilliseconds;
}
