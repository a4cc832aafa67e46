using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Validation;

/// <summary>How a <see cref="DecodePipeline.Run"/> went: batches, wall time, and the time the consumer waited for decoded images.</summary>
/// <param name="Batches">Batches consumed.</param>
/// <param name="Elapsed">Wall time of the whole run.</param>
/// <param name="ConsumerWaited">Time the consumer (the device) spent waiting for a decoded image; without overlap, about all the decoding time.</param>
/// <param name="MostAhead">The most batches the decoders got ahead of the batch being consumed (0 without overlap).</param>
/// <param name="MostHeldBytes">The most bytes of pixels held at once (being decoded, or decoded and not yet released by the consumer).</param>
public sealed record PipelineStats(int Batches, TimeSpan Elapsed, TimeSpan ConsumerWaited, int MostAhead, long MostHeldBytes);

/// <summary>
/// Decodes image files on worker threads while the caller consumes (preprocesses and classifies) them, so that the
/// device does not wait for the decoder when it need not. Files are decoded in list order and handed to the consumer
/// one at a time (<see cref="DecodedBatch.Images"/>), each as soon as it is decoded. Two bounds hold: the decoders work
/// at most <see cref="Capacity"/> batches ahead of the batch being consumed; and the pixels held — decoded or being
/// decoded (4 bytes a pixel while the decoder runs, 3 after), not yet released by the consumer — stay within
/// <see cref="MaxHeldBytes"/>, checked from each file's header before its pixels are decoded. The one exception is the
/// file the consumer needs next, which is always decoded (else an image larger than the budget could never be): at
/// most <see cref="MaxHeldBytes"/> plus one image's bytes are held, however large the batch or the images. A file that
/// cannot be decoded (<see cref="ImageDecodeException"/>, I/O) becomes an image with its error.
/// </summary>
public sealed class DecodePipeline
{
    /// <summary>Bytes a decoding image holds per pixel: the decoder's RGBA and the RGB kept after it.</summary>
    private const int DecodingBytesPerPixel = 7;

    /// <summary>A pipeline decoding with <paramref name="decoders"/> threads, at most <paramref name="capacity"/> batches ahead.</summary>
    /// <param name="limits">Limits on the files read (default <see cref="ImageLimits.Default"/>).</param>
    /// <param name="capacity">Batches the decoders may work ahead of the batch being consumed (at least 1).</param>
    /// <param name="decoders">Threads decoding files (at least 1).</param>
    /// <param name="overlap">False: the decoders work only on the batch being consumed (for measuring what decoding ahead gains).</param>
    /// <param name="maxHeldBytes">Bytes of pixels held (decoding, or decoded and not yet released) beyond which no further file is decoded ahead (default 512 MiB).</param>
    public DecodePipeline(ImageLimits? limits = null, int capacity = 2, int decoders = 2, bool overlap = true, long maxHeldBytes = 512L << 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(decoders, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHeldBytes, 1);
        Limits = limits ?? ImageLimits.Default;
        Capacity = capacity;
        Decoders = decoders;
        Overlap = overlap;
        MaxHeldBytes = maxHeldBytes;
    }

    /// <summary>Limits on the files read.</summary>
    public ImageLimits Limits { get; }

    /// <summary>Bytes of pixels held beyond which no further file is decoded ahead of the consumer.</summary>
    public long MaxHeldBytes { get; }

    /// <summary>Batches the decoders may work ahead of the batch being consumed.</summary>
    public int Capacity { get; }

    /// <summary>Threads decoding files.</summary>
    public int Decoders { get; }

    /// <summary>Whether decoding runs ahead of the consumer.</summary>
    public bool Overlap { get; }

