using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Tests.Imaging;
using Hilo.Ilgpu.Validation;

namespace Hilo.Ilgpu.Tests.Validation;

/// <summary>
/// <see cref="DecodePipeline"/>: batches arrive in order, their images in order with the pixels <see cref="ImageFile"/>
/// decodes, bad files become errors, the decoders never get more batches ahead than the capacity nor hold more pixels
/// than the budget (plus the image needed next), decoding runs while the consumer works, and a consumer's exception
/// stops the run.
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
        var seen = new List<(int Number, int Start, int Count, List<DecodedImage> Images)>();
        var stats = new DecodePipeline(capacity: 2, decoders: decoders, overlap: overlap).Run(Paths, 3, [0, 2, 1],
            b => seen.Add((b.Number, b.Start, b.Count, b.Images.ToList())), TestContext.Current.CancellationToken);
        Assert.Equal(3, stats.Batches);
        Assert.Equal([0, 2, 1], seen.Select(b => b.Number));
        Assert.Equal([0, 6, 3], seen.Select(b => b.Start));
        Assert.Equal([3, 1, 3], seen.Select(b => b.Count)); // the last batch is short
        Assert.Equal([0, 1, 2], seen[0].Images.Select(i => i.Index));
        Assert.Equal([6], seen[1].Images.Select(i => i.Index));
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
    public void TheDecodersGetAtMostTheCapacityAheadAndWorkWhileTheConsumerDoes()
    {
        var many = Enumerable.Repeat(Paths[3], 24).ToList(); // 8 batches of three 300×400 JPEGs
        int consumed = 0, consumedImages = 0;
        void SlowDevice(DecodedBatch batch)
        {
            consumedImages += batch.Images.Count();
            // The first batch is held long enough for the decoders to fill both slots even on a loaded machine (a
            // fixed 100 ms per batch once let a slow decode keep them from getting ahead: MostHeld 1, seen once).
            Thread.Sleep(consumed % 8 == 0 ? 2000 : 20);
            consumed++;
        }
        var overlapped = new DecodePipeline(capacity: 2, decoders: 1).Run(many, 3, Enumerable.Range(0, 8), SlowDevice, TestContext.Current.CancellationToken);
        var inTurn = new DecodePipeline(capacity: 2, decoders: 1, overlap: false).Run(many, 3, Enumerable.Range(0, 8), SlowDevice, TestContext.Current.CancellationToken);
        Assert.Equal(16, consumed);
        Assert.Equal(48, consumedImages);
        // Overlapped, the decoders ran ahead of the slow consumer by two batches, and no further; in turn, never
        // beyond the batch being consumed. (Wall-clock waits are reported but not compared: a loaded machine's
        // scheduling decides them.)
        Assert.Equal(2, overlapped.MostAhead);
        Assert.Equal(0, inTurn.MostAhead);
        Assert.True(inTurn.ConsumerWaited > TimeSpan.Zero);
    }

    [Theory]
    [InlineData(1L)]          // no room ahead: only the image the consumer needs next is ever decoded
    [InlineData(2_520_000L)]  // room for three decoding 300×400 images
    public void ThePixelsHeldStayWithinTheBudgetPlusTheImageNeededNext(long budget)
    {
        var many = Enumerable.Repeat(Paths[3], 12).ToList(); // a 300×400 JPEG: 7 B a pixel decoding, 3 B decoded
        const long Decoding = 300 * 400 * 7, Decoded = 300 * 400 * 3;
        int images = 0;
        var stats = new DecodePipeline(capacity: 4, decoders: 3, maxHeldBytes: budget).Run(many, 4, Enumerable.Range(0, 3), batch =>
        {
            foreach (var image in batch.Images)
            {
                Assert.Equal(Decoded, image.Image!.Pixels.LongLength);
                // The first image is held long enough for the decoders to fill the budget even on a loaded machine.
                Thread.Sleep(images++ == 0 ? 1000 : 10);
            }
        }, TestContext.Current.CancellationToken);
        Assert.Equal(12, images);
        Assert.True(stats.MostHeldBytes <= budget + Decoding, $"{stats.MostHeldBytes} bytes held, over the budget of {budget} plus one decoding image");
        if (budget > Decoding)
        {
            // The decoders did work ahead: the image being consumed and at least one more were held at once.
            Assert.True(stats.MostHeldBytes >= Decoded + Decoding, $"only {stats.MostHeldBytes} bytes held at most");
        }
    }

    [Fact]
    public void TheImagesOfABatchAreHandedOnce()
    {
        int consumed = 0;
        new DecodePipeline().Run(Paths, 3, [0], batch =>
        {
            Assert.Equal(3, batch.Images.Count());
            Assert.Throws<InvalidOperationException>(() => batch.Images);
            consumed++;
        }, TestContext.Current.CancellationToken);
        // A consumer that takes no image leaves the budget whole: the pipeline takes and releases them after it.
        var stats = new DecodePipeline(maxHeldBytes: 1).Run(Paths, 2, [0, 1, 2, 3], _ => consumed++, TestContext.Current.CancellationToken);
        Assert.Equal(5, consumed);
        Assert.Equal(4, stats.Batches);
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
