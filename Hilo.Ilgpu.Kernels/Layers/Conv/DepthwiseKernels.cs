using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Layers.Conv;

/// <summary>Depthwise (groups = C) 3×3 convolution, stride 1, zero padding 1, on a channels-last token map.</summary>
public static partial class DepthwiseKernels
{
    /// <summary>
    /// One output element per work-item: x = channel, y = token (row-major over H × W), z = batch.
    /// <paramref name="taps"/> is the weight tap-major, [9, C] (tap i·3 + j, channel fastest), so neighbouring
    /// work-items read neighbouring weights. Launch over (C, H·W, B).
    /// </summary>
    [Kernel]
    public static void Depthwise3x3(ArrayView<float> x, ArrayView<float> taps, ArrayView<float> bias, ArrayView<float> y, int height, int width, int channels)
    {
        int c = Grid.GlobalIndex.X;
        int token = Grid.GlobalIndex.Y;
        int b = Grid.GlobalIndex.Z;
        int row = token / width;
        int col = token - row * width;
        float sum = bias[c];
        for (int i = 0; i < 3; i++)
        {
            int yy = row + i - 1;
            if (yy < 0 || yy >= height)
            {
                continue;
            }
            for (int j = 0; j < 3; j++)
            {
                int xx = col + j - 1;
                if (xx >= 0 && xx < width)
                {
                    sum += taps[(i * 3 + j) * channels + c] * x[((b * height + yy) * width + xx) * channels + c];
                }
            }
        }
        y[((b * height + row) * width + col) * channels + c] = sum;
    }

    /// <summary>
    /// CPU-style variant for C a multiple of 16: one work-item per output row of the map (x = row, y = batch item),
    /// sweeping the row's columns and, inside each, the 16-channel blocks, so that every read of the input and the
    /// taps is contiguous (the other loop order, a block's column sweep, strides by C and measured ≈ 4× slower). With <paramref name="gelu"/> ≠ 0 the GELU of the ConvFFN is applied before the
    /// store (<see cref="Basic.VectorGelu"/>), which saves a pass over the hidden activations. Launch over (H, B).
    /// </summary>
    [Kernel]
    public static void Depthwise3x3Rows(ArrayView<float> x, ArrayView<float> taps, ArrayView<float> bias, ArrayView<float> y, int height, int width, int channels, int gelu)
    {
        int row = Grid.GlobalIndex.X;
        int b = Grid.GlobalIndex.Y;
        int rowStride = width * channels;
        int firstTapRow = row == 0 ? 1 : 0;
        int lastTapRow = row == height - 1 ? 1 : 2;
        int outRow = (b * height + row) * rowStride;
        int inRow0 = (b * height + row - 1) * rowStride;
        for (int col = 0; col < width; col++)
        {
            int firstTapCol = col == 0 ? 1 : 0;
            int lastTapCol = col == width - 1 ? 1 : 2;
            for (int c = 0; c < channels; c += 16)
            {
                Float16 sum = Float16.Load(bias, c);
                for (int i = firstTapRow; i <= lastTapRow; i++)
                {
                    int inAt = inRow0 + i * rowStride + (col - 1) * channels + c;
                    for (int j = firstTapCol; j <= lastTapCol; j++)
                    {
                        sum = Float16.Fma(Float16.Load(taps, (i * 3 + j) * channels + c), Float16.Load(x, inAt + j * channels), sum);
                    }
                }
                if (gelu != 0)
                {
                    sum = Basic.VectorGelu.Gelu(sum);
                }
                sum.Store(y, outRow + col * channels + c);
            }
        }
    }

    /// <summary>Whether <see cref="Forward"/> runs the row-wise variant, which can fuse GELU.</summary>
    public static bool FusesGelu(bool cpuStyle, int channels) => cpuStyle && channels % 16 == 0;

    /// <summary>PyTorch's depthwise weight [C, 1, 3, 3] reordered to the tap-major [9, C] the kernel reads.</summary>
    public static float[] TapMajor(ReadOnlySpan<float> weight, int channels)
    {
        if (weight.Length != channels * 9)
        {
            throw new ArgumentException($"A depthwise 3x3 weight for {channels} channels has {channels * 9} elements, got {weight.Length}.");
        }
        var taps = new float[channels * 9];
        for (int c = 0; c < channels; c++)
        {
            for (int t = 0; t < 9; t++)
            {
                taps[t * channels + c] = weight[c * 9 + t];
            }
        }
        return taps;
    }

    /// <summary>
    /// Queues the convolution of <paramref name="x"/> (B × H·W × C) into <paramref name="y"/> (same shape): the
    /// row-wise 16-channel vector variant when <paramref name="cpuStyle"/> and C is a multiple of 16, else one
    /// work-item per element. True <paramref name="gelu"/> fuses GELU into the row-wise variant; the other variant
    /// leaves it to the caller (<see cref="FusesGelu"/> says which).
    /// </summary>
    public static void Forward(AcceleratorStream stream, ArrayView<float> x, ArrayView<float> taps, ArrayView<float> bias, ArrayView<float> y, int batch, int height, int width, int channels, bool cpuStyle = false, bool gelu = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long n = (long)batch * height * width * channels;
        if (batch < 0 || height < 0 || width < 0 || channels < 0 || x.Length < n || y.Length < n || taps.Length < 9L * channels || bias.Length < channels)
        {
            throw new ArgumentException($"Depthwise 3x3 {batch}x{height}x{width}x{channels}: invalid sizes or views too short.");
        }
        if (FusesGelu(cpuStyle, channels))
        {
            stream.Launch(Depthwise3x3RowsKernel, new LaunchDims(new Index3D(height, batch, 1), new Index3D(1, 1, 1)), x, taps, bias, y, height, width, channels, gelu ? 1 : 0);
            return;
        }
        stream.Launch(Depthwise3x3Kernel, new LaunchDims(new Index3D(channels, height * width, batch)), x, taps, bias, y, height, width, channels);
    }
}
