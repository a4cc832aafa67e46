using System.Globalization;

namespace Hilo.Ilgpu.Models;

/// <summary>
/// What one forward pass of a LITv2 model needs, computed from its config and the input size before any memory is
/// allocated: the largest single tensor (every kernel indexes with 32-bit integers, so no tensor may hold more than
/// <see cref="int.MaxValue"/> elements) and an upper estimate of the device memory of the activations. The estimate
/// counts, per stage, the working set of its biggest block (ConvFFN: the map, the norm, fc1, the depthwise output and
/// fc2; HiLo: the map, the norm, q/k/v, the attention scores of both branches and the projections) plus the map that
/// stays alive across it; a test checks it against the peak the device really reached.
/// </summary>
/// <param name="Batch">Images per forward pass.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="LargestTensorElements">Elements of the largest tensor the pass allocates.</param>
/// <param name="ActivationBytes">Estimated peak bytes of the pass's activations (parameters excluded).</param>
public sealed record Litv2Footprint(int Batch, int Height, int Width, long LargestTensorElements, long ActivationBytes)
{
    /// <summary>The footprint of a forward pass of <paramref name="config"/> on <paramref name="batch"/> images of <paramref name="height"/> × <paramref name="width"/>.</summary>
    public static Litv2Footprint Of(Litv2Config config, int batch, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        // All in per-image elements, as doubles: the products can pass long's range for absurd inputs.
        double image = (double)Litv2Config.InChannels * height * width;
        double largest = image, peak = image;
        var sizes = Litv2Model.StageSizes(height, width);
        for (int i = 0; i < Litv2Config.StageCount; i++)
        {
            double n = (double)sizes[i].Height * sizes[i].Width;
            double c = config.StageDim(i), hidden = config.HiddenDim(i);
            // ConvFFN: map, norm output, fc1, depthwise+GELU, fc2.
            double ffn = n * (3 * c + 2 * hidden);
            largest = Math.Max(largest, n * hidden);
            double attention = 0;
            if (Litv2Config.HasAttention(i) && config.Depths[i] > 0)
            {
                int s = config.LocalWs[i];
                double windows = Math.Ceiling(sizes[i].Height / (double)s) * Math.Ceiling(sizes[i].Width / (double)s);
                double heads = config.NumHeads[i];
                // Scores: every head over the whole map (local_ws 1 is plain attention) or the Lo-Fi heads over the
                // pooled map and the Hi-Fi heads inside their windows; both bounded by all heads doing both.
                double scores = s == 1 ? heads * n * n : heads * (n * windows + n * (double)s * s);
                attention = n * 8 * c + scores;
                largest = Math.Max(largest, Math.Max(scores, 3 * n * c));
            }
            // The merging into the next stage: offsets and sampled taps of the next map, plus both maps.
            double merge = 0;
            if (i + 1 < Litv2Config.StageCount)
            {
                double next = (double)sizes[i + 1].Height * sizes[i + 1].Width;
                merge = n * c + next * (4 * c + 18 + 2 * config.StageDim(i + 1));
                largest = Math.Max(largest, next * 4 * c);
            }
            peak = Math.Max(peak, image + Math.Max(Math.Max(ffn, attention), merge));
        }
        return new Litv2Footprint(batch, height, width, Clamp(largest * batch), Clamp(4 * peak * batch));
    }

    /// <summary>Whether every tensor of the pass can be indexed with 32-bit integers.</summary>
    public bool FitsIndexing => LargestTensorElements <= int.MaxValue;

    /// <summary>
    /// Throws <see cref="InputTooLargeException"/> when a tensor would be too large to index, or when the activations
    /// and <paramref name="parameterBytes"/> would not fit the <paramref name="freeBytes"/> of <paramref name="device"/>.
    /// </summary>
    public void EnsureFits(string model, string device, long freeBytes, long parameterBytes) =>
        InputTooLargeException.ThrowIfTooLarge(string.Create(CultureInfo.InvariantCulture, $"{model}: a batch of {Batch} image(s) of {Height}×{Width}"),
            device, LargestTensorElements, ActivationBytes, parameterBytes, freeBytes);

    private static long Clamp(double value) => value >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(value);
}

/// <summary>
/// An input (batch × image size) too large for the device: a tensor past 32-bit indexing, or more memory than the device
/// has free. Raised before any of the pass's memory is allocated. An <see cref="ArgumentException"/>, as any bad size.
/// </summary>
public sealed class InputTooLargeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public InputTooLargeException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InputTooLargeException() : base("The input is too large for the device.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public InputTooLargeException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>
    /// Throws when a pass described by <paramref name="what"/> would need a tensor past 32-bit indexing, or more
    /// memory (<paramref name="activationBytes"/> + <paramref name="parameterBytes"/>) than <paramref name="freeBytes"/>.
    /// </summary>
    internal static void ThrowIfTooLarge(string what, string device, long largestElements, long activationBytes, long parameterBytes, long freeBytes)
    {
        if (largestElements > int.MaxValue)
        {
            throw new InputTooLargeException(string.Create(CultureInfo.InvariantCulture,
                $"{what} needs a tensor of {largestElements:N0} elements, more than 32-bit indexing allows ({int.MaxValue:N0}): use a smaller batch or input."));
        }
        long need = activationBytes > long.MaxValue - parameterBytes ? long.MaxValue : activationBytes + parameterBytes;
        if (need > freeBytes)
        {
            throw new InputTooLargeException(string.Create(CultureInfo.InvariantCulture,
                $"{what} needs about {Gib(need)} of memory on {device} ({Gib(activationBytes)} of activations, {Gib(parameterBytes)} of weights), which has {Gib(freeBytes)} free: use a smaller batch or input."));
        }
    }

    private static string Gib(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB"
        : (bytes / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
}
