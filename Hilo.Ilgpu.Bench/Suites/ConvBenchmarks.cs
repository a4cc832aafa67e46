using BenchmarkDotNet.Attributes;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Bench.Suites;

/// <summary>
/// The convolution family at LITv2-S sizes, batch 4: patch embedding (224² RGB → 56² × 96, with its
/// LayerNorm), the DWMlp depthwise 3×3 conv of stage 1 (56² × 384), stage 1's whole ConvFFN (fc1, depthwise + GELU,
/// fc2) fused over row strips and in turn, and deformable token merging stage 1 → 2 (56² × 96 → 28² × 192: offsets
/// conv, deformable conv, folded BatchNorm, GELU).
/// </summary>
public class ConvBenchmarks : DeviceBenchmark
{
    private const int Batch = 4;
    private Tensor? image, hidden, tokens;
    private PatchEmbed? patchEmbed;
    private DepthwiseConv3x3? dwconv;
    private DeformableTokenMerging? dtm;
    private Hilo.Ilgpu.Models.DWMlp? convFfn;

    /// <inheritdoc />
    protected override void Setup()
    {
        image = RandomTensor(1, 1f, Batch, 3, 224, 224);
        hidden = RandomTensor(2, 1f, Batch, 56 * 56, 384);
        tokens = RandomTensor(3, 1f, Batch, 56 * 56, 96);
        patchEmbed = new PatchEmbed(Dev, 96);
        patchEmbed.InitializeRandom(4);
        dwconv = new DepthwiseConv3x3(Dev, 384);
        dwconv.InitializeRandom(5);
        dtm = new DeformableTokenMerging(Dev, 96);
        dtm.InitializeRandom(6);
        convFfn = new Hilo.Ilgpu.Models.DWMlp(Dev, 96, 384);
        convFfn.InitializeRandom(7);
    }

    /// <summary>Conv2d(3→96, k=4, s=4) + LayerNorm.</summary>
    [Benchmark]
    public void PatchEmbed()
    {
        var (y, _, _) = patchEmbed!.Forward(image!);
        Sync();
        y.Dispose();
    }

    /// <summary>Depthwise 3×3 conv, pad 1, with bias.</summary>
    [Benchmark]
    public void DepthwiseConv()
    {
        using var y = dwconv!.Forward(hidden!, 56, 56);
        Sync();
    }

    /// <summary>Depthwise 3×3 conv followed by GELU, as in the ConvFFN (fused into one kernel on CPU-style devices).</summary>
    [Benchmark]
    public void DepthwiseConvGelu()
    {
        using var y = dwconv!.Forward(hidden!, 56, 56, gelu: true);
        Sync();
    }

    /// <summary>Deformable token merging (DTM).</summary>
    [Benchmark]
    public void Dtm()
    {
        var (y, _, _) = dtm!.Forward(tokens!, 56, 56);
        Sync();
        y.Dispose();
    }

    /// <summary>Stage 1's ConvFFN (96 → 384 → 96 channels, 56² tokens) as one fused CPU kernel over row strips (ILGPU devices: in turn).</summary>
    [Benchmark]
    public void ConvFfnFused()
    {
        convFfn!.FuseOnCpu = true;
        using var y = convFfn.Forward(tokens!, 56, 56);
        Sync();
    }

    /// <summary>The same ConvFFN as fc1, depthwise + GELU and fc2 in turn (the hidden map goes to memory and back).</summary>
    [Benchmark]
    public void ConvFfnInTurn()
    {
        convFfn!.FuseOnCpu = false;
        using var y = convFfn.Forward(tokens!, 56, 56);
        Sync();
    }

    /// <inheritdoc />
    protected override void Cleanup()
    {
        convFfn?.Dispose();
        patchEmbed?.Dispose();
        dwconv?.Dispose();
        dtm?.Dispose();
        image?.Dispose();
        hidden?.Dispose();
        tokens?.Dispose();
    }
}
