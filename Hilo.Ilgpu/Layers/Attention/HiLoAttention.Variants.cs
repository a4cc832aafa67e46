using System.Globalization;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;
using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Scheduling;

namespace Hilo.Ilgpu.Layers;

/// <summary>The attention kernel variants of <see cref="HiLoAttention"/> and the choice among them (docs/scheduler.md).</summary>
public sealed partial class HiLoAttention
{
    /// <summary>CPU family: <c>GlobalAttentionCpu</c> (Lo-Fi) or <c>WindowAttentionCpu</c> (Hi-Fi), 16 lanes at a time.</summary>
    public const string CpuVariant = "cpu";

    /// <summary>Lo-Fi only, CPU family: <c>GlobalAttentionBlockedCpu</c>, 8 queries × 32 key lanes register blocks over transposed keys.</summary>
    public const string CpuBlockedVariant = "cpu-blocked";

    /// <summary>Hi-Fi only, CPU family: <c>WindowAttentionTransposedCpu</c>, the window's keys transposed and 8-query register blocks.</summary>
    public const string CpuTransposedVariant = "cpu-transposed";

    /// <summary>CPU family, any head dim: one work item per (query, head, batch item), scalar.</summary>
    public const string CpuScalarVariant = "cpu-scalar";

    /// <summary>ILGPU kernel (every accelerator): one thread per (query, head, batch item), online softmax.</summary>
    public const string IlgpuVariant = "ilgpu";

    /// <summary>
    /// Hi-Fi only, ILGPU kernel with the windows' keys and values staged in shared memory: <c>WindowAttentionPacked32</c>
    /// for head dim 32 and s = 2..8 (several windows a group, a thread per query, q and the output row in registers),
    /// else <c>WindowAttentionGrouped</c> (one group per window, s²·d ≤ 4,096).
    /// </summary>
    public const string IlgpuWindowVariant = "ilgpu-window";

    /// <summary>The tuner's operation name for the Lo-Fi attention (every token against the pooled keys).</summary>
    public const string LoFiTuningOperation = "hilo-lofi";

    /// <summary>The tuner's operation name for the Hi-Fi attention (inside s×s windows).</summary>
    public const string HiFiTuningOperation = "hilo-hifi";

    private readonly Dictionary<string, string> chosenLoFi = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> chosenHiFi = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> scratchLengths = new(StringComparer.Ordinal);
    private string? loFiVariant;
    private string? hiFiVariant;

    /// <summary>Every Lo-Fi variant, CPU family first.</summary>
    public static IReadOnlyList<string> LoFiVariants { get; } = [CpuVariant, CpuBlockedVariant, CpuScalarVariant, IlgpuVariant];

    /// <summary>Every Hi-Fi variant, CPU family first.</summary>
    public static IReadOnlyList<string> HiFiVariants { get; } = [CpuVariant, CpuTransposedVariant, CpuScalarVariant, IlgpuVariant, IlgpuWindowVariant];

    /// <summary>The kernel family of a variant: <see cref="IlgpuVariant"/> is an ILGPU kernel, the others are the CPU family's.</summary>
    public static KernelFamily FamilyOf(string variant) => variant is IlgpuVariant or IlgpuWindowVariant ? KernelFamily.Ilgpu : KernelFamily.Cpu;

    /// <summary>
    /// The Lo-Fi variant used when nothing is measured (and the Hi-Fi one but on ILGPU devices, see
    /// <see cref="DefaultHiFiVariant"/>): with the CPU family, <see cref="CpuVariant"/> where the head dim is a multiple of
    /// 16, else <see cref="CpuScalarVariant"/>; with ILGPU kernels, <see cref="IlgpuVariant"/> (which runs
    /// <c>GlobalAttentionFlash32</c> for head dim 32).
    /// </summary>
    public string DefaultVariant => Device.Family == KernelFamily.Ilgpu ? IlgpuVariant : AttentionCpu.VectorSupports(HeadDim) ? CpuVariant : CpuScalarVariant;

    /// <summary>
    /// The Hi-Fi variant used when nothing is measured: with ILGPU kernels <see cref="IlgpuWindowVariant"/> where it takes
    /// the head dim and window (keys read coalesced into shared memory), else <see cref="DefaultVariant"/>.
    /// </summary>
    public string DefaultHiFiVariant => Device.Family == KernelFamily.Ilgpu && SupportsHeadDim(IlgpuWindowVariant) ? IlgpuWindowVariant : DefaultVariant;

    /// <summary>
    /// The Lo-Fi variant to always run (one of <see cref="LoFiVariants"/> that runs on this device; the vector CPU ones
    /// need a head dim that is a multiple of 16), or null to let <see cref="ComputeDevice.Tuner"/> choose per shape.
    /// </summary>
    public string? LoFiVariant
    {
        get => loFiVariant;
        set => loFiVariant = CheckVariant(value, LoFiVariants);
    }