    /// <summary>
    /// Decodes the batches numbered <paramref name="batches"/> (in that order) of <paramref name="paths"/> cut into
    /// batches of <paramref name="batchSize"/>, and hands each to <paramref name="consume"/> on this thread, its images
    /// arriving as they are decoded. An exception of the consumer stops the decoders and travels on unchanged; so does
    /// a cancellation, seen between batches (the batch being consumed is finished first).
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
        return new Session(this, paths, batchSize, numbers).Go(consume, cancellation);
    }

    // One run: the files in the order they are consumed, the decoders, and the budget they share with the consumer.
    // Every field below `gate` is read and written under it.
    private sealed class Session
    {
        private readonly DecodePipeline pipeline;
        private readonly string[] files;
        private readonly int[] fileIndex;
        private readonly int[] ordinal;
        private readonly DecodedImage?[] decoded;
        private readonly long[] held;
        private readonly List<(int Number, int First, int Position, int Count)> order = [];
        private readonly object gate = new();
        private int claimed, consumerOrdinal, consumerNext, mostAhead;
        private long heldBytes, mostHeldBytes;
        private bool stopped;
        private ExceptionDispatchInfo? failure;
        private TimeSpan waited;
        private readonly Stopwatch clock = Stopwatch.StartNew();

        public Session(DecodePipeline pipeline, IReadOnlyList<string> paths, int batchSize, List<int> numbers)
        {
            this.pipeline = pipeline;
            var positions = new List<(string File, int Index, int Ordinal)>();
            for (int o = 0; o < numbers.Count; o++)
            {
                int start = numbers[o] * batchSize, count = Math.Min(batchSize, paths.Count - start);
                order.Add((numbers[o], start, positions.Count, count));
                for (int k = 0; k < count; k++)
                {
                    positions.Add((paths[start + k], start + k, o));
                }
            }
            files = [.. positions.Select(p => p.File)];
            fileIndex = [.. positions.Select(p => p.Index)];
            ordinal = [.. positions.Select(p => p.Ordinal)];
            decoded = new DecodedImage?[files.Length];
            held = new long[files.Length];
        }

        public PipelineStats Go(Action<DecodedBatch> consume, CancellationToken cancellation)
        {
            var workers = Enumerable.Range(0, pipeline.Decoders)
                .Select(_ => Task.Factory.StartNew(Decode, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            try
            {
                for (int o = 0; o < order.Count; o++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var (number, first, start, count) = order[o];
                    lock (gate)
                    {
                        consumerOrdinal = o;
                        Monitor.PulseAll(gate);
                    }
                    var batch = new DecodedBatch(number, first, count, k => Take(start + k), k => Release(start + k));
                    consume(batch);
                    batch.Drain();
                }
            }
            finally
            {
                lock (gate)
                {
                    stopped = true;
                    Monitor.PulseAll(gate);
                }
                Task.WaitAll(workers, CancellationToken.None);
            }
            return new PipelineStats(order.Count, clock.Elapsed, waited, mostAhead, mostHeldBytes);
        }

        // A decoder: claims the next file in order when it is within the batches allowed ahead, and decodes it.
        private void Decode()
        {
            int ahead = pipeline.Overlap ? pipeline.Capacity : 0;
            while (true)
            {
                int p;
                lock (gate)
                {
                    while (!stopped && claimed < files.Length && ordinal[claimed] > consumerOrdinal + ahead)
                    {
                        Monitor.Wait(gate);
                    }
                    if (stopped || claimed >= files.Length)
                    {
                        return;
                    }
                    p = claimed++;
                    mostAhead = Math.Max(mostAhead, ordinal[p] - consumerOrdinal);
                }
                DecodedImage result;
                try
                {
                    result = DecodedImage.Load(fileIndex[p], files[p], pipeline.Limits, info => Reserve(p, info));
                }
                catch (OperationCanceledException) when (Volatile.Read(ref stopped))
                {
                    return;
                }
                catch (Exception e)
                {
                    // Not a bad file but a failure of the run (a bug, the process out of memory): it ends the run.
                    lock (gate)
                    {
                        failure ??= ExceptionDispatchInfo.Capture(e);
                        stopped = true;
                        Monitor.PulseAll(gate);
                    }
                    return;
                }
                lock (gate)
                {
                    long bytes = result.Image?.Pixels.LongLength ?? 0;
                    heldBytes += bytes - held[p];
                    held[p] = bytes;
                    decoded[p] = result;
                    Monitor.PulseAll(gate);
                }
            }
        }

        // Called with file p's checked header before its pixels are decoded: waits until its bytes fit the budget, or
        // the consumer needs it next (so the budget cannot stall the run), and counts them as held.
        private void Reserve(int p, ImageInfo info)
        {
            long need = info.Pixels * DecodingBytesPerPixel;
            lock (gate)
            {
                while (!stopped && p != consumerNext && heldBytes + need > pipeline.MaxHeldBytes)
                {
                    Monitor.Wait(gate);
                }
                if (stopped)
                {
                    throw new OperationCanceledException("The decoding pipeline stopped.");
                }
                heldBytes += need;
                held[p] = need;
                mostHeldBytes = Math.Max(mostHeldBytes, heldBytes);
            }
        }

        // The consumer's wait for file p.
        private DecodedImage Take(int p)
        {
            var start = clock.Elapsed;
            lock (gate)
            {
                while (decoded[p] is null && failure is null)
                {
                    Monitor.Wait(gate);
                }
                waited += clock.Elapsed - start;
                failure?.Throw();
                return decoded[p]!;
            }
        }

        // The consumer is done with file p: its bytes leave the budget, and the file after it is the one needed next.
        private void Release(int p)
        {
            lock (gate)
            {
                heldBytes -= held[p];
                held[p] = 0;
                decoded[p] = null;
                consumerNext = p + 1;
                Monitor.PulseAll(gate);
            }
        }
    }
}
