using System.Globalization;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Validation;

namespace Hilo.Ilgpu.Cli;

/// <summary>How a <see cref="BatchedRun"/> went: results in list order, and how long it took.</summary>
internal sealed record BatchedRunResult(IReadOnlyList<ImageClassification> Results, int Resumed, PipelineStats Stats);

/// <summary>
/// What <c>classify</c> and <c>validate</c> share: a file list cut into fixed batches (batch b = files b·B … b·B + B − 1
/// of the shard), decoded by a <see cref="DecodePipeline"/> while the device classifies the images before, each batch's
/// results appended to a <see cref="ResultJournal"/> when there is one, and the batches a journal already holds
/// skipped on <c>--resume</c> (fixed batches: a resumed run runs the model on exactly the batches of one uninterrupted run).
/// </summary>
internal static class BatchedRun
{
    /// <summary>
    /// Runs a command's <paramref name="body"/>, which returns each file's error (null: classified), and reports: one
    /// <c>error:</c> line per failed file after the outputs, exit code 0 when none failed, else 1; an interruption or
    /// a user error (<see cref="InferCommand.IsUserError"/>) is one <c>error:</c> line and 1.
    /// </summary>
    public static int Report(TextWriter error, Func<IEnumerable<string?>> body)
    {
        try
        {
            var failed = body().Where(e => e is not null).ToList();
            foreach (string? message in failed)
            {
                error.WriteLine("error: " + InferCommand.OneLine(message!));
            }
            return failed.Count == 0 ? 0 : 1;
        }
        catch (InterruptedRunException e)
        {
            error.WriteLine("error: " + e.Message);
            return 1;
        }
        catch (Exception e) when (InferCommand.IsUserError(e))
        {
            error.WriteLine("error: " + InferCommand.OneLine(e.Message));
            return 1;
        }
    }

    /// <summary>The journal that goes with an output file: <c>FILE.journal</c>, next to it.</summary>
    public static string JournalPath(string output) => output + ".journal";

    /// <summary>The weights for a journal's run description: the file and its SHA-256, or the random seed.</summary>
    public static string WeightsIdentity(RunProvenance provenance) =>
        provenance.RandomWeights ? provenance.Weights! : $"{Path.GetFullPath(provenance.WeightsFile!)} (SHA-256 {provenance.WeightsSha256})";

    /// <summary>
    /// Classifies <paramref name="paths"/> batch by batch, skipping the batches <paramref name="journal"/> holds and
    /// appending the others to it; results in list order.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled (Ctrl+C, SIGTERM): the batches finished are in the journal.</exception>
    public static BatchedRunResult Run(ImageClassifier classifier, IReadOnlyList<string> paths, int batch, int topK,
        DecodePipeline pipeline, ResultJournal? journal, CliProgress progress, CancellationToken cancellation, Action? afterBatch = null)
    {
        var results = new ImageClassification?[paths.Count];
        int batches = (paths.Count + batch - 1) / batch;
        int resumed = 0;
        foreach (var (number, entries) in journal?.Done ?? new Dictionary<int, IReadOnlyList<(int Index, ImageClassification Result)>>())
        {
            if (number < 0 || number >= batches || entries.Count != Math.Min(batch, paths.Count - number * batch))
            {
                throw new ArgumentException($"journal {journal!.Path}: batch {number} does not fit this run's {batches} batch(es) of {batch}; run without --resume to start over");
            }
            foreach (var (index, result) in entries)
            {
                if (index < number * batch || index >= Math.Min(paths.Count, (number + 1) * batch) || result.Path != paths[index])
                {
                    throw new ArgumentException($"journal {journal!.Path}: batch {number} holds {result.Path} as file {index}, which this run does not; run without --resume to start over");
                }
                results[index] = result;
                resumed++;
            }
        }
        int done = resumed;
        progress.Done(done, paths.Count);
        var todo = Enumerable.Range(0, batches).Where(b => journal is null || !journal.Done.ContainsKey(b));
        var stats = pipeline.Run(paths, batch, todo, decoded =>
        {
            var classified = decoded.Classify(classifier, topK);
            var entries = classified.Select((result, k) => (decoded.Start + k, result)).ToList();
            journal?.Append(decoded.Number, entries);
            foreach (var (index, result) in entries)
            {
                results[index] = result;
            }
            done += entries.Count;
            progress.Done(done, paths.Count);
            afterBatch?.Invoke();
        }, cancellation);
        return new BatchedRunResult([.. results.Select(r => r!)], resumed, stats);
    }

    /// <summary><see cref="Run"/>, with a cancellation turned into an <see cref="InterruptedRunException"/> that says how to go on.</summary>
    public static BatchedRunResult RunOrStop(ImageClassifier classifier, IReadOnlyList<string> paths, int batch, int topK,
        DecodePipeline pipeline, ResultJournal? journal, CliProgress progress, CancellationToken cancellation, Action? afterBatch = null)
    {
        try
        {
            return Run(classifier, paths, batch, topK, pipeline, journal, progress, cancellation, afterBatch);
        }
        catch (OperationCanceledException e) when (cancellation.IsCancellationRequested)
        {
            throw new InterruptedRunException(Interrupted(journal), e);
        }
    }

    /// <summary>The line that ends an interrupted run: what was kept, and how to go on.</summary>
    public static string Interrupted(ResultJournal? journal) => journal is null
        ? "interrupted: nothing was written (name an output file to keep a journal that --resume goes on from)"
        : $"interrupted: the batches finished are in {journal.Path}; run the same command with --resume to go on";

    /// <summary>The throughput line: images per second of this run, and what the overlap did.</summary>
    public static string Throughput(BatchedRunResult run, DecodePipeline pipeline, string device)
    {
        int ran = run.Results.Count - run.Resumed;
        double seconds = run.Stats.Elapsed.TotalSeconds;
        string how = pipeline.Overlap
            ? $"decoding ({pipeline.Decoders} thread(s)) overlapped with the model; the model waited {run.Stats.ConsumerWaited.TotalSeconds:0.00} s for decoded images"
            : $"decoding ({pipeline.Decoders} thread(s)) then the model, in turn; the model waited {run.Stats.ConsumerWaited.TotalSeconds:0.00} s for decoding";
        string resumed = run.Resumed > 0 ? $" ({run.Resumed} more from the journal)" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{ran} image(s){resumed} in {seconds:0.00} s: {(seconds > 0 ? ran / seconds : 0):0.0} images/s on {device} ({how})");
    }
}

/// <summary>A run stopped by Ctrl+C or SIGTERM; the message says what was kept and how to go on.</summary>
internal sealed class InterruptedRunException(string message, Exception inner) : Exception(message, inner);