    /// <summary>
    /// The Hi-Fi variant to always run (one of <see cref="HiFiVariants"/> that runs on this device; the vector CPU ones
    /// need a head dim that is a multiple of 16), or null to let <see cref="ComputeDevice.Tuner"/> choose per shape.
    /// </summary>
    public string? HiFiVariant
    {
        get => hiFiVariant;
        set => hiFiVariant = CheckVariant(value, HiFiVariants);
    }

    /// <summary>The tuner's Lo-Fi shape text: <c>b=…,h=…,w=…,heads=…,d=…,keys=…</c> (keys = pooled tokens).</summary>
    public string LoFiTuningShape(int batch, int height, int width) =>
        string.Create(CultureInfo.InvariantCulture, $"b={batch},h={height},w={width},heads={LoFiHeads},d={HeadDim},keys={LoFiKeys(height, width)}");

    /// <summary>The tuner's Hi-Fi shape text: <c>b=…,h=…,w=…,heads=…,d=…,window=s</c>.</summary>
    public string HiFiTuningShape(int batch, int height, int width) =>
        string.Create(CultureInfo.InvariantCulture, $"b={batch},h={height},w={width},heads={HiFiHeads},d={HeadDim},window={WindowSize}");

    // Keys of the Lo-Fi attention: the pooled map (every token when s = 1).
    private int LoFiKeys(int height, int width)
    {
        if (pool is null)
        {
            return height * width;
        }
        var (h, w) = pool.OutputSize(height, width);
        return h * w;
    }

    private string? CheckVariant(string? value, IReadOnlyList<string> variants)
    {
        if (value is null)
        {
            return null;
        }
        if (!variants.Contains(value))
        {
            throw new ArgumentException($"Unknown {nameof(HiLoAttention)} variant '{value}': use {string.Join(", ", variants)}.", nameof(value));
        }
        if (!Device.Allows(FamilyOf(value)))
        {
            throw new ArgumentException($"{nameof(HiLoAttention)} variant '{value}' is a {FamilyOf(value)}-family kernel, which does not run on {Device}.", nameof(value));
        }
        if (!SupportsHeadDim(value))
        {
            throw new ArgumentException($"{nameof(HiLoAttention)} variant '{value}' does not take this layer's head dim {HeadDim} (window {WindowSize}): the vector CPU kernels need a multiple of 16, {IlgpuWindowVariant} head dim 32 with s = {AttentionKernels.PackedMinWindow}..{AttentionKernels.PackedMaxWindow} or s²·d ≤ {AttentionKernels.MaxGroupedWindowElements}.", nameof(value));
        }
        return value;
    }

    private bool SupportsHeadDim(string variant) => variant switch
    {
        CpuScalarVariant or IlgpuVariant => true,
        IlgpuWindowVariant => AttentionKernels.SharedSupports(new WindowAttentionArgs { Window = WindowSize, HeadDim = HeadDim }),
        _ => AttentionCpu.VectorSupports(HeadDim),
    };

    // The candidates this layer can run here: the families the device's tuner considers (see KernelTuner.Considers),
    // the vector ones only where they support the head dim; the default first (it sets the bar that stops much slower
    // variants early).
    private IEnumerable<string> Candidates(IReadOnlyList<string> variants, string defaultVariant) =>
        variants.Where(v => Device.Tuner.Considers(FamilyOf(v)) && SupportsHeadDim(v)).OrderBy(v => v == defaultVariant ? 0 : 1);

    // The Lo-Fi variant for these args: pinned, known for the shape, or the tuner's choice (candidates write to a
    // scratch output, allocated only if the tuner measures).
    private string ChooseLoFi(ArrayView<float> q, ArrayView<float> kv, GlobalAttentionArgs args, int height, int width)
    {
        if (loFiVariant is not null)
        {
            return loFiVariant;
        }
        string shape = LoFiTuningShape(args.Batch, height, width);
        if (chosenLoFi.TryGetValue(shape, out string? known))
        {
            return known;
        }
        if ((long)args.Batch * args.Queries == 0)
        {
            return DefaultVariant; // nothing to compute, nothing to measure
        }
        Tensor? output = null;
        try
        {
            void Run(string v, int batch)
            {
                output ??= Device.Allocate(args.Batch, args.Queries, args.OutStride);
                LaunchLoFi(v, q, kv, output.View, args with { Batch = batch }, LoFiScratchMax(args));
            }
            string choice = Device.Tuner.Choose(LoFiTuningOperation, shape, DefaultVariant, Candidates(LoFiVariants, DefaultVariant).Select(v => Candidate(v, args.Batch, Run)).ToList());
            chosenLoFi[shape] = choice;
            return choice;
        }
        finally
        {
            Free(output);
        }
    }

