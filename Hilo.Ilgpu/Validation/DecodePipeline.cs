using System.Diagnostics;
using System.Threading.Channels;
using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Validation;

/// <summary>One file of a <see cref="DecodedBatch"/>: its position in the list, its path, and its pixels or why it has none.</summary>
public sealed record DecodedImage(int Index, string Path, RgbImage? Image, string? Error);

/// <summary>
/// Batch <see cref="Number"/> of a list cut into batches of a fixed size (batch b holds items b·size … b·size + size − 1,
/// so a batch holds the same files in every run), decoded.
/// </summary>
public sealed record DecodedBatch(int Number, IReadOnlyList<DecodedImage> Images)
{
    /// <summary>Bytes of the decoded pixels the batch holds.</summary>
    public long PixelBytes => Images.Sum(i => i.Image?.Pixels.LongLength ?? 0);

    /// <summary>
    /// Runs <paramref name="classifier"/> on the images that decoded (one forward pass) and returns one result per file,
    /// in order: its top <paramref name="topK"/> classes, or its decoding error.
    /// </summary>
    public IReadOnlyList<ImageClassification> Classify(ImageClassifier classifier, int topK)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var good = Images.Where(i => i.Image is not null).ToList();
        var top = good.Count == 0 ? [] : classifier.Top(good.Select(i => i.Image!).ToList(), topK);
        var byIndex = good.Select((g, k) => (g.Index, Top: top[k])).ToDictionary(p => p.Index, p => p.Top);
        return Images.Select(i => i.Image is null
            ? new ImageClassification(i.Path, [], i.Error)
            : new ImageClassification(i.Path, byIndex[i.Index], null)).ToList();
    }
}

/// <summary>How a <see cref="DecodePipeline.Run"/> went: batches, wall time, and the time the consumer waited for decoded batches.</summary>
/// <param name="Batches">Batches consumed.</param>
/// <param name="Elapsed">Wall time of the whole run.</param>
/// <param name="ConsumerWaited">Time the consumer (the device) spent waiting for a decoded batch; without overlap, all the decoding time.</param>
/// <param name="MostHeld">Most batches the decoders held at once (decoding or decoded and not yet taken).</param>
public sealed record PipelineStats(int Batches, TimeSpan Elapsed, TimeSpan ConsumerWaited, int MostHeld);

