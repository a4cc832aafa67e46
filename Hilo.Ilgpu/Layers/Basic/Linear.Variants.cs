using System.Globalization;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;
using Hilo.Ilgpu.Kernels.Gemm;
using Hilo.Ilgpu.Scheduling;

namespace Hilo.Ilgpu.Layers;

/// <summary>The GEMM variants of <see cref="Linear"/> and the choice among them (docs/scheduler.md).</summary>
public sealed partial class Linear
{
    /// <summary>CPU family: panel GEMM (8×32 register block per work item), one block per work item: the CPU family's default.</summary>
    public const string PanelVariant = "panel";

    /// <summary>CPU family: panel GEMM with work items of 4 row blocks of one panel (they share the packed weight panel).</summary>
    public const string PanelRowGroupVariant = "panel-rows4";

    /// <summary>CPU family: panel GEMM with work items of 4 panels of one row block (they share the eight input rows).</summary>
    public const string PanelColumnGroupVariant = "panel-cols4";

    /// <summary>CPU family: panel GEMM with K in chunks of 256 and work items of 4 panels × 8 row blocks (cache blocking for large K and N).</summary>
    public const string PanelBlockedVariant = "panel-kc";

    /// <summary>ILGPU kernel: GEMM tiled through shared memory, 64×64 tiles, 4×4 register blocks per thread: the default elsewhere.</summary>
    public const string TiledVariant = "tiled";

    /// <summary>ILGPU kernel without shared memory: 8 rows of one column per thread, 32-thread groups (CPU OpenCL runtimes vectorise the group).</summary>
    public const string RowBlockVariant = "rows8";

    /// <summary>ILGPU kernel: the tiled GEMM with 32×32 tiles, 8×8 threads per group (small matrices; more groups).</summary>
    public const string TiledSmallVariant = "tiled-32";

    /// <summary>ILGPU kernel: 128×128 block tiles, 8×8 outputs per thread, double-buffered K slices (<see cref="BlockGemmKernels.BlockGemm128"/>: large GEMMs on GPUs).</summary>
    public const string Block128Variant = "block128";

    /// <summary>ILGPU kernel: 64×96 block tiles, 4×12 outputs per thread (<see cref="BlockGemmKernels.BlockGemm64x96"/>: N a multiple of 96, as LITv2's widths are, and small M).</summary>
    public const string Block64x96Variant = "block64x96";

    /// <summary>The tuner's operation name for this layer's GEMM.</summary>
    public const string TuningOperation = "linear";

    /// <summary>
    /// Rows a candidate is timed on at most on a CPU: GEMM time per row is flat there for large M, so a 12544-row
    /// layer is timed on 2048 of them (the choice is stored under the full M). GPUs time the full M
    /// (<see cref="TimedRows"/>).
    /// </summary>
    public const int MaxTimedRows = 2048;

    /// <summary>
    /// The rows a candidate is timed on for a layer of <paramref name="rows"/> rows: all of them on a GPU (2,048 rows
    /// are a few dozen tiles, too few to fill a GPU's multiprocessors, so a variant's speed there says little about
    /// the full layer's), at most <see cref="MaxTimedRows"/> elsewhere.
    /// </summary>
    public static int TimedRows(int rows, DeviceKind kind) => kind == DeviceKind.Gpu ? Math.Max(rows, 1) : Math.Clamp(rows, 1, MaxTimedRows);

    private readonly Dictionary<int, string> chosen = [];
    private string? variant;
    private Tensor? packedWeight;
    private Tensor? transposedWeight;

    /// <summary>The library's variants, CPU family first.</summary>
    public static IReadOnlyList<string> BuiltInVariants { get; } = [PanelVariant, PanelRowGroupVariant, PanelColumnGroupVariant, PanelBlockedVariant, TiledVariant, TiledSmallVariant, RowBlockVariant, Block128Variant, Block64x96Variant];

