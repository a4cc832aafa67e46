using System.Diagnostics;
using Hilo.Ilgpu.Layers;

namespace Hilo.Ilgpu.Tests.Layers;

public abstract partial class ConvLayerSuite
{
    /// <summary>Times the LITv2-S conv layers at 224×224, batch 1 (explicit: no timing asserts).</summary>
    [Fact(Explicit = true)]
    public void Litv2SmallConvLayerTimings()
    {
        var rng = new Random(1);
        using var embed = new PatchEmbed(Device, 96);
        embed.InitializeRandom(1);
        using var image = Upload(ConvAssert.Normal(rng, 3 * 224 * 224), 1, 3, 224, 224);
        Time("PatchEmbed 224x224 -> 56x56x96", () => embed.Forward(image).Tokens.Dispose());
        int[] dims = [96, 192, 384];
        int side = 56;
        foreach (int dim in dims)
        {
            using var dtm = new DeformableTokenMerging(Device, dim);
            dtm.InitializeRandom(2);
            using var x = Upload(ConvAssert.Normal(rng, side * side * dim), 1, side * side, dim);
            Time($"DTM {side}x{side}x{dim}", () => dtm.Forward(x, side, side).Tokens.Dispose());
            using var dw = new DepthwiseConv3x3(Device, 4 * dim);
            dw.InitializeRandom(3);
            using var hidden = Upload(ConvAssert.Normal(rng, side * side * 4 * dim), 1, side * side, 4 * dim);
            Time($"dwconv {side}x{side}x{4 * dim}", () => dw.Forward(hidden, side, side).Dispose());
            side /= 2;
        }
        using var pool = new AvgPool2d(Device, 2);
        using var t = Upload(ConvAssert.Normal(rng, 14 * 14 * 384), 1, 196, 384);
        Time("avgpool 14x14x384 s2", () => pool.Forward(t, 14, 14).Dispose());
    }

    private void Time(string what, Action run)
    {
        run();
        Device.Synchronize();
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            Device.Synchronize();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
        }
        Log($"{what}: {best:F2} ms");
    }
}