/// <summary>
/// Decodes image files batch by batch on worker threads while the caller consumes (preprocesses and classifies) the
/// batches before them, so that the device does not wait for the decoder when it need not. The pipeline is bounded:
/// the decoders hold at most <see cref="Capacity"/> batches — the one they are decoding and those decoded but not yet
/// taken — and start the next only when the consumer takes one; with the batch being consumed, at most
/// <see cref="Capacity"/> + 1 batches of pixels are in memory. The decoded pixels are bounded too: a batch is decoded
/// only while those of the batches decoded and not yet consumed stay under <see cref="MaxHeldBytes"/> (or none are
/// held), so huge images (16 files of 40 megapixels, 1.9 GB of pixels a batch) are not decoded batches ahead: at most
/// <see cref="MaxHeldBytes"/> plus one batch of pixels are held. Batches reach the consumer in order, on the calling
/// thread. A file that cannot be decoded (<see cref="ImageDecodeException"/>, I/O) becomes an image with its error.
/// </summary>
public sealed class DecodePipeline
{
    /// <summary>A pipeline decoding with <paramref name="decoders"/> threads, holding at most <paramref name="capacity"/> batches.</summary>
    /// <param name="limits">Limits on the files read (default <see cref="ImageLimits.Default"/>).</param>
    /// <param name="capacity">Batches the decoders may hold (at least 1).</param>
    /// <param name="decoders">Threads decoding the files of a batch (at least 1).</param>
    /// <param name="overlap">False: decode each batch, then consume it, in turn (for measuring what the overlap gains).</param>
    /// <param name="maxHeldBytes">Decoded pixels held before decoding further ahead (default 1 GiB).</param>
    public DecodePipeline(ImageLimits? limits = null, int capacity = 2, int decoders = 2, bool overlap = true, long maxHeldBytes = 1L << 30)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHeldBytes, 1);
        MaxHeldBytes = maxHeldBytes;
        ArgumentOutOfRangeException.ThrowIfLessThan(decoders, 1);
        Limits = limits ?? ImageLimits.Default;
        Capacity = capacity;
        Decoders = decoders;
        Overlap = overlap;
    }

    /// <summary>Limits on the files read.</summary>
    public ImageLimits Limits { get; }

    /// <summary>Bytes of decoded pixels (decoded and not yet consumed) under which a further batch may be decoded.</summary>
    public long MaxHeldBytes { get; }

    /// <summary>Batches the decoders may hold.</summary>
    public int Capacity { get; }

    /// <summary>Threads decoding the files of a batch.</summary>
    public int Decoders { get; }

    /// <summary>Whether decoding runs alongside the consumer.</summary>
    public bool Overlap { get; }

    /// <summary>
    /// Decodes the batches numbered <paramref name="batches"/> (in that order) of <paramref name="paths"/> cut into
    /// batches of <paramref name="batchSize"/>, and hands each to <paramref name="consume"/> on this thread. An exception
    /// of the consumer stops the decoders and travels on unchanged; so does a cancellation, seen between batches (the
    /// batch being consumed is finished first).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">batchSize below 1, or a batch number outside the list.</exception>
    public PipelineStats Run(IReadOnlyList<string> paths, int batchSize, IEnumerable<int> batches, Action<DecodedBatch> consume, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(consume);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var numbers = batches.ToList();
        int count = (paths.Count + batchSize - 1) / batchSize;
        foreach (int b in numbers)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(b, nameof(batches));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(b, count, nameof(batches));
        }
        var clock = Stopwatch.StartNew();
        return Overlap
            ? RunOverlapped(paths, batchSize, numbers, consume, clock, cancellation)
            : RunInTurn(paths, batchSize, numbers, consume, clock, cancellation);
    }

    private PipelineStats RunInTurn(IReadOnlyList<string> paths, int batchSize, List<int> numbers, Action<DecodedBatch> consume, Stopwatch clock, CancellationToken cancellation)
    {
        var waited = TimeSpan.Zero;
        foreach (int b in numbers)
        {
            cancellation.ThrowIfCancellationRequested();
            var start = clock.Elapsed;
            var batch = Decode(paths, batchSize, b, cancellation);
            waited += clock.Elapsed - start;
            consume(batch);
        }
        return new PipelineStats(numbers.Count, clock.Elapsed, waited, numbers.Count == 0 ? 0 : 1);
    }

    private PipelineStats RunOverlapped(IReadOnlyList<string> paths, int batchSize, List<int> numbers, Action<DecodedBatch> consume, Stopwatch clock, CancellationToken cancellation)
    {
        var channel = Channel.CreateUnbounded<DecodedBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var slots = new SemaphoreSlim(Capacity, Capacity);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        int held = 0, mostHeld = 0;
        long heldBytes = 0;
        var budget = new object();
        var producer = Task.Run(() =>
        {
            try
            {
                foreach (int b in numbers)
                {
                    slots.Wait(stop.Token);
                    lock (budget)
                    {
                        // Pixels first: no decoding ahead while the batches held already fill the budget.
                        while (heldBytes > 0 && heldBytes >= MaxHeldBytes)
                        {
                            stop.Token.ThrowIfCancellationRequested();
                            Monitor.Wait(budget, 50);
                        }
                    }
                    int now = Interlocked.Increment(ref held);
                    InterlockedMax(ref mostHeld, now);
                    var decoded = Decode(paths, batchSize, b, stop.Token);
                    lock (budget)
                    {
                        heldBytes += decoded.PixelBytes;
                    }
                    channel.Writer.TryWrite(decoded);
                }
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        var waited = TimeSpan.Zero;
        try
        {
            for (int taken = 0; taken < numbers.Count; taken++)
            {
                var start = clock.Elapsed;
                // Faults with the decoders' exception, if they failed.
                var batch = channel.Reader.ReadAsync(stop.Token).AsTask().GetAwaiter().GetResult();
                waited += clock.Elapsed - start;
                Interlocked.Decrement(ref held);
                slots.Release();
                consume(batch);
                lock (budget)
                {
                    heldBytes -= batch.PixelBytes;
                    Monitor.PulseAll(budget);
                }
            }
        }
        catch
        {
            stop.Cancel();
            producer.Wait(CancellationToken.None);
            throw;
        }
        producer.Wait(CancellationToken.None);
        return new PipelineStats(numbers.Count, clock.Elapsed, waited, mostHeld);
    }

    private DecodedBatch Decode(IReadOnlyList<string> paths, int batchSize, int number, CancellationToken cancellation)
    {
        int start = number * batchSize, count = Math.Min(batchSize, paths.Count - start);
        var images = new DecodedImage[count];
        try
        {
            DecodeInto(images, paths, start, cancellation);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            // Parallel.For wraps what a decoder threw (out of memory, a bug): it travels on as itself.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return new DecodedBatch(number, images);
    }

    private void DecodeInto(DecodedImage[] images, IReadOnlyList<string> paths, int start, CancellationToken cancellation)
    {
        int count = images.Length;
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Decoders, CancellationToken = cancellation }, k =>
        {
            string path = paths[start + k];
            try
            {
                images[k] = new DecodedImage(start + k, path, ImageFile.Load(path, Limits), null);
            }
            catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
            {
                // ImageDecodeException's message starts with the path; other I/O errors get it.
                string message = e is ImageDecodeException || e.Message.Contains(path, StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}";
                images[k] = new DecodedImage(start + k, path, null, message);
            }
        });
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