    // As ChooseLoFi for the Hi-Fi window attention.
    private string ChooseHiFi(ArrayView<float> qkv, WindowAttentionArgs args)
    {
        if (hiFiVariant is not null)
        {
            return hiFiVariant;
        }
        string shape = HiFiTuningShape(args.Batch, args.Height, args.Width);
        if (chosenHiFi.TryGetValue(shape, out string? known))
        {
            return known;
        }
        if ((long)args.Batch * args.Height * args.Width == 0)
        {
            return DefaultHiFiVariant; // nothing to compute, nothing to measure
        }
        Tensor? output = null;
        try
        {
            void Run(string v, int batch)
            {
                output ??= Device.Allocate(args.Batch, args.Height * args.Width, args.OutStride);
                LaunchHiFi(v, qkv, output.View, args with { Batch = batch }, HiFiScratchMax(args));
            }
            string choice = Device.Tuner.Choose(HiFiTuningOperation, shape, DefaultHiFiVariant, Candidates(HiFiVariants, DefaultHiFiVariant).Select(v => Candidate(v, args.Batch, Run)).ToList());
            chosenHiFi[shape] = choice;
            return choice;
        }
        finally
        {
            Free(output);
        }
    }

    // A candidate timed on the whole batch, with a probe on 1/16 of it (batch items are independent) so that a
    // variant far slower on this device (the scalar kernels on a CPU) is dropped cheaply.
    private static TuningCandidate Candidate(string variant, int batch, Action<string, int> run)
    {
        int probe = Math.Max(1, batch / 16);
        return new TuningCandidate(variant, () => run(variant, batch))
        {
            Probe = probe < batch ? () => run(variant, probe) : null,
            ProbeScale = batch / (double)probe,
        };
    }

    private void Free(Tensor? output)
    {
        if (output is not null)
        {
            Device.Synchronize();
            output.Dispose();
        }
    }

    // Queues the Lo-Fi attention variant; the vector CPU-family ones get the kept scratch buffer, at least `scratchLength`
    // floats and at least what this launch needs (0: just what it needs).
    private void LaunchLoFi(string variant, ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs args, long scratchLength)
    {
        var device = Device.Kernels;
        switch (variant)
        {
            case CpuVariant:
                AttentionCpu.GlobalCpu(device, q, kv, output, Scratch("l_scratch", Math.Max(scratchLength, AttentionCpu.GlobalCpuScratchLength(args))), args);
                break;
            case CpuBlockedVariant:
                AttentionCpu.GlobalBlockedCpu(device, q, kv, output, Scratch("l_scratch", Math.Max(scratchLength, AttentionCpu.GlobalBlockedScratchLength(args))), args);
                break;
            case CpuScalarVariant:
                AttentionCpu.GlobalScalar(device, q, kv, output, args);
                break;
            default:
                AttentionKernels.Global(device, q, kv, output, args);
                break;
        }
    }

    // Queues the Hi-Fi window attention variant (padded positions read the h_qkv biases, no relative position bias).
    private void LaunchHiFi(string variant, ArrayView<float> qkv, ArrayView<float> output, WindowAttentionArgs args, long scratchLength)
    {
        var device = Device.Kernels;
        var padKv = paddedKv!.View;
        switch (variant)
        {
            case CpuVariant:
                AttentionCpu.WindowCpu(device, qkv, padKv, padKv, output, Scratch("h_scratch", Math.Max(scratchLength, AttentionCpu.WindowCpuScratchLength(args))), args);
                break;
            case CpuTransposedVariant:
                AttentionCpu.WindowTransposedCpu(device, qkv, padKv, padKv, output, Scratch("h_scratch", Math.Max(scratchLength, AttentionCpu.WindowTransposedScratchLength(args))), args);
                break;
            case CpuScalarVariant:
                AttentionCpu.WindowScalar(device, qkv, padKv, padKv, output, args);
                break;
            case IlgpuWindowVariant:
                AttentionKernels.WindowShared(device, qkv, padKv, padKv, output, args);
                break;
            default:
                AttentionKernels.Window(device, qkv, padKv, padKv, output, args);
                break;
        }
    }

    // Scratch large enough for every vector CPU-family Lo-Fi candidate (0 where none can run).
    private long LoFiScratchMax(GlobalAttentionArgs args) => AttentionCpu.VectorSupports(HeadDim)
        ? Math.Max(AttentionCpu.GlobalCpuScratchLength(args), AttentionCpu.GlobalBlockedScratchLength(args)) : 0;

    // Scratch large enough for every vector CPU-family Hi-Fi candidate (0 where none can run).
    private long HiFiScratchMax(WindowAttentionArgs args) => AttentionCpu.VectorSupports(HeadDim)
        ? Math.Max(AttentionCpu.WindowCpuScratchLength(args), AttentionCpu.WindowTransposedScratchLength(args)) : 0;

    // The kernel scratch buffer called `name`, at least `length` floats: kept across calls (a buffer sized for the
    // largest candidate while measuring serves the chosen one afterwards), replaced only by a larger need.
    private ArrayView<float> Scratch(string name, long length)
    {
        if (length > int.MaxValue)
        {
            throw new ArgumentException($"{nameof(HiLoAttention)}: kernel scratch of {length} elements is over 2^31.");
        }
        long kept = scratchLengths.GetValueOrDefault(name);
        if (length > kept)
        {
            scratchLengths[name] = kept = length;
        }
        return buffers.Get(name, (int)kept).View;
    }
}
