using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Tests.Imaging;
using Hilo.Ilgpu.Validation;

namespace Hilo.Ilgpu.Tests.Validation;

/// <summary>
/// <see cref="DecodePipeline"/>: batches arrive whole and in order with the pixels <see cref="ImageFile"/> decodes,
/// bad files become errors, the decoders never hold more than the capacity, decoding runs while the consumer works,
/// and a consumer's exception stops the run.
/// </summary>
public sealed class DecodePipelineTests
{
    private static readonly string[] Files = ["rgb_317x251.png", "not_an_image.png", "palette_150x110.gif", "photo_300x400.jpg", "tiny_40x30.png", "gray_200x150.png", "rgb_90x70.bmp"];

    private static IReadOnlyList<string> Paths => [.. Files.Select(f => Path.Combine(ImageFixtureCase.Folder, f))];

    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 3)]
    [InlineData(false, 2)]
    public void BatchesArriveInOrderWithTheDecodedPixelsAndErrors(bool overlap, int decoders)
    {
        var seen = new List<DecodedBatch>();
        var stats = new DecodePipeline(capacity: 2, decoders: decoders, overlap: overlap).Run(Paths, 3, [0, 2, 1], seen.Add, TestContext.Current.CancellationToken);
        Assert.Equal(3, stats.Batches);
        Assert.Equal([0, 2, 1], seen.Select(b => b.Number));
        Assert.Equal([0, 1, 2], seen[0].Images.Select(i => i.Index));
        Assert.Equal([6], seen[1].Images.Select(i => i.Index)); // the last batch is short
        Assert.Equal([3, 4, 5], seen[2].Images.Select(i => i.Index));
        foreach (var image in seen.SelectMany(b => b.Images))
        {
            Assert.Equal(Paths[image.Index], image.Path);
            if (Files[image.Index] == "not_an_image.png")
            {
                Assert.Null(image.Image);
                Assert.StartsWith(image.Path + ": unknown image format", image.Error, StringComparison.Ordinal);
            }
            else
            {
                Assert.Null(image.Error);
                Assert.Equal(ImageFile.Load(image.Path).Pixels, image.Image!.Pixels);
            }
        }
    }

    [Fact]
    public void TheDecodersHoldAtMostTheCapacityAndWorkWhileTheConsumerDoes()
    {
        var many = Enumerable.Repeat(Paths[3], 24).ToList(); // 8 batches of three 300×400 JPEGs
        int consumed = 0;
        void SlowDevice(DecodedBatch _)
        {
            // The first batch is held long enough for the decoders to fill both slots even on a loaded machine (a
            // fixed 100 ms per batch once let a slow decode keep them from getting ahead: MostHeld 1, seen once).
            Thread.Sleep(consumed % 8 == 0 ? 2000 : 20);
            consumed++;
        }
        var overlapped = new DecodePipeline(capacity: 2, decoders: 1).Run(many, 3, Enumerable.Range(0, 8), SlowDevice, TestContext.Current.CancellationToken);
        var inTurn = new DecodePipeline(capacity: 2, decoders: 1, overlap: false).Run(many, 3, Enumerable.Range(0, 8), SlowDevice, TestContext.Current.CancellationToken);
        Assert.Equal(16, consumed);
        // Overlapped, the decoders ran ahead of the slow consumer until both slots were full, and no further; in
        // turn, one batch at a time. (Wall-clock waits are reported but not compared: a loaded machine's scheduling
        // decides them.)
        Assert.Equal(2, overlapped.MostHeld);
        Assert.Equal(1, inTurn.MostHeld);
        Assert.True(inTurn.ConsumerWaited > TimeSpan.Zero);
    }

    [Fact]
    public void AConsumerExceptionStopsTheDecodersAndTravelsOn()
    {
        var many = Enumerable.Repeat(Paths[4], 50).ToList();
        int consumed = 0;
        var e = Assert.Throws<InvalidOperationException>(() => new DecodePipeline(capacity: 2).Run(many, 1, Enumerable.Range(0, 50), _ =>
        {
            if (++consumed == 3)
            {
                throw new InvalidOperationException("device lost");
            }
        }, TestContext.Current.CancellationToken));
        Assert.Equal("device lost", e.Message);
        Assert.Equal(3, consumed);
    }

    [Fact]
    public void ABatchNumberOutsideTheListIsRefusedBeforeAnyWork()
    {
        int consumed = 0;
        Assert.Throws<ArgumentOutOfRangeException>(() => new DecodePipeline().Run(Paths, 3, [0, 3], _ => consumed++, TestContext.Current.CancellationToken));
        Assert.Equal(0, consumed);
    }
}