    /// <summary>Every variant: the library's, then those registered with <see cref="RegisterVariant"/>.</summary>
    public static IReadOnlyList<string> Variants => [.. BuiltInVariants, .. CustomVariants.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The kernel family of a variant: the tiled ones are ILGPU kernels, the panel ones the CPU family's; a registered one, the family it was registered with.</summary>
    public static KernelFamily FamilyOf(string variant) =>
        variant is TiledVariant or TiledSmallVariant or RowBlockVariant or Block128Variant or Block64x96Variant ? KernelFamily.Ilgpu
        : CustomVariants.TryGetValue(variant, out var custom) ? custom.Family
        : KernelFamily.Cpu;

    /// <summary>The variant used when nothing is measured: <see cref="PanelVariant"/> for the CPU family, <see cref="TiledVariant"/> for ILGPU kernels.</summary>
    public string DefaultVariant => Family == KernelFamily.Cpu ? PanelVariant : TiledVariant;

    /// <summary>
    /// The variant to always run (one of <see cref="Variants"/>), or null to let <see cref="ComputeDevice.Tuner"/>
    /// choose per row count. Set from the constructor's explicit style, if one was given.
    /// </summary>
    public string? Variant
    {
        get => variant;
        set
        {
            if (value is not null && !Variants.Contains(value))
            {
                throw new ArgumentException($"Unknown {nameof(Linear)} variant '{value}': use {string.Join(", ", Variants)}.", nameof(value));
            }
            if (value is not null && !Device.Allows(FamilyOf(value)))
            {
                throw new ArgumentException($"{nameof(Linear)} variant '{value}' is a {FamilyOf(value)}-family kernel, which does not run on {Device}.", nameof(value));
            }
            variant = value;
        }
    }

    /// <summary>The tuner's shape text for <paramref name="rows"/> input rows: <c>m=…,k=in,n=out</c>.</summary>
    public string TuningShape(int rows) => string.Create(CultureInfo.InvariantCulture, $"m={rows},k={InFeatures},n={OutFeatures}");

    /// <summary>
    /// The variant a forward pass over <paramref name="rows"/> input rows runs: <see cref="Variant"/> if set, else the
    /// tuner's choice (made once per row count; in measure mode the first call times the candidates).
    /// </summary>
    public string VariantFor(int rows)
    {
        if (variant is not null)
        {
            return variant;
        }
        if (chosen.TryGetValue(rows, out string? known))
        {
            return known;
        }
        EnsurePrepared();
        int timedRows = TimedRows(rows, Device.Info.Kind);
        // Candidates run on scratch buffers (never on the caller's output, which may be a residual being added to),
        // allocated only if the tuner actually measures.
        Tensor? a = null, c = null;
        try
        {
            void Scratch(string v, int m)
            {
                a ??= Device.Upload(new float[timedRows * InFeatures], timedRows, InFeatures);
                c ??= Device.Allocate(timedRows, OutFeatures);
                Launch(v, a.View, InFeatures, m, c.View, OutFeatures, accumulate: false);
            }
            // The probe: 1/16 of the timed rows (whole groups of 4 row blocks), so a variant far slower on this device
            // (the tiled GEMM on a CPU) is dropped at a sixteenth of the cost of a run.
            int probeRows = Math.Min(timedRows, Math.Max(4 * PanelGemmCpu.BlockRows, timedRows / 16));
            // The default first: it sets the bar that stops much slower variants early. Built-in variants of a family
            // the tuner's screen ruled out on this device are left out; registered ones are always measured.
            var candidates = Variants.Where(v => Device.Allows(FamilyOf(v)) && (CustomVariants.ContainsKey(v) || Device.Tuner.Considers(FamilyOf(v)))).OrderBy(v => v == DefaultVariant ? 0 : 1).Select(v => new TuningCandidate(v, () => Scratch(v, timedRows))
            {
                Probe = () => Scratch(v, probeRows),
                ProbeScale = timedRows / (double)probeRows,
            }).ToList();
            string choice = Device.Tuner.Choose(TuningOperation, TuningShape(rows), DefaultVariant, candidates);
            chosen[rows] = choice;
            ReleaseUnusedWeights();
            return choice;
        }
        finally
        {
            if (a is not null || c is not null)
            {
                Device.Synchronize();
                a?.Dispose();
                c?.Dispose();
            }
        }
    }

    private void Launch(string name, ArrayView<float> input, int lda, int rows, ArrayView<float> output, int ldc, bool accumulate)
    {
        var device = Device.Kernels;
        switch (name)
        {
            case PanelVariant:
                PanelGemmCpu.MultiplyBias(device, input, lda, PackedWeight(), paddedBias!.View, output, ldc, rows, OutFeatures, InFeatures, accumulate);
                break;
            case PanelRowGroupVariant:
                PanelGemmCpu.MultiplyBiasGrouped(device, input, lda, PackedWeight(), paddedBias!.View, output, ldc, rows, OutFeatures, InFeatures, accumulate, 1, 4);
                break;
            case PanelColumnGroupVariant:
                PanelGemmCpu.MultiplyBiasGrouped(device, input, lda, PackedWeight(), paddedBias!.View, output, ldc, rows, OutFeatures, InFeatures, accumulate, 4, 1);
                break;
            case PanelBlockedVariant:
                PanelGemmCpu.MultiplyBiasBlocked(device, input, lda, PackedWeight(), paddedBias!.View, output, ldc, rows, OutFeatures, InFeatures, accumulate);
                break;
            case RowBlockVariant:
                TiledGemmKernels.MultiplyBiasRowBlocks(device, input, lda, TransposedWeight(), paddedBias!.View, output, ldc, rows, OutFeatures, InFeatures, accumulate);
                break;
            case TiledSmallVariant:
                TiledGemmKernels.MultiplyBias(device, input, lda, TransposedWeight(), paddedBias!.View, output, ldc, rows, OutFeatures, InFeatures, accumulate, threads: TiledGemmKernels.SmallThreads);
                break;
            case TiledVariant:
                TiledGemmKernels.MultiplyBias(device, input, lda, TransposedWeight(), paddedBias!.View, output, ldc, rows, OutFeatures, InFeatures, accumulate);
                break;
            case Block128Variant:
                BlockGemmKernels.MultiplyBias(device, input, lda, TransposedWeight(), paddedBias!.View, output, ldc, rows, OutFeatures, InFeatures, accumulate, tile: BlockTile.Tile128x128);
                break;
            case Block64x96Variant:
                BlockGemmKernels.MultiplyBias(device, input, lda, TransposedWeight(), paddedBias!.View, output, ldc, rows, OutFeatures, InFeatures, accumulate, tile: BlockTile.Tile64x96);
                break;
            default:
                CustomVariants[name].Kernel(new LinearLaunch(device, input, lda, rows, TransposedWeight(), paddedBias!.View, output, ldc, InFeatures, OutFeatures, accumulate));
                break;
        }
    }

    /// <summary>
    /// The packed weight and padded bias of the CPU family's panel GEMM, for a fused kernel that runs this layer's GEMM
    /// itself (<c>ConvFfnCpu</c>); null when the layer does not run a panel GEMM (another family, or a variant set to a
    /// non-panel one), so that a fused kernel never replaces a variant the user chose. (It does replace the tuner's
    /// choice for the layer alone, which is made per GEMM: the fused kernel always runs the panel GEMM.)
    /// </summary>
    internal (ArrayView<float> PackedWeight, ArrayView<float> PaddedBias)? PanelOperands()
    {
        if (Family != KernelFamily.Cpu || (variant is not null && !UsesPackedWeight(variant)))
        {
            return null;
        }
        EnsurePrepared();
        return (PackedWeight(), paddedBias!.View);
    }

    // weightᵀ packed into 32-column panels for the panel GEMM.
    private ArrayView<float> PackedWeight()
    {
        if (packedWeight is null)
        {
            float[] packed = PanelGemmCpu.PackTransposedOnHost(Weight.Value.Data, InFeatures, OutFeatures);
            packedWeight = Device.Upload(packed, packed.Length);
        }
        return packedWeight.View;
    }

    // weightᵀ row-major (in × out) for the tiled GEMM.
    private ArrayView<float> TransposedWeight()
    {
        if (transposedWeight is null)
        {
            float[] w = Weight.Value.Data;
            var transposed = new float[w.Length];
            for (int o = 0; o < OutFeatures; o++)
            {
                for (int i = 0; i < InFeatures; i++)
                {
                    transposed[i * OutFeatures + o] = w[o * InFeatures + i];
                }
            }
            transposedWeight = Device.Upload(transposed, InFeatures, OutFeatures);
        }
        return transposedWeight.View;
    }

    private void PrepareVariantWeights(string name)
    {
        _ = UsesPackedWeight(name) ? PackedWeight() : TransposedWeight();
    }

    // The panel GEMMs read weightᵀ packed into panels; the tiled ones and users' variants read weightᵀ row-major.
    private static bool UsesPackedWeight(string name) => name is PanelVariant or PanelRowGroupVariant or PanelColumnGroupVariant or PanelBlockedVariant;

    // Measuring built every layout; keep only those the chosen variants use.
    private void ReleaseUnusedWeights()
    {
        if (!chosen.Values.Any(UsesPackedWeight))
        {
            packedWeight?.Dispose();
            packedWeight = null;
        }
        if (chosen.Values.All(UsesPackedWeight))
        {
            transposedWeight?.Dispose();
            transposedWeight = null;
        }
    }

    private void ReleaseVariantWeights()
    {
        packedWeight?.Dispose();
        packedWeight = null;
        transposedWeight?.Dispose();
        transposedWeight = null;
    }

    /// <inheritdoc />
    protected override void DisposeCore() => ReleaseVariantWeights();
}
