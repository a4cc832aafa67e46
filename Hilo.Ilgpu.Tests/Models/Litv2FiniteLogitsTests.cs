using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Tests.Models;

public abstract partial class Litv2ModelSuite
{
    /// <summary>
    /// Only the head's last logit of a one-image batch is +∞ or −∞: ten logits, all below one 16-lane vector, so they
    /// lie in the CPU family's scalar tail, and the value reaches the ILGPU kernels' check as it is. Finite weights make
    /// it: row 9 of head.weight is 0 except at the pooled feature largest in size (> 1), where ±float.MaxValue
    /// overflows the product. (A NaN logit cannot be made so reliably: with fused multiply-adds, +∞ followed by a
    /// product beyond −float.MaxValue stays +∞; <see cref="ANonFiniteLastInputValueAtBatchOneIsNamed"/> puts NaN in
    /// the tail through the model.)
    /// </summary>
    [Theory]
    [InlineData("+Inf")]
    [InlineData("-Inf")]
    public void ANonFiniteLastLogitAtBatchOneNamesTheHead(string kind)
    {
        Assert.SkipWhen(fixture.IsEmulated && kind != "+Inf",
            "ILGPU kernels on the emulated CPU accelerator take seconds per pass: +Inf here, both on the CPU family, OpenCL and CUDA (the kernel tests cover every kind on every family)");
        var two = Litv2TestData.Input("32x32");
        int perImage = two.Data.Length / two.Shape[0];
        var one = new HostTensor([1, .. two.Shape.ToArray()[1..]], two.Data[..perImage]);
        using var x = Device.Upload(one);

        var state = Litv2TestData.State("tiny_bare.pth");
        float[] pooled;
        using (var model = TinyModel())
        using (var features = model.ForwardFeatures(x))
        {
            pooled = features.Pooled.ToArray();
        }
        int classes = Litv2TestData.Tiny.NumClasses, dim = pooled.Length;
        Assert.Equal(10, classes);
        // The feature largest in size, > 1 so that float.MaxValue times it overflows.
        int largest = Enumerable.Range(0, dim).MaxBy(i => Math.Abs(pooled[i]));
        Assert.True(Math.Abs(pooled[largest]) > 1.01f, $"pooled feature {largest} is {pooled[largest]}: the fixture no longer overflows");
        var changed = Litv2TestData.WithChange(state, "head.weight", w =>
        {
            Array.Clear(w, (classes - 1) * dim, dim);
            w[(classes - 1) * dim + largest] = MathF.CopySign(float.MaxValue, pooled[largest]) * (kind == "-Inf" ? -1 : 1);
        });

        using var bad = new Litv2Model(Device, Litv2TestData.Tiny);
        bad.LoadStateDict(changed);
        // The setup is what it claims: without the check, logit 9 is the non-finite kind and the other nine finite.
        bad.CheckFinite = false;
        float[] logits;
        using (var unchecked_ = bad.Forward(x))
        {
            logits = unchecked_.ToArray();
        }
        Assert.All(logits[..^1], v => Assert.True(float.IsFinite(v)));
        float last = logits[^1];
        Assert.Equal(kind == "+Inf" ? float.PositiveInfinity : float.NegativeInfinity, last);

        bad.CheckFinite = true;
        var e = Assert.Throws<NonFiniteActivationsException>(() => bad.Forward(x).Dispose());
        Assert.Equal("head", e.Layer);
    }

    /// <summary>
    /// NaN, +∞ or −∞ as the last value of a 1×3×36×50 image (5400 values: the last 8 are the CPU family's scalar tail)
    /// or its first: the check of the input names it before any layer runs.
    /// </summary>
    [Theory]
    [InlineData(float.NaN, true)]
    [InlineData(float.PositiveInfinity, true)]
    [InlineData(float.NegativeInfinity, true)]
    [InlineData(float.NaN, false)]
    [InlineData(float.NegativeInfinity, false)]
    public void ANonFiniteLastInputValueAtBatchOneIsNamed(float value, bool last)
    {
        var two = Litv2TestData.Input("36x50");
        int perImage = two.Data.Length / two.Shape[0];
        Assert.Equal(8, perImage % 16);
        float[] data = two.Data[..perImage];
        data[last ? perImage - 1 : 0] = value;
        using var model = TinyModel();
        using var x = Device.Upload(new HostTensor([1, .. two.Shape.ToArray()[1..]], data));
        Assert.Equal("input", Assert.Throws<NonFiniteActivationsException>(() => model.Forward(x).Dispose()).Layer);
    }
}
