using Hilo.Ilgpu.Models;
using static Hilo.Ilgpu.Scheduling.ModelPlanner;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>
/// Which head splits α a plan may try and which the accuracy constraint allows: the published sweep's α for
/// LITv2-S (top-1 within the allowed drop of the default's), the sweep's grid without constraint for a freshly
/// initialised model, and only the default α otherwise (weights given, or no sweep published).
/// </summary>
internal sealed class PlanAlphaPolicy
{
    private readonly Litv2Config config;
    private readonly bool sweep;
    private readonly bool fresh;
    private readonly bool fromWeights;
    private readonly double maxDrop;

    private PlanAlphaPolicy(Litv2Config config, ModelPlanOptions options, double defaultAlpha, IReadOnlyList<double> alphas)
    {
        this.config = config;
        sweep = AlphaSweep.AppliesTo(config);
        fresh = options.Fresh;
        fromWeights = options.Weights is not null;
        maxDrop = options.MaxTop1Drop;
        Default = defaultAlpha;
        Alphas = alphas;
        DefaultTop1 = PublishedTop1(defaultAlpha);
        Threshold = !fresh && !fromWeights && sweep && DefaultTop1 is { } top1 && alphas.Count > 1 ? top1 - maxDrop : null;
    }

    /// <summary>The α values measured, in increasing order.</summary>
    public IReadOnlyList<double> Alphas { get; }

    /// <summary>The model's own α (the config's, or the weights').</summary>
    public double Default { get; }

    /// <summary>Published top-1 of the default configuration, or null.</summary>
    public double? DefaultTop1 { get; }

    /// <summary>Smallest allowed published top-1, or null when no accuracy constraint applies.</summary>
    public double? Threshold { get; }

    public static PlanAlphaPolicy Create(Litv2Config config, ModelPlanOptions options, bool anyPlannedStage, List<string> notes)
    {
        double alpha = options.Weights is null ? config.Alpha : AlphaSweep.AlphaOf(options.Weights, config);
        if (!anyPlannedStage)
        {
            notes.Add("No stage has a HiLo window > 1: α splits no heads and there is nothing to plan.");
            return new PlanAlphaPolicy(config, options, alpha, [alpha]);
        }
        if (options.Weights is not null)
        {
            notes.Add(Text($"α {A(alpha)} is fixed by the weights' head split; only windows vary.") +
                (alpha.Equals(config.Alpha) ? "" : Text($" (The config says α {A(config.Alpha)}: the weights win.)")));
            return new PlanAlphaPolicy(config, options, alpha, [alpha]);
        }
        if (options.Fresh)
        {
            notes.Add(Text($"Freshly initialised model (--fresh): α is free over the sweep's grid and no accuracy constraint applies; the model must be trained with the chosen configuration."));
            return new PlanAlphaPolicy(config, options, alpha, [.. AlphaSweep.Alphas.Append(alpha).Distinct().Order()]);
        }
        if (AlphaSweep.AppliesTo(config) && AlphaSweep.Top1(alpha) is not null)
        {
            return new PlanAlphaPolicy(config, options, alpha, AlphaSweep.Alphas);
        }
        notes.Add(AlphaSweep.AppliesTo(config)
            ? Text($"α {A(alpha)} is not a point of the published LITv2-S sweep: α held.")
            : Text($"{config.Name} has no published α sweep (only LITv2-S has one): α held at {A(alpha)}; other α need weights trained with them (plan a model you will train from scratch with --fresh)."));
        return new PlanAlphaPolicy(config, options, alpha, [alpha]);
    }

    /// <summary>Published top-1 of α with the trained windows: the sweep's for LITv2-S, the paper's table for the default of M/B, else null.</summary>
    public double? PublishedTop1(double alpha) =>
        sweep ? AlphaSweep.Top1(alpha) : alpha.Equals(config.Alpha) ? AlphaSweep.PresetTop1(config) : null;

    /// <summary>Whether α is allowed, and why (one clause).</summary>
    public (bool Allowed, string Reason) Judge(double alpha)
    {
        if (alpha.Equals(Default))
        {
            return (true, fromWeights ? "α of the weights" : "default α");
        }
        if (fresh)
        {
            return (true, "fresh model: no accuracy constraint");
        }
        if (Threshold is { } threshold && AlphaSweep.Top1(alpha) is { } top1)
        {
            // Compare in hundredths: the table has two decimals, and 82.03 − 0.09 must equal 81.94 exactly.
            return Math.Round(top1 * 100) >= Math.Round(threshold * 100)
                ? (true, Text($"top-1 {top1:0.00} ≥ {threshold:0.00}"))
                : (false, Text($"excluded: top-1 {top1:0.00} < {threshold:0.00} ({DefaultTop1:0.00} − {maxDrop:0.0#})"));
        }
        return (false, "excluded: no published top-1");
    }

    /// <summary>What the chosen α means for the weights to load.</summary>
    public string WeightsNote(double alpha, ModelPlanner.PlannedStage stage, ModelPlanOptions options)
    {
        int lo = AlphaSweep.LoFiHeads(stage.Heads, alpha), hi = stage.Heads - lo;
        string split = Text($"{lo} Lo-Fi / {hi} Hi-Fi heads of {stage.Heads} in stage {stage.Index + 1}");
        if (options.Weights is not null)
        {
            return Text($"α {A(alpha)} ({split}) is the split of the given weights.");
        }
        if (fresh)
        {
            return Text($"α {A(alpha)} ({split}): train the model with it; no published top-1 applies.");
        }
        if (!sweep)
        {
            return Text($"α {A(alpha)} ({split}) is the split of the released {config.Name} weights.");
        }
        string which = alpha.Equals(0.9) ? "the main released LITv2-S checkpoint (also the sweep's α 0.9 point)" : Text($"the released LITv2-S α-sweep checkpoint for α {A(alpha)}");
        return alpha.Equals(Default)
            ? Text($"α {A(alpha)} ({split}) is kept: load {which}.")
            : Text($"α {A(alpha)} ({split}) changes the weights: load {which} from the official repository (ziplab/LITv2), not the α {A(Default)} weights.");
    }
}
