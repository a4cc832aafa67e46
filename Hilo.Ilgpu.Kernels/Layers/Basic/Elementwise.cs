using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Basic;

/// <summary>
/// The elementwise and row-wise ops in either family: each checks its views once, then runs the ILGPU kernel
/// (<see cref="ElementwiseKernels"/>, <see cref="NormKernels"/>) or the CPU family's (<see cref="ElementwiseCpu"/>,
/// <see cref="NormCpu"/>).
/// </summary>
public static class Elementwise
{
    /// <summary>GELU (exact erf form) of the first <paramref name="length"/> elements; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void Gelu(KernelDevice device, KernelFamily family, ArrayView<float> x, ArrayView<float> y, int length)
    {
        Require(device, x.Length >= length && y.Length >= length && length >= 0, $"GELU of {length} elements: views of {x.Length} and {y.Length}");
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(ElementwiseCpu) + "." + nameof(ElementwiseCpu.Gelu), () => ElementwiseCpu.Gelu(HostView.Of(x), HostView.Of(y), length));
        }
        else
        {
            device.Launch(ElementwiseKernels.Gelu, Configs.Linear(length), x, y, length);
        }
    }

    /// <summary><c>y = a + b</c> over <paramref name="length"/> elements; <paramref name="y"/> may be either input.</summary>
    public static void Add(KernelDevice device, KernelFamily family, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int length)
    {
        Require(device, a.Length >= length && b.Length >= length && y.Length >= length && length >= 0, $"add of {length} elements: views of {a.Length}, {b.Length} and {y.Length}");
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(ElementwiseCpu) + "." + nameof(ElementwiseCpu.Add), () => ElementwiseCpu.Add(HostView.Of(a), HostView.Of(b), HostView.Of(y), length));
        }
        else
        {
            device.Launch(ElementwiseKernels.Add, Configs.Linear(length), a, b, y, length);
        }
    }

    /// <summary>
    /// Sets <c>flags[tag]</c> to 1 if <paramref name="x"/> holds a NaN or an infinity (and leaves it alone otherwise):
    /// one pass over memory, queued like any op, so a forward pass can mark every layer's output and read the few
    /// flags once at its end.
    /// </summary>
    public static void FlagNonFinite(KernelDevice device, KernelFamily family, ArrayView<float> x, ArrayView<float> flags, int tag)
    {
        Require(device, x.Length <= int.MaxValue && tag >= 0 && tag < flags.Length, $"finite check of {x.Length} elements into flag {tag} of {flags.Length}");
        int length = (int)x.Length;
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(ElementwiseCpu) + "." + nameof(ElementwiseCpu.FlagNonFinite), () => ElementwiseCpu.FlagNonFinite(HostView.Of(x), HostView.Of(flags), tag, length));
        }
        else
        {
            device.Launch(ElementwiseKernels.FlagNonFinite, Configs.Linear(length), x, flags, tag, length);
        }
    }

    /// <summary>Sets every element of <paramref name="y"/> to <paramref name="value"/>.</summary>
    public static void Fill(KernelDevice device, KernelFamily family, ArrayView<float> y, float value)
    {
        Require(device, y.Length <= int.MaxValue, $"fill of {y.Length} elements");
        int length = (int)y.Length;
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(ElementwiseCpu) + "." + nameof(ElementwiseCpu.Fill), () => ElementwiseCpu.Fill(HostView.Of(y), value, length));
        }
        else
        {
            device.Launch(ElementwiseKernels.Fill, Configs.Linear(length), y, value, length);
        }
    }

    /// <summary>Mean over tokens: <paramref name="x"/> B×N×C → <paramref name="y"/> B×C.</summary>
    public static void MeanTokens(KernelDevice device, KernelFamily family, ArrayView<float> x, ArrayView<float> y, int batch, int tokens, int channels)
    {
        Require(device, batch >= 0 && tokens >= 1 && channels >= 0 && x.Length >= (long)batch * tokens * channels && y.Length >= (long)batch * channels,
            $"mean over {tokens} tokens of {batch}×{channels}: views of {x.Length} and {y.Length}");
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(ElementwiseCpu) + "." + nameof(ElementwiseCpu.MeanTokens), () => ElementwiseCpu.MeanTokens(HostView.Of(x), HostView.Of(y), batch, tokens, channels));
        }
        else if (batch > 0)
        {
            device.Launch(ElementwiseKernels.MeanTokens, Configs.Folded((channels + 63) / 64, 1, batch, 64), x, y, tokens, channels);
        }
    }

    /// <summary>LayerNorm over <paramref name="rows"/> rows of <paramref name="dim"/>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void LayerNorm(KernelDevice device, KernelFamily family, ArrayView<float> x, ArrayView<float> weight, ArrayView<float> bias, ArrayView<float> y, int rows, int dim, float eps)
    {
        Require(device, rows >= 0 && dim >= 1 && x.Length >= (long)rows * dim && y.Length >= (long)rows * dim && weight.Length >= dim && bias.Length >= dim,
            $"LayerNorm of {rows} rows of {dim}: views of {x.Length}, {y.Length}, weight {weight.Length}, bias {bias.Length}");
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(NormCpu) + "." + nameof(NormCpu.LayerNorm), () => NormCpu.LayerNorm(HostView.Of(x), HostView.Of(weight), HostView.Of(bias), HostView.Of(y), rows, dim, eps));
        }
        else if (rows > 0)
        {
            device.Launch(NormKernels.LayerNormRows, NormKernels.LayerNormShape(rows), x, x, weight, bias, y, rows, dim, eps, 0);
        }
    }

    /// <summary>
    /// The residual add and the LayerNorm after it in one pass (ILGPU family only): <c>x += residual</c>, then
    /// <c>y = LayerNorm(x)</c> over <paramref name="rows"/> rows of <paramref name="dim"/>. <paramref name="y"/> must not
    /// overlap <paramref name="x"/> or <paramref name="residual"/>.
    /// </summary>
    public static void AddLayerNorm(KernelDevice device, ArrayView<float> x, ArrayView<float> residual, ArrayView<float> weight, ArrayView<float> bias, ArrayView<float> y,
        int rows, int dim, float eps)
    {
        Require(device, rows >= 0 && dim >= 1 && x.Length >= (long)rows * dim && residual.Length >= (long)rows * dim && y.Length >= (long)rows * dim
                && weight.Length >= dim && bias.Length >= dim,
            $"residual add + LayerNorm of {rows} rows of {dim}: views of {x.Length}, residual {residual.Length}, {y.Length}, weight {weight.Length}, bias {bias.Length}");
        if (rows > 0)
        {
            device.Launch(NormKernels.LayerNormRows, NormKernels.LayerNormShape(rows), x, residual, weight, bias, y, rows, dim, eps, 1);
        }
    }

    /// <summary>Softmax over <paramref name="rows"/> rows of <paramref name="dim"/>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void Softmax(KernelDevice device, KernelFamily family, ArrayView<float> x, ArrayView<float> y, int rows, int dim)
    {
        Require(device, rows >= 0 && dim >= 1 && x.Length >= (long)rows * dim && y.Length >= (long)rows * dim,
            $"softmax of {rows} rows of {dim}: views of {x.Length} and {y.Length}");
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(NormCpu) + "." + nameof(NormCpu.Softmax), () => NormCpu.Softmax(HostView.Of(x), HostView.Of(y), rows, dim));
        }
        else
        {
            device.Launch(NormKernels.SoftmaxRows, Configs.PerRow(rows), x, y, dim);
        }
    }

    private static void Require(KernelDevice device, bool condition, string what)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!condition)
        {
            throw new ArgumentException($"{what}: sizes must be non-negative and the views long enough.");
        }
    }
}
