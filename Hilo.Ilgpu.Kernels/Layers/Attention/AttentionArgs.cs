namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>
/// Geometry of <see cref="AttentionKernels.WindowAttention"/>: a B×(H·W)×(row stride) packed projection whose
/// rows hold <c>[q | k | v]</c>, each <c>Heads·HeadDim</c> wide and split by head (channel h·d + j).
/// </summary>
public struct WindowAttentionArgs
{
    /// <summary>Batch size B.</summary>
    public int Batch;

    /// <summary>Map height H (real rows, not padded).</summary>
    public int Height;

    /// <summary>Map width W (real columns, not padded).</summary>
    public int Width;

    /// <summary>Window side s: windows are s×s tokens of the map padded at bottom/right to multiples of s.</summary>
    public int Window;

    /// <summary>Heads in the projection.</summary>
    public int Heads;

    /// <summary>Channels per head d.</summary>
    public int HeadDim;

    /// <summary>Elements between consecutive token rows of the qkv view (at least 3·Heads·HeadDim).</summary>
    public int QkvStride;

    /// <summary>Elements between consecutive token rows of the output view.</summary>
    public int OutStride;

    /// <summary>Column of the output row where head 0 starts.</summary>
    public int OutOffset;

    /// <summary>1 when a relative position bias [Heads, s², s²] is added to the logits, else 0.</summary>
    public int HasBias;

    /// <summary>Logit scale, d^-0.5.</summary>
    public float Scale;
}

/// <summary>
/// Geometry of <see cref="AttentionKernels.GlobalAttention"/>: queries from a B×N×(q stride) view, keys and values
/// from a B×M×(kv stride) view; each of q, k and v is <c>Heads·HeadDim</c> wide starting at its column offset,
/// split by head (channel offset + h·d + j).
/// </summary>
public struct GlobalAttentionArgs
{
    /// <summary>Batch size B.</summary>
    public int Batch;

    /// <summary>Queries per batch item N.</summary>
    public int Queries;

    /// <summary>Keys (and values) per batch item M.</summary>
    public int Keys;

    /// <summary>Heads.</summary>
    public int Heads;

    /// <summary>Channels per head d.</summary>
    public int HeadDim;

    /// <summary>Elements between consecutive query rows.</summary>
    public int QStride;

    /// <summary>Column where q starts in a query row.</summary>
    public int QOffset;

    /// <summary>Elements between consecutive key/value rows.</summary>
    public int KvStride;

    /// <summary>Column where k starts in a key/value row.</summary>
    public int KOffset;

    /// <summary>Column where v starts in a key/value row.</summary>
    public int VOffset;

    /// <summary>Elements between consecutive output rows.</summary>
    public int OutStride;

    /// <summary>Column of the output row where head 0 starts.</summary>
    public int OutOffset;

    /// <summary>Logit scale, d^-0.5.</summary>
    public float Scale;
}
