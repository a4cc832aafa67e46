using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Tests.Models;

/// <summary>
/// <see cref="Litv2Footprint"/>: the estimate is checked against the peak memory the device really reached in a
/// forward pass (an upper estimate, but not a wild one), and too-large inputs are refused before anything is allocated.
/// </summary>
public sealed class Litv2FootprintTests(CpuFamilyFixture fixture) : IClassFixture<CpuFamilyFixture>
{
    [Theory]
    [InlineData("litv2-s", 1, 64, 64)]
    [InlineData("litv2-s", 2, 96, 160)]
    [InlineData("litv2-s", 1, 224, 224)]
    [InlineData("tiny", 3, 36, 50)]
    public void EstimateBoundsTheMeasuredPeakWithinFourTimes(string name, int batch, int height, int width)
    {
        var device = fixture.Get();
        var config = name == "tiny" ? Litv2TestData.Tiny : Litv2Config.Preset(name);
        using var model = new Litv2Model(device, config);
        model.InitializeRandom(1);
        var random = new Random(5);
        var pixels = new float[batch * 3 * height * width];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)random.NextDouble();
        }
        using var images = device.Upload(pixels, batch, 3, height, width);
        model.Forward(images).Dispose(); // builds kernels and work buffers first: the second pass is the steady state
        device.Synchronize();
        long before = device.Kernels.AllocatedBytes;
        device.Kernels.ResetPeakMemory();
        model.Forward(images).Dispose();
        device.Synchronize();
        // The images count in the estimate; they were allocated before the pass.
        long measured = device.Kernels.PeakAllocatedBytes - before + 4L * pixels.Length;
        long estimate = model.Footprint(batch, height, width).ActivationBytes;
        TestContext.Current.TestOutputHelper?.WriteLine($"{name} {batch}×{height}×{width}: measured {measured:N0} B, estimated {estimate:N0} B ({estimate / (double)measured:0.00}×)");
        Assert.InRange(estimate, measured, 4 * measured);
    }

    [Fact]
    public void TooLargeInputsAreRefusedBeforeAnythingIsAllocated()
    {
        var device = fixture.Get();
        using var model = new Litv2Model(device, Litv2Config.Preset("litv2-s"));
        long allocated = device.Kernels.AllocatedBytes;
        // Past 32-bit indexing: stage 1's fc1 output of 2000 images is 2000 · 3136 · 384 elements.
        var e = Assert.Throws<InputTooLargeException>(() => model.EnsureFits(2000, 224, 224));
        Assert.Contains("a batch of 2000 image(s) of 224×224 needs a tensor of 2,408,448,000 elements", e.Message, StringComparison.Ordinal);
        // Within indexing but not within memory: a device with 1 GiB free.
        var footprint = model.Footprint(100, 224, 224);
        Assert.True(footprint.FitsIndexing);
        var m = Assert.Throws<InputTooLargeException>(() => footprint.EnsureFits("litv2-s", "test:0", 1L << 30, 4 * model.ParameterCount));
        Assert.Contains("of memory on test:0", m.Message, StringComparison.Ordinal);
        Assert.Contains("which has 1.0 GiB free", m.Message, StringComparison.Ordinal);
        Assert.Equal(allocated, device.Kernels.AllocatedBytes);
        Assert.IsAssignableFrom<ArgumentException>(e);
    }

    [Fact]
    public void AbsurdSizesSaturateInsteadOfOverflowing()
    {
        var footprint = Litv2Footprint.Of(Litv2Config.Preset("litv2-b"), int.MaxValue, 16384, 16384);
        Assert.False(footprint.FitsIndexing);
        Assert.Equal(long.MaxValue, footprint.ActivationBytes);
    }
}
