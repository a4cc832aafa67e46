using System.Globalization;
using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Analysis;

/// <summary>
/// Explains what one HiLo block and one deformable token merging of a <see cref="Litv2Model"/> do with an image
/// (docs/explain.md): one forward pass on the device captures the block's input and the merging's input, then the
/// block's attention and the merging's offsets are recomputed in float64 on the host from those inputs and the
/// layers' weights. The recomputed attention output is returned too (<see cref="HiLoMaps.AttentionOutput"/>): it
/// matches the device's, so the maps are the model's attention, not an approximation of it.
/// </summary>
public static class HiLoExplainer
{
    /// <summary>
    /// Computes the maps for one preprocessed image <paramref name="image"/> (1 × 3 × H × W on the model's device,
    /// normalised as for <see cref="Litv2Model.Forward"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An option out of range for this model and image (named with its valid range), or not one image.</exception>
    public static HiLoMaps Compute(Litv2Model model, Tensor image, ExplainOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        if (image.Rank != 4 || image.Dim(0) != 1 || image.Dim(1) != Litv2Config.InChannels)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"HiLoExplainer: expected one preprocessed image of shape [1, {Litv2Config.InChannels}, H, W], got {image.ShapeText}."), nameof(image));
        }
        int imageHeight = image.Dim(2), imageWidth = image.Dim(3);
        options.Validate(model.Config, imageHeight, imageWidth);
        int stage = options.Stage - 1;
        var sizes = Litv2Model.StageSizes(imageHeight, imageWidth);
        var (h, w) = sizes[stage];
        var block = (HiLoBlock)model.Layers.Items[stage].Blocks.Items[options.Block];
        string blockInputName = InputName(stage, options.Block);
        string mergeInputName = InputName(options.Merge, model.Config.Depths[options.Merge]);
        var captured = Capture(model, image, [blockInputName, mergeInputName]);

        float[] x = captured[blockInputName];
        var (qRow, qColumn) = options.QueryOn(h, w);
        var replay = HiLoReplay.Run(block, x, h, w, options.EffectiveHiFiHead, options.EffectiveLoFiHead);
        var attn = block.Attn;
        return new HiLoMaps(options, imageHeight, imageWidth, h, w)
        {
            WindowSize = attn.WindowSize,
            HiFiHeads = attn.HiFiHeads,
            LoFiHeads = attn.LoFiHeads,
            Channels = attn.Dim,
            BlockInput = x,
            AttentionOutput = replay.Output,
            HiFi = replay.HiFi is null ? null : HiFiMapOf(replay.HiFi, attn.WindowSize, h, w, options.EffectiveHiFiHead),
            HiFiAbsentReason = replay.HiFi is not null ? null : attn.WindowSize == 1
                ? $"stage {options.Stage} uses local_ws = 1: every head is Lo-Fi over the unpooled map (plain multi-head self-attention), so there is no Hi-Fi branch"
                : $"stage {options.Stage} has no Hi-Fi heads (alpha = {attn.Alpha.ToString(CultureInfo.InvariantCulture)} makes all {attn.NumHeads} heads Lo-Fi)",
            LoFi = replay.LoFi is null ? null : LoFiMapOf(replay, h, w, attn.WindowSize, (qRow, qColumn), options.EffectiveLoFiHead),
            LoFiAbsentReason = replay.LoFi is not null ? null
                : $"stage {options.Stage} has no Lo-Fi heads (alpha = {attn.Alpha.ToString(CultureInfo.InvariantCulture)} makes all {attn.NumHeads} heads Hi-Fi)",
            Dtm = DtmOf(model, options.Merge, captured[mergeInputName], sizes[options.Merge]),
        };
    }

    // The official name of the layer whose output enters block `block` of stage `stage` (0-based); block = depth gives
    // what enters the stage's merging.
    private static string InputName(int stage, int block)
    {
        if (block > 0)
        {
            return $"layers.{stage}.blocks.{block - 1}";
        }
        if (stage == 0)
        {
            return "patch_embed";
        }
        return $"layers.{stage - 1}.downsample";
    }

    // One pass that copies the named outputs to the host as they appear (blocks update their map in place, so later
    // is too late) and stops as soon as it has them all.
    private static Dictionary<string, float[]> Capture(Litv2Model model, Tensor image, string[] names)
    {
        var captured = new Dictionary<string, float[]>(StringComparer.Ordinal);
        try
        {
            model.Trace(image, (name, tensor) =>
            {
                if (names.Contains(name, StringComparer.Ordinal))
                {
                    captured[name] = tensor.ToArray();
                    if (names.All(captured.ContainsKey))
                    {
                        throw new PassDone();
                    }
                }
            });
        }
        catch (PassDone)
        {
            // The pass ended early on purpose: everything needed is captured.
        }
        var missing = names.Where(n => !captured.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"HiLoExplainer: the forward pass did not report {string.Join(", ", missing)}.");
        }
        return captured;
    }

    private static HiFiMap HiFiMapOf(double[] probabilities, int s, int height, int width, int head)
    {
        int area = s * s, across = (width + s - 1) / s, down = (height + s - 1) / s;
        var received = new double[height * width];
        for (int wy = 0; wy < down; wy++)
        {
            for (int wx = 0; wx < across; wx++)
            {
                int window = wy * across + wx;
                // Only the window's real queries: padded ones are cropped from the output, they attend to nothing that counts.
                var queries = Enumerable.Range(0, area).Where(t => Real(wy * s + t / s, wx * s + t % s)).ToList();
                for (int k = 0; k < area; k++)
                {
                    int y = wy * s + k / s, x = wx * s + k % s;
                    if (Real(y, x))
                    {
                        received[y * width + x] = queries.Average(q => probabilities[(window * area + q) * area + k]);
                    }
                }
            }
        }
        return new HiFiMap { Head = head, WindowSize = s, WindowRows = down, WindowColumns = across, Received = received, Probabilities = probabilities };

        bool Real(int y, int x) => y < height && x < width;
    }

    private static LoFiMap LoFiMapOf(HiLoReplay replay, int height, int width, int s, (int Row, int Column) query, int head)
    {
        double[] p = replay.LoFi!;
        int keys = replay.KeyRows * replay.KeyColumns, n = height * width;
        var mean = new double[keys];
        for (int q = 0; q < n; q++)
        {
            for (int k = 0; k < keys; k++)
            {
                mean[k] += p[q * keys + k] / n;
            }
        }
        int at = (query.Row * width + query.Column) * keys;
        return new LoFiMap
        {
            Head = head, Query = query, PoolSize = s, KeyRows = replay.KeyRows, KeyColumns = replay.KeyColumns,
            QueryAttention = p.AsSpan(at, keys).ToArray(), MeanAttention = mean, Probabilities = p,
        };
    }

    // conv_offset of the merging on its captured input, in float64 (a k = s = 2 conv; channels 2t, 2t + 1 = Δy, Δx of tap t).
    private static DtmSamples DtmOf(Litv2Model model, int merge, float[] input, (int Height, int Width) size)
    {
        var dconv = model.Layers.Items[merge].Downsample!.Dconv;
        var conv = dconv.ConvOffset!;
        double[] offsets = ConvReference.PatchConv(input, 1, size.Height, size.Width, conv.InChannels, conv.Weight.Value.Data, conv.Bias?.Value.Data, conv.OutChannels, conv.KernelSize);
        var (oh, ow) = dconv.OutputSize(size.Height, size.Width);
        return new DtmSamples { Merge = merge, InputHeight = size.Height, InputWidth = size.Width, OutputHeight = oh, OutputWidth = ow, Offsets = offsets };
    }

    // Ends the capture pass once every wanted output is on the host (the model's hook allows throwing to stop).
    private sealed class PassDone : Exception
    {
    }
}
