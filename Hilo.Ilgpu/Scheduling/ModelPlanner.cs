using System.Globalization;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>
/// The model-level layer scheduler (DESIGN.md §4, docs/plan.md): for a LITv2 configuration on a device, times the
/// HiLo layer of every stage with a window s &gt; 1 for each candidate window size (changes no weights) and head
/// split α (from the published α sweep), estimates the whole model's time from them, and chooses the fastest
/// configuration whose published top-1 is within <see cref="ModelPlanOptions.MaxTop1Drop"/> of the default's.
/// </summary>
public static class ModelPlanner
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Plans <paramref name="config"/> by measuring on <paramref name="device"/> (random weights and inputs).</summary>
    /// <param name="device">The device to plan for.</param>
    /// <param name="config">The model; its <c>local_ws</c> and α are the defaults (what it was trained with).</param>
    /// <param name="options">What may change and how to measure.</param>
    /// <param name="progress">Receives one line per measurement; may be null.</param>
    /// <exception cref="ArgumentException">Invalid options or config, or weights that do not fit the config.</exception>
    public static ModelPlan Plan(ComputeDevice device, Litv2Config config, ModelPlanOptions options, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Plan(config, options, ModelPlannerTiming.OnDevice(device, options.Runs, options.Warmup, options.Seed, progress), progress);
    }

    /// <summary>Plans <paramref name="config"/> with the timings of <paramref name="timer"/> (a device's, or given numbers).</summary>
    /// <exception cref="ArgumentException">Invalid options or config, or weights that do not fit the config.</exception>
    public static ModelPlan Plan(Litv2Config config, ModelPlanOptions options, ModelPlanTimer timer, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timer);
        options.Validate();
        config.Validate();
        int image = options.ImageSize ?? config.ImgSize;
        int batch = options.Batch ?? (timer.IsGpu ? 64 : 16);
        // Before anything is timed: the trained windows fit the maps, and a pass fits the device (32-bit indexing, memory).
        config.CheckWindows(image, image);
        Litv2Footprint.Of(config, batch, image, image)
            .EnsureFits(config.Name, timer.DeviceId, timer.FreeMemoryBytes ?? long.MaxValue, 4 * config.ApproximateParameterCount);
        var notes = new List<string>();
        var stages = PlannedStages(config, options, image, notes);
        var policy = PlanAlphaPolicy.Create(config, options, stages.Count > 0, notes);

        // Measure every (stage, window, split) once; α values giving the same split share a measurement.
        var cases = new List<PlanLayerCase>();
        foreach (var st in stages)
        {
            foreach (int s in st.Windows)
            {
                cases.AddRange(policy.Alphas.Select(a => new PlanLayerCase(st.Index, st.Dim, st.Heads, st.Height, st.Width, s, a, config.QkvBias, batch))
                    .DistinctBy(c => c.LoFiHeads));
            }
        }
        progress?.Report(Text($"timing {cases.Count} HiLo layer configuration(s), then the whole model{(options.Verify ? " (twice: default and planned)" : "")}"));
        var measured = Measured(timer.LayerMilliseconds(cases), cases.Count, "layer");
        var layerMs = new Dictionary<(int Stage, int Window, int LoFi), double>();
        for (int k = 0; k < cases.Count; k++)
        {
            var c = cases[k];
            layerMs[(c.Stage, c.Window, c.LoFiHeads)] = measured[k];
            progress?.Report(Text($"stage {c.Stage + 1}, s {c.Window}, {c.LoFiHeads} Lo-Fi / {c.Heads - c.LoFiHeads} Hi-Fi: {measured[k]:0.00} ms per layer"));
        }
        var baseline = config with { Alpha = policy.Default };
        double modelMs = Measured(timer.ModelMilliseconds([new PlanModelCase(baseline, image, batch)]), 1, "model")[0];
        progress?.Report(Text($"whole model, α {A(policy.Default)}, local_ws [{string.Join(", ", config.LocalWs)}]: {modelMs:0.0} ms per batch"));

        double LayerTime(PlannedStage st, int s, double alpha) => layerMs[(st.Index, s, AlphaSweep.LoFiHeads(st.Heads, alpha))];
        double Planned(double alpha, IReadOnlyList<int> windows) => stages.Select((st, k) => st.Depth * LayerTime(st, windows[k], alpha)).Sum();
        int[] trained = stages.Select(st => st.Trained).ToArray();
        double rest = modelMs - Planned(policy.Default, trained);
        if (rest < 0)
        {
            notes.Add(Text($"The planned layers timed alone took {-rest:0.0} ms longer than the whole model (noise): the rest of the model is taken as 0 ms."));
            rest = 0;
        }
        double Estimate(double alpha, IReadOnlyList<int> windows) => rest + Planned(alpha, windows);

        var chosen = Choose(stages, policy, options.MinGain, Estimate, trained, notes);
        var localWs = config.LocalWs.ToArray();
        for (int k = 0; k < stages.Count; k++)
        {
            localWs[stages[k].Index] = chosen.Windows[k];
        }
        var candidates = Candidates(stages, policy, chosen, trained, LayerTime, Estimate, batch);
        var plan = new ModelPlan
        {
            Config = config,
            DeviceId = timer.DeviceId,
            DeviceName = timer.DeviceName,
            DeviceKind = timer.IsGpu ? "gpu" : "cpu",
            ImageSize = image,
            Batch = batch,
            Runs = options.Runs,
            MaxTop1Drop = options.MaxTop1Drop,
            DefaultAlpha = policy.Default,
            DefaultTop1 = policy.DefaultTop1,
            Top1Threshold = policy.Threshold,
            DefaultMilliseconds = modelMs,
            RestMilliseconds = rest,
            Candidates = candidates,
            Alpha = chosen.Alpha,
            LocalWs = localWs,
            EstimatedMilliseconds = chosen.Milliseconds,
            Top1 = chosen.Windows.SequenceEqual(trained) ? policy.PublishedTop1(chosen.Alpha) : null,
            Notes = notes,
        };
        notes.AddRange(ChoiceNotes(plan, stages, policy, options));
        if (options.Verify)
        {
            // The default again, alternating with the planned model, so that both see the same machine load.
            var again = Measured(timer.ModelMilliseconds([new PlanModelCase(baseline, image, batch), new PlanModelCase(plan.PlannedConfig, image, batch)]), 2, "model");
            progress?.Report(Text($"whole model as planned: {again[1]:0.0} ms per batch (estimated {chosen.Milliseconds:0.0}); default again: {again[0]:0.0} ms"));
            plan = plan with { Verification = new PlanVerification(again[1], chosen.Milliseconds, again[0]) };
        }
        return plan;
    }

    /// <summary>
    /// The window sizes tried for a stage of <paramref name="height"/> × <paramref name="width"/> tokens:
    /// <paramref name="windows"/> (default 2, 4, 7, 14, 28, …) up to the map's longer side, and always the trained one.
    /// HiLo pads a map to multiples of s, so s need not divide the side.
    /// </summary>
    public static IReadOnlyList<int> WindowCandidates(int height, int width, int trained, IReadOnlyList<int>? windows = null)
    {
        var sequence = windows ?? DefaultWindows(Math.Max(height, width));
        return sequence.Where(s => s >= 2 && Litv2Config.WindowFits(s, height, width)).Append(trained).Distinct().Order().ToList();
    }

    private static List<int> DefaultWindows(int side)
    {
        var list = new List<int> { 2, 4 };
        for (int s = 7; s <= side; s *= 2)
        {
            list.Add(s);
        }
        return list;
    }

    private static List<PlannedStage> PlannedStages(Litv2Config config, ModelPlanOptions options, int image, List<string> notes)
    {
        var sizes = Litv2Model.StageSizes(image, image);
        var stages = new List<PlannedStage>();
        for (int i = 0; i < Litv2Config.StageCount; i++)
        {
            if (!Litv2Config.HasAttention(i) || config.Depths[i] == 0)
            {
                continue;
            }
            var (h, w) = sizes[i];
            if (config.LocalWs[i] == 1)
            {
                notes.Add(Text($"Stage {i + 1} keeps local_ws 1: plain multi-head attention over all {config.NumHeads[i]} heads; a window > 1 would split its heads by α, which needs other weights."));
                continue;
            }
            int trained = config.LocalWs[i];
            var windows = options.KeepWindows ? [trained] : WindowCandidates(h, w, trained, options.Windows);
            var tooLarge = options.KeepWindows ? [] : options.Windows?.Where(s => !Litv2Config.WindowFits(s, h, w) && s != trained).ToList() ?? [];
            if (tooLarge.Count > 0)
            {
                notes.Add(Text($"Stage {i + 1}: window(s) {string.Join(", ", tooLarge)} skipped, larger than its {h}×{w} map at {image}²."));
            }
            stages.Add(new PlannedStage(i, config.StageDim(i), config.NumHeads[i], h, w, config.Depths[i], trained, windows));
        }
        if (options.KeepWindows && stages.Count > 0)
        {
            notes.Add("--keep-windows: every stage keeps its trained window; only α may change.");
        }
        return stages;
    }

    private static PlanChoice Choose(List<PlannedStage> stages, PlanAlphaPolicy policy, double minGain,
        Func<double, IReadOnlyList<int>, double> estimate, int[] trained, List<string> notes)
    {
        var combos = new List<int[]> { Array.Empty<int>() };
        foreach (var st in stages)
        {
            combos = [.. combos.SelectMany(c => st.Windows.Select(s => (int[])[.. c, s]))];
        }
        var plans = policy.Alphas.Where(a => policy.Judge(a).Allowed)
            .SelectMany(a => combos.Where(w => w.Select((s, k) => WindowProblem(stages[k], s, a) is null).All(ok => ok))
                .Select(w => new PlanChoice(a, w, estimate(a, w),
                a.Equals(policy.Default) ? 0 : 1, w.Where((s, k) => s != trained[k]).Count())))
            .ToList();
        var fastest = plans.MinBy(p => p.Milliseconds)!;
        // Start from the default; walk the levels of change (windows first, then α, which needs other weights) and
        // take a level's fastest only when it beats the configuration chosen so far by more than min-gain.
        var chosen = plans.Single(p => p.AlphaChanges == 0 && p.WindowChanges == 0);
        foreach (var level in plans.GroupBy(p => (p.AlphaChanges, p.WindowChanges)).OrderBy(g => g.Key.AlphaChanges).ThenBy(g => g.Key.WindowChanges))
        {
            var best = level.MinBy(p => p.Milliseconds)!;
            if (best.Milliseconds * (1 + minGain) < chosen.Milliseconds)
            {
                chosen = best;
            }
        }
        if (!ReferenceEquals(chosen, fastest) && fastest.Milliseconds < chosen.Milliseconds)
        {
            notes.Add(Text($"The fastest allowed configuration (α {A(fastest.Alpha)}, windows {string.Join(", ", fastest.Windows)}) is only ") +
                Text($"{(chosen.Milliseconds / fastest.Milliseconds - 1) * 100:0.0}% faster than the chosen one, within min-gain {minGain * 100:0.#}%: the plan keeps fewer changes."));
        }
        return chosen;
    }

    private static List<ModelPlanCandidate> Candidates(List<PlannedStage> stages, PlanAlphaPolicy policy, PlanChoice chosen, int[] trained,
        Func<PlannedStage, int, double, double> layerTime, Func<double, IReadOnlyList<int>, double> estimate, int batch)
    {
        var rows = new List<ModelPlanCandidate>();
        for (int k = 0; k < stages.Count; k++)
        {
            var st = stages[k];
            foreach (int s in st.Windows)
            {
                foreach (double alpha in policy.Alphas)
                {
                    int[] windows = [.. trained];
                    windows[k] = s;
                    int lo = AlphaSweep.LoFiHeads(st.Heads, alpha);
                    var (allowed, reason) = policy.Judge(alpha);
                    bool trainedWindow = s == st.Trained;
                    if (allowed && WindowProblem(st, s, alpha) is { } problem)
                    {
                        (allowed, reason) = (false, problem);
                    }
                    rows.Add(new ModelPlanCandidate
                    {
                        StageIndex = st.Index,
                        Window = s,
                        Alpha = alpha,
                        LoFiHeads = lo,
                        HiFiHeads = st.Heads - lo,
                        MillisecondsPerLayer = layerTime(st, s, alpha),
                        EstimatedImagesPerSecond = batch * 1000.0 / estimate(alpha, windows),
                        Top1 = trainedWindow ? policy.PublishedTop1(alpha) : null,
                        Allowed = allowed,
                        Reason = trainedWindow || !allowed ? reason : reason + Text($"; s {s} not trained (s {st.Trained}): top-1 not published"),
                        IsDefault = trainedWindow && alpha.Equals(policy.Default),
                        IsChosen = alpha.Equals(chosen.Alpha) && s == chosen.Windows[k],
                    });
                }
            }
        }
        return rows;
    }

    // A window that pools the whole map into one Lo-Fi token makes that branch's attention a constant per image
    // (softmax over one key): a degenerate model, never proposed unless it is the trained window.
    private static string? WindowProblem(PlannedStage st, int s, double alpha)
    {
        int pooled = ((st.Height + s - 1) / s) * ((st.Width + s - 1) / s);
        return s != st.Trained && pooled == 1 && AlphaSweep.LoFiHeads(st.Heads, alpha) > 0
            ? Text($"excluded: s {s} pools the {st.Height}×{st.Width} map into one Lo-Fi token (its attention becomes a constant)")
            : null;
    }

    private static IEnumerable<string> ChoiceNotes(ModelPlan plan, List<PlannedStage> stages, PlanAlphaPolicy policy, ModelPlanOptions options)
    {
        foreach (var st in stages.Where(st => plan.LocalWs[st.Index] != st.Trained))
        {
            yield return Text($"Stage {st.Index + 1} uses s {plan.LocalWs[st.Index]} instead of the trained {st.Trained}: this changes no weights, but the paper publishes no ImageNet top-1 for it; check the accuracy on your data, or plan with --keep-windows.");
        }
        if (stages.Count > 0)
        {
            yield return policy.WeightsNote(plan.Alpha, stages[0], options);
        }
        if (policy.Threshold is not null && plan.ImageSize != 224)
        {
            yield return Text($"The published top-1 figures are for 224² images; this plan timed {plan.ImageSize}².");
        }
        if (!plan.ChangesAnything)
        {
            yield return "The default configuration is the fastest allowed one (within min-gain): nothing to change.";
        }
    }

    private static IReadOnlyList<double> Measured(IReadOnlyList<double> times, int count, string what)
    {
        if (times.Count != count || times.Any(ms => !(ms > 0 && double.IsFinite(ms))))
        {
            throw new InvalidOperationException(Text($"model plan: the {what} timer returned [{string.Join(", ", times)}] for {count} case(s); one positive, finite time per case is needed."));
        }
        return times;
    }

    internal static string A(double alpha) => alpha.ToString("0.0##", Invariant);

    internal static string Text(FormattableString text) => text.ToString(Invariant);

    internal sealed record PlannedStage(int Index, int Dim, int Heads, int Height, int Width, int Depth, int Trained, IReadOnlyList<int> Windows);

    private sealed record PlanChoice(double Alpha, int[] Windows, double Milliseconds, int AlphaChanges, int WindowChanges);
}
