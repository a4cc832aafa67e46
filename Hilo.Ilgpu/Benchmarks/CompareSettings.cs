using System.Globalization;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Benchmarks;

/// <summary>The paper's benchmark protocols (DESIGN.md §1).</summary>
public enum CompareProtocol
{
    /// <summary>One attention layer: HiLo (s 2, α 0.9), SRA (sr_ratio 2), local window (7), MSA on 14×14 tokens, C 768, 12 heads.</summary>
    Attention,

    /// <summary>Whole LITv2 classifiers on square images (224² by default).</summary>
    Model,
}

/// <summary>
/// What <see cref="CompareRunner"/> measures. The defaults are the paper's settings; the shape properties
/// (<see cref="MapSide"/>, <see cref="Dim"/>, <see cref="Heads"/>, <see cref="ImageSize"/>) exist so that tests can run
/// the same code on a small shape.
/// </summary>
public sealed record CompareSettings
{
    /// <summary>The attention names, in table order: <c>hilo</c>, <c>sra</c>, <c>local-window</c>, <c>msa</c>.</summary>
    public static IReadOnlyList<string> AttentionNames { get; } = ["hilo", "sra", "local-window", "msa"];

    /// <summary>The protocol.</summary>
    public CompareProtocol Protocol { get; init; } = CompareProtocol.Attention;

    /// <summary>
    /// Subjects in table order: attention names (<see cref="AttentionNames"/>) or LITv2 presets (<see cref="Litv2Config.PresetNames"/>).
    /// Empty: every attention, or <c>litv2-s, litv2-m, litv2-b</c>.
    /// </summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>Inputs per forward pass (the paper: 64).</summary>
    public int Batch { get; init; } = 64;

    /// <summary>Timed forward passes (the paper: 30).</summary>
    public int Runs { get; init; } = 30;

    /// <summary>Untimed forward passes before timing (they build every kernel and warm the caches).</summary>
    public int Warmup { get; init; } = 3;

    /// <summary>Seed of the random weights and inputs.</summary>
    public int Seed { get; init; }

    /// <summary>The kernel family every device is pinned to, or null to let each device's tuner choose (<c>--kernels</c>).</summary>
    public KernelFamily? Family { get; init; }

    /// <summary>Side of the attention protocol's token map (14: 14×14 tokens).</summary>
    public int MapSide { get; init; } = 14;

    /// <summary>Channels of the attention protocol (768).</summary>
    public int Dim { get; init; } = 768;

    /// <summary>Heads of the attention protocol (12).</summary>
    public int Heads { get; init; } = 12;

    /// <summary>HiLo window s (2) and SRA's sr_ratio (2).</summary>
    public int HiLoWindow { get; init; } = 2;

    /// <summary>HiLo's α (0.9).</summary>
    public double Alpha { get; init; } = 0.9;

    /// <summary>The local-window attention's window (7).</summary>
    public int LocalWindow { get; init; } = 7;

    /// <summary>Image side of the model protocol (224).</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary>The subjects to run: <see cref="Names"/> or the protocol's defaults.</summary>
    public IReadOnlyList<string> EffectiveNames =>
        Names.Count > 0 ? Names : Protocol == CompareProtocol.Attention ? AttentionNames : ["litv2-s", "litv2-m", "litv2-b"];

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        Require(Batch >= 1, $"--batch must be at least 1, got {Batch}");
        Require(Runs >= 1, $"--runs must be at least 1, got {Runs}");
        Require(Warmup >= 0, $"--warmup must be at least 0, got {Warmup}");
        Require(MapSide >= 1 && Dim >= 1 && Heads >= 1 && Dim % Heads == 0, $"the attention shape {MapSide}×{MapSide}, dim {Dim}, {Heads} heads is invalid");
        Require(ImageSize >= Litv2Config.MinImageSide, $"the image size must be at least {Litv2Config.MinImageSide}, got {ImageSize}");
        var valid = Protocol == CompareProtocol.Attention ? AttentionNames : Litv2Config.PresetNames;
        foreach (string name in EffectiveNames)
        {
            Require(valid.Contains(name, StringComparer.OrdinalIgnoreCase),
                $"unknown {(Protocol == CompareProtocol.Attention ? "attention" : "model")} '{name}' for --protocol {Protocol.ToString().ToLowerInvariant()}: use {string.Join(", ", valid)}");
        }
        Require(EffectiveNames.Distinct(StringComparer.OrdinalIgnoreCase).Count() == EffectiveNames.Count, "a name is listed twice");
    }

    /// <summary>
    /// Checks, before any device work, that one pass of every subject fits a device with <paramref name="freeBytes"/>
    /// free: every tensor within 32-bit indexing and the estimated memory within what is free.
    /// </summary>
    /// <exception cref="InputTooLargeException">A subject does not fit; the message names it and the memory needed.</exception>
    public void EnsureFits(string device, long freeBytes)
    {
        foreach (string name in EffectiveNames)
        {
            if (Protocol == CompareProtocol.Model)
            {
                var config = Litv2Config.Preset(name);
                Litv2Footprint.Of(config, Batch, ImageSize, ImageSize).EnsureFits(config.Name, device, freeBytes, 4 * config.ApproximateParameterCount);
                continue;
            }
            // An attention layer on N tokens of dim C: input, q/k/v, attention output and projection (8·N·C), and the
            // scores of every head over every token (N², MSA's worst case), per input.
            double tokens = (double)MapSide * MapSide;
            double scores = Heads * tokens * tokens, largest = Math.Max(3 * tokens * Dim, scores) * Batch;
            double bytes = 4 * Batch * (8 * tokens * Dim + scores), weights = 4.0 * 4 * Dim * Dim;
            InputTooLargeException.ThrowIfTooLarge(string.Create(CultureInfo.InvariantCulture, $"{name}: a batch of {Batch} map(s) of {MapSide}×{MapSide}×{Dim}"),
                device, Saturate(largest), Saturate(bytes), Saturate(weights), freeBytes);
        }
    }

    private static long Saturate(double value) => value >= long.MaxValue ? long.MaxValue : (long)value;

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message + ".");
        }
    }
}
