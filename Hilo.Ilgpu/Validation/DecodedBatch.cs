using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Validation;

/// <summary>
/// Batch <see cref="Number"/> of a list cut into batches of a fixed size (batch b holds items b·size … b·size + size − 1,
/// so a batch holds the same files in every run), handed to the consumer of a <see cref="DecodePipeline"/> while its
/// files are still being decoded: <see cref="Images"/> gives them in order, each as soon as it is decoded.
/// </summary>
public sealed class DecodedBatch
{
    private readonly Func<int, DecodedImage> take;
    private readonly Action<int> release;
    private int handed;
    private bool enumerated;

    internal DecodedBatch(int number, int start, int count, Func<int, DecodedImage> take, Action<int> release)
    {
        Number = number;
        Start = start;
        Count = count;
        this.take = take;
        this.release = release;
    }

    /// <summary>The batch's number in the list.</summary>
    public int Number { get; }

    /// <summary>The position in the list of the batch's first file.</summary>
    public int Start { get; }

    /// <summary>The files in the batch (the last batch of a list may be short).</summary>
    public int Count { get; }

    /// <summary>
    /// The batch's files in order, each as soon as it is decoded (waiting for it if need be). Enumerated once: an
    /// image's pixels leave the pipeline's memory budget when the next image is asked for, so the consumer uses each
    /// image before it asks for the next and does not keep the pixels (<see cref="ImageBatch.Add"/> resizes them into
    /// the device batch at once).
    /// </summary>
    /// <exception cref="InvalidOperationException">Enumerated a second time.</exception>
    public IEnumerable<DecodedImage> Images
    {
        get
        {
            if (enumerated)
            {
                throw new InvalidOperationException($"The images of batch {Number} are handed once, one at a time; they were enumerated already.");
            }
            enumerated = true;
            return Hand();
        }
    }

    /// <summary>
    /// Classifies the batch with <paramref name="classifier"/>: each image is resized into its slot of the device batch
    /// as it arrives, then one forward pass; one result per file, in order (its top classes, or its decoding error).
    /// </summary>
    public IReadOnlyList<ImageClassification> Classify(ImageClassifier classifier, int topK)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        return classifier.ClassifyBatch(Count, Images, topK);
    }

    private IEnumerable<DecodedImage> Hand()
    {
        while (handed < Count)
        {
            var image = take(handed);
            try
            {
                yield return image;
            }
            finally
            {
                release(handed++);
            }
        }
    }

    // Takes and releases the files the consumer did not ask for, so that the pipeline's budget is whole again.
    internal void Drain()
    {
        while (handed < Count)
        {
            take(handed);
            release(handed++);
        }
    }
}
