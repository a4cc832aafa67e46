using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Layers.Basic;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Conv;

/// <summary>
/// Depthwise (groups = C) 3×3 convolution, stride 1, zero padding 1, on a channels-last token map, optionally
/// followed by GELU (the ConvFFN's conv + GELU in one pass over the hidden activations). The weight is read
/// tap-major, [9, C] (<see cref="TapMajor"/>), so neighbouring channels read neighbouring weights.
/// </summary>
public static class DepthwiseKernels
{
    /// <summary>One output element per thread: x = channel, y = token (row-major over H × W), z = batch (folded: <see cref="Configs.Folded"/>).</summary>
    [IlgpuKernel("depthwise-conv")]
    public static void Depthwise3x3(ArrayView<float> x, ArrayView<float> taps, ArrayView<float> bias, ArrayView<float> y, int height, int width, int channels, int gelu)
    {
        Configs.Unfold((channels + Group.DimX - 1) / Group.DimX, height * width, out int groupX, out int token, out int b);
        int c = groupX * Group.DimX + Group.IdxX;
        if (c >= channels)
        {
            return;
        }
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
        y[((b * height + row) * width + col) * channels + c] = gelu != 0 ? KernelMath.Gelu(sum) : sum;
    }

    /// <summary>
    /// The CPU family's convolution: one work item per output row of the map, sweeping the row's columns and, inside
    /// each, 16-channel blocks, so that every read of the input and the taps is contiguous (the other loop order, a
    /// block's column sweep, strides by C and measured ≈ 4× slower); a scalar tail for channels past the last block.
    /// </summary>
    [CpuKernel("depthwise-conv")]
    public static unsafe void Depthwise3x3Cpu(HostView x, HostView taps, HostView bias, HostView y, int batch, int height, int width, int channels, bool gelu) =>
        CpuParallel.For(batch * height, item =>
        {
            int b = item / height;
            int row = item - b * height;
            int rowStride = width * channels;
            int firstTapRow = row == 0 ? 1 : 0;
            int lastTapRow = row == height - 1 ? 1 : 2;
            int outRow = (b * height + row) * rowStride;
            int inRow0 = (b * height + row - 1) * rowStride;
            int vectorEnd = channels - channels % Float16.Count;
            for (int col = 0; col < width; col++)
            {
                int firstTapCol = col == 0 ? 1 : 0;
                int lastTapCol = col == width - 1 ? 1 : 2;
                for (int c = 0; c < vectorEnd; c += Float16.Count)
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
                    if (gelu)
                    {
                        sum = VectorMath.Gelu(sum);
                    }
                    sum.Store(y, outRow + col * channels + c);
                }
                for (int c = vectorEnd; c < channels; c++)
                {
                    float sum = bias[c];
                    for (int i = firstTapRow; i <= lastTapRow; i++)
                    {
                        int inAt = inRow0 + i * rowStride + (col - 1) * channels + c;
                        for (int j = firstTapCol; j <= lastTapCol; j++)
                        {
                            sum += taps[(i * 3 + j) * channels + c] * x[inAt + j * channels];
                        }
                    }
                    y[outRow + col * channels + c] = gelu ? KernelMath.Gelu(sum) : sum;
                }
            }
        });

    /// <summary>PyTorch's depthwise weight [C, 1, 3, 3] reordered to the tap-major [9, C] the kernels read.</summary>
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

    /// <summary>The launch of <see cref="Depthwise3x3"/>: groups of 64 channels × H·W tokens × batch, folded along x.</summary>
    internal static KernelConfig LaunchShape(int batch, int height, int width, int channels) =>
        Configs.Folded((channels + 63) / 64, height * width, batch, 64);

    /// <summary>Convolves <paramref name="x"/> (B × H·W × C) into <paramref name="y"/> (same shape), through GELU when <paramref name="gelu"/>.</summary>
    public static void Forward(KernelDevice device, KernelFamily family, ArrayView<float> x, ArrayView<float> taps, ArrayView<float> bias, ArrayView<float> y,
        int batch, int height, int width, int channels, bool gelu = false)
    {
        ArgumentNullException.ThrowIfNull(device);
        long n = (long)batch * height * width * channels;
        if (batch < 0 || height < 0 || width < 0 || channels < 0 || x.Length < n || y.Length < n || taps.Length < 9L * channels || bias.Length < channels)
        {
            throw new ArgumentException($"Depthwise 3x3 {batch}x{height}x{width}x{channels}: invalid sizes or views too short.");
        }
        if (n == 0)
        {
            return;
        }
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(Depthwise3x3Cpu), () => Depthwise3x3Cpu(HostView.Of(x), HostView.Of(taps), HostView.Of(bias), HostView.Of(y), batch, height, width, channels, gelu));
        }
        else
        {
            device.Launch(Depthwise3x3, LaunchShape(batch, height, width, channels), x, taps, bias, y, height, width, channels, gelu ? 1 : 0);
        }
    }
}
