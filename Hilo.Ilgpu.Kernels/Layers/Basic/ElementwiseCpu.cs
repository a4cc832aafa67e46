using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Runtime;

namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>Elementwise ops of the CPU family: chunks of the array per work item, 16 lanes at a time.</summary>
public static unsafe class ElementwiseCpu
{
    /// <summary>Elements per work item: large enough to amortise scheduling, small enough to balance two cores.</summary>
    private const int Chunk = 4096;

    /// <summary>GELU (exact erf form, <see cref="VectorMath.Gelu"/>); <paramref name="y"/> may be <paramref name="x"/>.</summary>
    [CpuKernel("gelu")]
    public static void Gelu(HostView x, HostView y, int length) =>
        CpuParallel.For(Chunks(length), item =>
        {
            int i = item * Chunk, end = Math.Min(i + Chunk, length);
            float* px = x.At(i, end - i), py = y.At(i, end - i);
            int n = end - i, j = 0;
            for (; j + Float16.Count <= n; j += Float16.Count)
            {
                VectorMath.Gelu(Float16.Load(px + j)).Store(py + j);
            }
            for (; j < n; j++)
            {
                py[j] = KernelMath.Gelu(px[j]);
            }
        });

    /// <summary><c>y = a + b</c>; <paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    [CpuKernel("add")]
    public static void Add(HostView a, HostView b, HostView y, int length) =>
        CpuParallel.For(Chunks(length), item =>
        {
            int i = item * Chunk, end = Math.Min(i + Chunk, length);
            float* pa = a.At(i, end - i), pb = b.At(i, end - i), py = y.At(i, end - i);
            int n = end - i, j = 0;
            for (; j + Float16.Count <= n; j += Float16.Count)
            {
                (Float16.Load(pa + j) + Float16.Load(pb + j)).Store(py + j);
            }
            for (; j < n; j++)
            {
                py[j] = pa[j] + pb[j];
            }
        });

    /// <summary>
    /// <c>flags[tag] = 1</c> if any of the first <paramref name="length"/> elements of <paramref name="x"/> is NaN or
    /// ±∞: per chunk, <c>acc += x·0</c> stays 0 for finite x and becomes NaN otherwise (no compare per element).
    /// </summary>
    [CpuKernel("finite-check")]
    public static void FlagNonFinite(HostView x, HostView flags, int tag, int length) =>
        CpuParallel.For(Chunks(length), item =>
        {
            int i = item * Chunk, end = Math.Min(i + Chunk, length);
            float* p = x.At(i, end - i);
            Float16 acc = Float16.Zero, zero = Float16.Zero;
            int n = end - i, k = 0;
            for (; k + Float16.Count <= n; k += Float16.Count)
            {
                acc = Float16.Fma(Float16.Load(p + k), zero, acc);
            }
            float tail = acc.Sum();
            for (; k < n; k++)
            {
                tail += p[k] * 0f;
            }
            if (!float.IsFinite(tail))
            {
                flags[tag] = 1f;
            }
        });

    /// <summary><c>y[i] = value</c>.</summary>
    [CpuKernel("fill")]
    public static void Fill(HostView y, float value, int length) =>
        CpuParallel.For(Chunks(length), item =>
        {
            int i = item * Chunk, end = Math.Min(i + Chunk, length);
            new Span<float>(y.At(i, end - i), end - i).Fill(value);
        });

    /// <summary>Mean over tokens, B×N×C → B×C: one work item per batch item sums its token rows 16 channels at a time.</summary>
    [CpuKernel("mean-tokens")]
    public static void MeanTokens(HostView x, HostView y, int batch, int tokens, int channels) =>
        CpuParallel.For(batch, b =>
        {
            float* py = y.At(b * channels, channels);
            float* px = x.At(b * tokens * channels, tokens * channels);
            new Span<float>(py, channels).Clear();
            for (int n = 0; n < tokens; n++)
            {
                float* row = px + n * channels;
                int c = 0;
                for (; c + Float16.Count <= channels; c += Float16.Count)
                {
                    (Float16.Load(py + c) + Float16.Load(row + c)).Store(py + c);
                }
                for (; c < channels; c++)
                {
                    py[c] += row[c];
                }
            }
            float inv = 1f / tokens;
            for (int c = 0; c < channels; c++)
            {
                py[c] *= inv;
            }
        });

    private static int Chunks(int length) => (length + Chunk - 1) / Chunk;
}
