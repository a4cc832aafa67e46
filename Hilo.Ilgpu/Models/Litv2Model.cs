using Hilo.Ilgpu.Kernels.Layers.Basic;
using System.Globalization;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Models;

/// <summary>
/// The LITv2 image classifier (Pan et al., "Fast Vision Transformers with HiLo Attention"), with the official
/// classification model's module tree and state-dict keys: <c>patch_embed</c> → <c>layers.0</c> … <c>layers.3</c>
/// (blocks, then a deformable token merging <c>downsample</c> after stages 1–3) → <c>norm</c> → mean over tokens →
/// <c>head</c>. Any image size of at least <see cref="Litv2Config.MinImageSide"/> pixels per side and any batch
/// size: the image is zero-padded at the bottom/right to a multiple of 4, HiLo pads its maps to multiples of its
/// window, and a merging of an odd-sized map drops the last row/column (⌊H/2⌋ × ⌊W/2⌋), as the official detection
/// backbone does. See docs/litv2.md.
/// </summary>
public sealed class Litv2Model : Module
{
    /// <summary>Creates the model with zero weights; load them with <see cref="LoadStateDict(StateDict)"/>, <see cref="LoadWeights"/> or <see cref="Module.InitializeRandom"/>.</summary>
    /// <exception cref="ArgumentException">The config is invalid.</exception>
    public Litv2Model(ComputeDevice device, Litv2Config config) : base(device)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        PatchEmbed = AddChild("patch_embed", new PatchEmbed(device, config.EmbedDim, Litv2Config.InChannels, Litv2Config.PatchSize));
        Layers = AddChild("layers", new ModuleList<Litv2Stage>(device));
        for (int i = 0; i < Litv2Config.StageCount; i++)
        {
            Layers.Add(new Litv2Stage(device, config, i));
        }
        Norm = AddChild("norm", new LayerNorm(device, config.NumFeatures));
        Head = AddChild("head", new Linear(device, config.NumFeatures, config.NumClasses));
    }

    /// <summary>The hyperparameters.</summary>
    public Litv2Config Config { get; }

    /// <summary>The architecture name used in messages (the config's name, e.g. <c>litv2-s</c>).</summary>
    public string Architecture => Config.Name;

    /// <summary><c>patch_embed</c>.</summary>
    public PatchEmbed PatchEmbed { get; }

    /// <summary><c>layers</c>: the four stages.</summary>
    public ModuleList<Litv2Stage> Layers { get; }

    /// <summary><c>norm</c>: the final LayerNorm.</summary>
    public LayerNorm Norm { get; }

    /// <summary><c>head</c>: the classifier.</summary>
    public Linear Head { get; }

    /// <summary>Loads weights strictly (every missing, unexpected or mis-shaped key reported, with <see cref="Architecture"/>).</summary>
    /// <exception cref="CheckpointMismatchException">The state dict does not fit this architecture.</exception>
    /// <exception cref="NonFiniteWeightsException">A weight is NaN or infinite (the key is named).</exception>
    public void LoadStateDict(StateDict state) => LoadStateDict(state, Architecture);

    /// <summary>Loads a checkpoint file (torch.save zip, bare or wrapped in <c>{'model': …}</c>, or .safetensors; <c>module.</c> prefixes removed).</summary>
    public void LoadWeights(string path) => LoadStateDict(CheckpointLoader.Load(path, schema: Schema(Architecture)));

    /// <summary>Token map size of each stage for an image of <paramref name="height"/> × <paramref name="width"/> pixels.</summary>
    public static IReadOnlyList<(int Height, int Width)> StageSizes(int height, int width)
    {
        var sizes = new List<(int, int)>();
        int h = (height + Litv2Config.PatchSize - 1) / Litv2Config.PatchSize;
        int w = (width + Litv2Config.PatchSize - 1) / Litv2Config.PatchSize;
        for (int i = 0; i < Litv2Config.StageCount; i++)
        {
            sizes.Add((h, w));
            h /= 2;
            w /= 2;
        }
        return sizes;
    }

    /// <summary>What a forward pass on <paramref name="batch"/> images of <paramref name="height"/> × <paramref name="width"/> needs (see <see cref="Litv2Footprint"/>).</summary>
    public Litv2Footprint Footprint(int batch, int height, int width) => Litv2Footprint.Of(Config, batch, height, width);

    /// <summary>
    /// Checks, before anything is allocated, that a forward pass on <paramref name="batch"/> images of
    /// <paramref name="height"/> × <paramref name="width"/> fits this device (32-bit indexing, free memory) and that
    /// every HiLo window fits its stage's map (<see cref="Litv2Config.CheckWindows"/>).
    /// </summary>
    /// <exception cref="InputTooLargeException">Too large for the device; the message gives the memory needed and free.</exception>
    /// <exception cref="ArgumentException">A window larger than its stage's token map.</exception>
    public void EnsureFits(int batch, int height, int width)
    {
        Config.CheckWindows(height, width);
        long parameterBytes = 4 * ParameterCount;
        long free = Device.Kernels.FreeBytes + parameterBytes; // the weights are allocated already and count in the need
        Footprint(batch, height, width).EnsureFits(Architecture, Device.Info.Id, free, parameterBytes);
    }

    /// <summary>Classifies <paramref name="images"/> (NCHW, B × 3 × H × W, normalised as in training); returns new B × num_classes logits.</summary>
    /// <exception cref="ArgumentException">Wrong rank, channels, or an image smaller than <see cref="Litv2Config.MinImageSide"/>.</exception>
    /// <exception cref="NonFiniteActivationsException">A layer's output held a NaN or an infinity (with <see cref="CheckFinite"/>): the exception names the first such layer.</exception>
    /// <remarks>Thread-safe: calls from several threads on one model run one after another; for passes in parallel on one device, use one model per thread.</remarks>
    public Tensor Forward(Tensor images)
    {
        lock (passGate)
        {
            return ForwardCore(images);
        }
    }

    // A model's layers reuse their work buffers from pass to pass, so one model runs one pass at a time; passes of
    // different models on the same device interleave freely (the device's caches, pool and tuner are thread-safe).
    private readonly Lock passGate = new();

    private Tensor ForwardCore(Tensor images)
    {
        CheckImages(images);
        EnsurePrepared();
        if (!CheckFinite)
        {
            var (unchecked_, pooledOnly, _) = Run(images, keepStages: false);
            pooledOnly.Dispose();
            return unchecked_;
        }
        // Every layer's output is scanned on the device as soon as it exists (one memory pass each), setting its flag;
        // the flags are read once at the end. Checking the logits alone is not enough: the deformable token merging
        // samples NaN offsets as "outside the map" (zero), so a NaN in stage 1 can vanish before the logits.
        var names = new List<string>();
        using var flags = Device.Allocate(FlagCount);
        Elementwise.Fill(Device.Kernels, Device.Family, flags.View, 0f);
        void Mark(string name, Tensor output)
        {
            Elementwise.FlagNonFinite(Device.Kernels, Device.Family, output.View, flags.View, names.Count);
            names.Add(name);
        }
        Mark(FiniteCheckNames.Input, images);
        // The input is checked before any layer sees it (one small read): a NaN reaching the group reductions of
        // ILGPU's CPU accelerator hung its LayerNorm kernel (observed with ILGPU 1.5.3), and failing early is cheaper.
        if (flags.ToArray()[0] != 0f)
        {
            throw new NonFiniteActivationsException(Architecture, FiniteCheckNames.Input);
        }
        var (logits, pooled, _) = Run(images, keepStages: false, Mark);
        pooled.Dispose();
        Mark("head", logits);
        int first = Array.IndexOf(flags.ToArray(), 1f);
        if (first >= 0)
        {
            logits.Dispose();
            throw new NonFiniteActivationsException(Architecture, names[first]);
        }
        return logits;
    }

    // One flag per checked output: the input, patch_embed, every block, three mergings, norm, head.
    private int FlagCount => 7 + Config.Depths.Sum();

    /// <summary>
    /// Whether <see cref="Forward"/> checks every layer's output for NaN and infinity (default true): one pass over
    /// each output on the device and one read of a few flags per forward pass; a non-finite value ends the pass with a
    /// <see cref="NonFiniteActivationsException"/> naming the first layer that produced one.
    /// </summary>
    public bool CheckFinite { get; set; } = true;

    /// <summary>
    /// Runs the model and keeps every stage's map (see <see cref="FeatureMap"/>), the pooled features and the logits,
    /// for dense-prediction users. Dispose the result.
    /// </summary>
    public Litv2Features ForwardFeatures(Tensor images)
    {
        lock (passGate)
        {
            CheckImages(images);
            EnsurePrepared();
            var (logits, pooled, stages) = Run(images, keepStages: true);
            return new Litv2Features(stages!, pooled, logits);
        }
    }

    /// <summary>
    /// One pass for inspection (HiLo explanations), serialised with <see cref="Forward"/>: <paramref name="inspect"/>
    /// sees every layer's output as in <see cref="Run"/> and may throw to end the pass early; the logits are dropped.
    /// </summary>
    internal void Trace(Tensor images, Action<string, Tensor> inspect)
    {
        lock (passGate)
        {
            CheckImages(images);
            EnsurePrepared();
            var (logits, pooled, _) = Run(images, keepStages: false, inspect);
            logits.Dispose();
            pooled.Dispose();
        }
    }

    /// <summary>
    /// The forward pass; <paramref name="inspect"/>, if given, sees every layer's output with the layer's official name
    /// (<c>patch_embed</c>, <c>layers.2.blocks.3</c>, <c>layers.0.downsample</c>, <c>norm</c>; not the head's) as soon as
    /// it is computed, and may throw to stop the pass. Callers check the images and prepare the weights first (once per pass).
    /// </summary>
    private (Tensor Logits, Tensor Pooled, List<FeatureMap>? Stages) Run(Tensor images, bool keepStages, Action<string, Tensor>? inspect = null)
    {
        var stages = keepStages ? new List<FeatureMap>() : null;
        Tensor? x = null;
        try
        {
            (x, int h, int w) = PatchEmbed.Forward(images);
            inspect?.Invoke("patch_embed", x);
            for (int i = 0; i < Layers.Items.Count; i++)
            {
                var stage = Layers.Items[i];
                var map = x;
                stage.Apply(x, h, w, inspect is null ? null : j => inspect($"layers.{i}.blocks.{j}", map));
                stages?.Add(new FeatureMap(x, h, w));
                if (stage.Downsample is { } merge)
                {
                    var previous = x;
                    (x, h, w) = merge.Forward(previous, h, w);
                    if (!keepStages)
                    {
                        previous.Dispose();
                    }
                    inspect?.Invoke($"layers.{i}.downsample", x);
                }
            }
            Tensor pooled;
            using (var normed = Norm.Forward(x))
            {
                inspect?.Invoke("norm", normed);
                pooled = Ops.MeanOverTokens(normed);
            }
            try
            {
                var logits = Head.Forward(pooled);
                if (!keepStages)
                {
                    x.Dispose();
                }
                return (logits, pooled, stages);
            }
            catch
            {
                pooled.Dispose();
                throw;
            }
        }
        catch
        {
            if (stages is not null)
            {
                foreach (var s in stages.Where(s => s.Tokens != x))
                {
                    s.Tokens.Dispose();
                }
            }
            x?.Dispose();
            throw;
        }
    }

    private void CheckImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Device != Device)
        {
            throw new ArgumentException($"LITv2 ({Architecture}): the images are on {images.Device.Info.Id}, the model on {Device.Info.Id}.", nameof(images));
        }
        if (images.Rank != 4 || images.Dim(1) != Litv2Config.InChannels)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"LITv2 ({Architecture}): expected images of shape [B, {Litv2Config.InChannels}, H, W] (NCHW), got {images.ShapeText}."), nameof(images));
        }
        int min = Litv2Config.MinImageSide;
        if (images.Dim(0) < 1 || images.Dim(2) < min || images.Dim(3) < min)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"LITv2 ({Architecture}): images must be at least {min}×{min} pixels and the batch at least 1 (three 2×2 token mergings follow the 4×4 patch embedding), got {images.ShapeText}."), nameof(images));
        }
        EnsureFits(images.Dim(0), images.Dim(2), images.Dim(3));
    }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
    }

    /// <inheritdoc />
    public override string ToString() => $"LITv2 {Config} ({ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} parameters)";
}
