namespace Hilo.Ilgpu.Analysis;

/// <summary>
/// What one HiLo block and one deformable token merging do with one image (<see cref="HiLoExplainer.Compute"/>):
/// the Hi-Fi and Lo-Fi attention of the chosen heads and the merging's sampling points, all recomputed in float64 on
/// the host from the block's real input and weights. Maps are row-major over their grids; a token (r, c) of a stage
/// covers image pixels [r·<see cref="TokenPixels"/>, (r + 1)·<see cref="TokenPixels"/>) × [c·…, (c + 1)·…).
/// </summary>
public sealed class HiLoMaps
{
    internal HiLoMaps(ExplainOptions options, int imageHeight, int imageWidth, int stageHeight, int stageWidth)
    {
        Options = options;
        ImageHeight = imageHeight;
        ImageWidth = imageWidth;
        StageHeight = stageHeight;
        StageWidth = stageWidth;
    }

    /// <summary>The options the maps were computed with (as given; see <see cref="LoFiMap.Query"/> for the query used).</summary>
    public ExplainOptions Options { get; }

    /// <summary>Height of the model's input image in pixels.</summary>
    public int ImageHeight { get; }

    /// <summary>Width of the model's input image in pixels.</summary>
    public int ImageWidth { get; }

    /// <summary>The block's official name, e.g. <c>layers.2.blocks.0</c>.</summary>
    public string BlockName => $"layers.{Options.Stage - 1}.blocks.{Options.Block}";

    /// <summary>Rows of the stage's token map.</summary>
    public int StageHeight { get; }

    /// <summary>Columns of the stage's token map.</summary>
    public int StageWidth { get; }

    /// <summary>Image pixels per token side in this stage: 4 · 2^(stage − 1).</summary>
    public int TokenPixels => 4 << (Options.Stage - 1);

    /// <summary>The block's window size s (<c>local_ws</c>); 1 means plain multi-head attention, all heads Lo-Fi.</summary>
    public int WindowSize { get; internal init; }

    /// <summary>Hi-Fi heads of the block.</summary>
    public int HiFiHeads { get; internal init; }

    /// <summary>Lo-Fi heads of the block.</summary>
    public int LoFiHeads { get; internal init; }

    /// <summary>The Hi-Fi map, or null when the block has no Hi-Fi branch (see <see cref="HiFiAbsentReason"/>).</summary>
    public HiFiMap? HiFi { get; internal init; }

    /// <summary>Why <see cref="HiFi"/> is null (s = 1 or no Hi-Fi heads), else null.</summary>
    public string? HiFiAbsentReason { get; internal init; }

    /// <summary>The Lo-Fi maps, or null when the block has no Lo-Fi branch (see <see cref="LoFiAbsentReason"/>).</summary>
    public LoFiMap? LoFi { get; internal init; }

    /// <summary>Why <see cref="LoFi"/> is null (α = 0), else null.</summary>
    public string? LoFiAbsentReason { get; internal init; }

    /// <summary>The sampling points of the chosen deformable token merging.</summary>
    public DtmSamples Dtm { get; internal init; } = null!;

    /// <summary>The block's input as the device computed it: StageHeight·StageWidth tokens × <see cref="Channels"/>, row-major.</summary>
    public IReadOnlyList<float> BlockInput { get; internal init; } = [];

    /// <summary>Channels of the stage.</summary>
    public int Channels { get; internal init; }

    /// <summary>
    /// The block's attention output recomputed in float64 from the same probabilities as the maps
    /// (<c>attn(norm1(x))</c>: Hi-Fi channels then Lo-Fi channels), tokens × <see cref="Channels"/>: equal to the
    /// device's output up to float rounding, which is what shows the maps are the model's attention.
    /// </summary>
    public IReadOnlyList<double> AttentionOutput { get; internal init; } = [];
}

/// <summary>The chosen Hi-Fi head's attention inside the s×s windows of the (padded) stage map.</summary>
public sealed class HiFiMap
{
    /// <summary>The head, 0-based among the Hi-Fi heads.</summary>
    public int Head { get; internal init; }

    /// <summary>Window side s.</summary>
    public int WindowSize { get; internal init; }

    /// <summary>Windows down: ⌈H/s⌉.</summary>
    public int WindowRows { get; internal init; }

