namespace Hilo.Ilgpu.Kernels.Layers.Image;

/// <summary>
/// Plain C# of what the image kernels compute, written the straightforward way: Pillow's whole two-pass bicubic
/// resize on bytes (every output pixel, horizontal pass then vertical, each rounded and clamped to a byte), then the
/// crop, then ToTensor + Normalize. The kernels resize only the cropped pixels; the tests hold them to this.
/// </summary>
public static class ResampleReference
{
    /// <summary>Resizes an H × W × 3 byte image to <paramref name="outHeight"/> × <paramref name="outWidth"/> as Pillow's <c>resize(…, BICUBIC)</c>.</summary>
    public static byte[] Resize(byte[] rgb, int width, int height, int outWidth, int outHeight)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (rgb.Length != 3 * width * height)
        {
            throw new ArgumentException($"A {width}x{height} RGB image has {3 * width * height} bytes, not {rgb.Length}.", nameof(rgb));
        }
        var columns = ResampleTable.Bicubic(width, outWidth, 0, outWidth);
        var rows = ResampleTable.Bicubic(height, outHeight, 0, outHeight);
        var temp = new byte[3 * outWidth * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < outWidth; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    temp[(y * outWidth + x) * 3 + c] = Tap(rgb, (y * width + columns.Starts[x]) * 3 + c, 3, columns, x);
                }
            }
        }
        var output = new byte[3 * outWidth * outHeight];
        for (int y = 0; y < outHeight; y++)
        {
            for (int x = 0; x < outWidth; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    output[(y * outWidth + x) * 3 + c] = Tap(temp, (rows.Starts[y] * outWidth + x) * 3 + c, 3 * outWidth, rows, y);
                }
            }
        }
        return output;
    }

    /// <summary>The <paramref name="cropHeight"/> × <paramref name="cropWidth"/> window at (<paramref name="top"/>, <paramref name="left"/>) of an H × W × 3 image.</summary>
    public static byte[] Crop(byte[] rgb, int width, int top, int left, int cropWidth, int cropHeight)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        var output = new byte[3 * cropWidth * cropHeight];
        for (int y = 0; y < cropHeight; y++)
        {
            Array.Copy(rgb, ((top + y) * width + left) * 3, output, y * cropWidth * 3, cropWidth * 3);
        }
        return output;
    }

    /// <summary>torchvision's ToTensor + Normalize of an H × W × 3 byte image: 3 × H × W floats (v / 255 − mean) / std, in float32.</summary>
    public static float[] Normalize(byte[] rgb, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        int pixels = rgb.Length / 3;
        var output = new float[rgb.Length];
        for (int p = 0; p < pixels; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                output[c * pixels + p] = (rgb[3 * p + c] / 255f - mean[c]) / std[c];
            }
        }
        return output;
    }

    // One output sample: Pillow's fixed-point sum from a half-unit start, shifted and clamped.
    private static byte Tap(byte[] source, int origin, int step, ResampleTable table, int output)
    {
        int sum = 1 << (ResampleTable.PrecisionBits - 1);
        for (int t = 0; t < table.Counts[output]; t++)
        {
            sum += source[origin + t * step] * table.Weights[output * table.KernelSize + t];
        }
        return (byte)Math.Clamp(sum >> ResampleTable.PrecisionBits, 0, 255);
    }
}
