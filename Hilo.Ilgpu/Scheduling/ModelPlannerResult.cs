using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>
/// The result of <see cref="ModelPlanner"/>: every measured candidate with its reason, the chosen window per stage
/// and α, and the estimated speed-up over the default configuration. <see cref="ApplyTo"/> gives the planned config.
/// </summary>
public sealed record ModelPlan
{
    /// <summary>The configuration that was planned (its windows and α are the defaults).</summary>
    public required Litv2Config Config { get; init; }

    /// <summary>The device string measured on.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The device's name.</summary>
    public required string DeviceName { get; init; }

    /// <summary><c>gpu</c> or <c>cpu</c>.</summary>
    public required string DeviceKind { get; init; }

    /// <summary>Image side in pixels.</summary>
    public required int ImageSize { get; init; }

    /// <summary>Images per forward pass.</summary>
    public required int Batch { get; init; }

    /// <summary>Timed runs per measurement.</summary>
    public required int Runs { get; init; }

    /// <summary>The accuracy constraint in top-1 points.</summary>
    public required double MaxTop1Drop { get; init; }

    /// <summary>α the model has by default: the config's, or the one its weights hold.</summary>
    public required double DefaultAlpha { get; init; }

    /// <summary>The published top-1 of the default configuration, or null when none is published.</summary>
    public double? DefaultTop1 { get; init; }

    /// <summary>Smallest published top-1 allowed (default top-1 − max drop), or null when no constraint applies.</summary>
    public double? Top1Threshold { get; init; }

    /// <summary>Measured milliseconds per batch of the whole model with the default configuration.</summary>
    public required double DefaultMilliseconds { get; init; }

    /// <summary>The part of <see cref="DefaultMilliseconds"/> outside the planned HiLo layers (the same for every candidate).</summary>
    public required double RestMilliseconds { get; init; }

    /// <summary>Every measured candidate, by stage, window and α.</summary>
    public required IReadOnlyList<ModelPlanCandidate> Candidates { get; init; }

    /// <summary>The chosen α.</summary>
    public required double Alpha { get; init; }

    /// <summary>The chosen <c>local_ws</c> (four entries).</summary>
    public required IReadOnlyList<int> LocalWs { get; init; }

    /// <summary>Estimated milliseconds per batch of the chosen configuration.</summary>
    public required double EstimatedMilliseconds { get; init; }

    /// <summary>Published top-1 of the chosen configuration, or null (e.g. a window the model was not trained with).</summary>
    public double? Top1 { get; init; }

    /// <summary>What the choice means for weights and accuracy, one sentence each.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>The chosen configuration measured as a whole, when asked for.</summary>
    public PlanVerification? Verification { get; init; }

    /// <summary>Estimated images/s of the chosen configuration.</summary>
    public double EstimatedImagesPerSecond => ImagesPerSecond(EstimatedMilliseconds);

    /// <summary>Measured images/s of the default configuration.</summary>
    public double DefaultImagesPerSecond => ImagesPerSecond(DefaultMilliseconds);

    /// <summary>Estimated speed-up of the chosen configuration over the default (1 when nothing changed).</summary>
    public double SpeedUp => DefaultMilliseconds / EstimatedMilliseconds;

    /// <summary>True when the plan changes α or a window.</summary>
    public bool ChangesAnything => !Alpha.Equals(DefaultAlpha) || !LocalWs.SequenceEqual(Config.LocalWs);

    /// <summary>Images/s of a batch that takes <paramref name="milliseconds"/>.</summary>
    public double ImagesPerSecond(double milliseconds) => Batch * 1000.0 / milliseconds;

    /// <summary>The planned configuration: <paramref name="config"/> with the chosen <c>local_ws</c> and α.</summary>
    /// <exception cref="ArgumentException"><paramref name="config"/> has another architecture than the planned one.</exception>
    public Litv2Config ApplyTo(Litv2Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.EmbedDim != Config.EmbedDim || !config.Depths.SequenceEqual(Config.Depths) || !config.NumHeads.SequenceEqual(Config.NumHeads))
        {
            throw new ArgumentException($"the plan is for {Config.Name} (embed_dim {Config.EmbedDim}, depths [{string.Join(", ", Config.Depths)}], " +
                $"num_heads [{string.Join(", ", Config.NumHeads)}]); {config.Name} has another architecture.", nameof(config));
        }
        return config with { Alpha = Alpha, LocalWs = [.. LocalWs] };
    }

    /// <summary>The planned configuration of the planned model (<see cref="ApplyTo"/> of <see cref="Config"/>).</summary>
    public Litv2Config PlannedConfig => ApplyTo(Config);
}