    /// <summary>Windows across: ⌈W/s⌉.</summary>
    public int WindowColumns { get; internal init; }

    /// <summary>
    /// Per token of the stage map (H·W, row-major): the mean, over the real queries of its window, of the attention
    /// they give it. Each window's values average 1/s² when the window holds no padding; padded tokens (bottom/right
    /// of a map whose sides are not multiples of s) are keys too and take the rest.
    /// </summary>
    public IReadOnlyList<double> Received { get; internal init; } = [];

    /// <summary>
    /// Every window's attention, [window (row-major over the windows), query, key] with the s² queries and keys of a
    /// window in row-major order, padded positions included: each query row sums to 1.
    /// </summary>
    public IReadOnlyList<double> Probabilities { get; internal init; } = [];
}

/// <summary>The chosen Lo-Fi head's attention from the stage's tokens to the s×s average-pooled key grid.</summary>
public sealed class LoFiMap
{
    /// <summary>The head, 0-based among the Lo-Fi heads.</summary>
    public int Head { get; internal init; }

    /// <summary>The query token used (row, column) in the stage map.</summary>
    public (int Row, int Column) Query { get; internal init; }

    /// <summary>Stage tokens per pooled key side: s (1 when s = 1, no pooling).</summary>
    public int PoolSize { get; internal init; }

    /// <summary>Rows of the key grid: ⌈H/s⌉.</summary>
    public int KeyRows { get; internal init; }

    /// <summary>Columns of the key grid: ⌈W/s⌉.</summary>
    public int KeyColumns { get; internal init; }

    /// <summary>The query's attention over the key grid (KeyRows·KeyColumns, row-major): sums to 1.</summary>
    public IReadOnlyList<double> QueryAttention { get; internal init; } = [];

    /// <summary>The mean over every token's attention (each a query) over the key grid: sums to 1.</summary>
    public IReadOnlyList<double> MeanAttention { get; internal init; } = [];

    /// <summary>Every query's attention, [query token (row-major over the stage map), key]: each row sums to 1.</summary>
    public IReadOnlyList<double> Probabilities { get; internal init; } = [];
}

/// <summary>
/// The sampling points of one deformable token merging (<c>layers.{Merge}.downsample</c>): output (r, c) reads the
/// input map at the four points (2r + i + Δy, 2c + j + Δx), tap t = 2i + j, with (Δy, Δx) learned by
/// <c>conv_offset</c> from the input; Δ = 0 is the regular 2×2 grid. Coordinates are in input tokens (token (r, c)'s
/// centre is at (r, c)).
/// </summary>
public sealed class DtmSamples
{
    /// <summary>The merging, 0-based.</summary>
    public int Merge { get; internal init; }

    /// <summary>Rows of the input map (the map of stage Merge + 1).</summary>
    public int InputHeight { get; internal init; }

    /// <summary>Columns of the input map.</summary>
    public int InputWidth { get; internal init; }

    /// <summary>Rows of the output: ⌊InputHeight/2⌋.</summary>
    public int OutputHeight { get; internal init; }

    /// <summary>Columns of the output: ⌊InputWidth/2⌋.</summary>
    public int OutputWidth { get; internal init; }

    /// <summary>Image pixels per input token side: 4 · 2^Merge.</summary>
    public int TokenPixels => 4 << Merge;

    /// <summary>The learned offsets, [output (row-major), tap, (Δy, Δx)]: conv_offset's channels 2t and 2t + 1.</summary>
    public IReadOnlyList<double> Offsets { get; internal init; } = [];

    /// <summary>Tap <paramref name="tap"/> (0..3, t = 2i + j) of output (<paramref name="row"/>, <paramref name="column"/>) on the regular grid.</summary>
    public (double Y, double X) GridPoint(int row, int column, int tap) => (2 * row + tap / 2, 2 * column + tap % 2);

    /// <summary>Where tap <paramref name="tap"/> of output (<paramref name="row"/>, <paramref name="column"/>) samples: grid point + learned offset.</summary>
    public (double Y, double X) SamplePoint(int row, int column, int tap)
    {
        var (y, x) = GridPoint(row, column, tap);
        int at = ((row * OutputWidth + column) * 4 + tap) * 2;
        return (y + Offsets[at], x + Offsets[at + 1]);
    }
}
