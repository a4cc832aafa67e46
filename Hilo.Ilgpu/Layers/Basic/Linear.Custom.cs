using System.Collections.Concurrent;
using ILGPU;

namespace Hilo.Ilgpu.Layers;

/// <summary>
/// What a user's GEMM variant of <see cref="Linear"/> computes: <c>Output[r·OutputStride + j] = Bias[j] + Σᵢ
/// Input[r·InputStride + i]·WeightT[i·OutFeatures + j]</c> for r &lt; Rows, j &lt; OutFeatures, stored, or added to
/// Output when <see cref="Accumulate"/>. WeightT is the layer's weight transposed (row-major In × Out); Bias has at
/// least OutFeatures elements (zeros for a layer without bias). Queue the work on <see cref="Device"/>'s stream.
/// </summary>
/// <param name="Device">The device (its accelerator, stream and kernel launcher).</param>
/// <param name="Input">The input rows.</param>
/// <param name="InputStride">Elements between consecutive input rows (≥ InFeatures).</param>
/// <param name="Rows">Number of rows.</param>
/// <param name="WeightT">The weight transposed, In × Out row-major.</param>
/// <param name="Bias">The bias (at least OutFeatures elements).</param>
/// <param name="Output">The output rows (a column slice of a wider tensor when OutputStride &gt; OutFeatures).</param>
/// <param name="OutputStride">Elements between consecutive output rows (≥ OutFeatures).</param>
/// <param name="InFeatures">In.</param>
/// <param name="OutFeatures">Out.</param>
/// <param name="Accumulate">Add to Output instead of storing (a fused residual add).</param>
public readonly record struct LinearLaunch(
    KernelDevice Device, ArrayView<float> Input, int InputStride, int Rows, ArrayView<float> WeightT, ArrayView<float> Bias,
    ArrayView<float> Output, int OutputStride, int InFeatures, int OutFeatures, bool Accumulate);

/// <summary>A user's GEMM variant of <see cref="Linear"/>: runs one <see cref="LinearLaunch"/>.</summary>
public delegate void LinearKernel(LinearLaunch launch);

/// <summary>User-registered GEMM variants (samples/CustomKernel).</summary>
public sealed partial class Linear
{
    private static readonly ConcurrentDictionary<string, (KernelFamily Family, LinearKernel Kernel)> CustomVariants = new(StringComparer.Ordinal);

    /// <summary>
    /// Adds a GEMM variant every <see cref="Linear"/> may run: the tuner times it next to the library's variants on
    /// every device whose families include <paramref name="family"/> (and keeps it if it wins), and a layer can pin
    /// it with <see cref="Variant"/>. Register before the layers' first forward pass (choices already measured or
    /// cached are kept; <c>hilo tune --clear</c> measures again).
    /// </summary>
    /// <param name="name">The variant's name (not one of <see cref="BuiltInVariants"/>).</param>
    /// <param name="family">Its family: <see cref="KernelFamily.Ilgpu"/> for an ILGPU kernel (every accelerator), <see cref="KernelFamily.Cpu"/> for host code on the CPU accelerator's buffers.</param>
    /// <param name="kernel">What it runs.</param>
    public static void RegisterVariant(string name, KernelFamily family, LinearKernel kernel)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(kernel);
        if (BuiltInVariants.Contains(name))
        {
            throw new ArgumentException($"'{name}' is a built-in {nameof(Linear)} variant; choose another name.", nameof(name));
        }
        if (!CustomVariants.TryAdd(name, (family, kernel)))
        {
            throw new ArgumentException($"A {nameof(Linear)} variant named '{name}' is already registered.", nameof(name));
        }
    }

    /// <summary>Removes a variant added with <see cref="RegisterVariant"/>; true if it was there.</summary>
    public static bool UnregisterVariant(string name) => CustomVariants.TryRemove(name, out _);
}
