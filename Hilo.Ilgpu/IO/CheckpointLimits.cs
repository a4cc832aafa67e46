namespace Hilo.Ilgpu.IO;

/// <summary>
/// Bounds the readers enforce so that a hostile or corrupt file fails fast with
/// <see cref="CheckpointFormatException"/> instead of exhausting memory. The defaults fit every real
/// checkpoint of the model families this library runs with a wide margin.
/// </summary>
public sealed record CheckpointLimits
{
    /// <summary>The defaults.</summary>
    public static CheckpointLimits Default { get; } = new();

    /// <summary>Largest <c>data.pkl</c> accepted (bytes). Default 256 MiB.</summary>
    public long MaxPickleBytes { get; init; } = 256L << 20;

    /// <summary>Most memo entries a pickle may define. Default 4,194,304.</summary>
    public int MaxMemoEntries { get; init; } = 1 << 22;

    /// <summary>Deepest the unpickler's stack may grow: values and MARKs together. Default 1,048,576.</summary>
    public int MaxStackDepth { get; init; } = 1 << 20;

    /// <summary>Longest string or bytes value inside a pickle (bytes). Default 64 MiB.</summary>
    public int MaxStringBytes { get; init; } = 64 << 20;

    /// <summary>Most tensors one file may describe. Default 1,000,000.</summary>
    public int MaxTensors { get; init; } = 1_000_000;

    /// <summary>Highest tensor rank accepted. Default 64 (PyTorch's own limit).</summary>
    public int MaxRank { get; init; } = 64;

    /// <summary>Largest JSON header of a .safetensors file (bytes). Default 100 MB, as the reference reader.</summary>
    public long MaxSafeTensorsHeaderBytes { get; init; } = 100_000_000;

    /// <summary>
    /// Most bytes of float32 tensors one load materialises (without a <see cref="StateDictSchema"/>; with one, the
    /// model's own size bounds it). Default 768 MiB: LITv2-B's 87M parameters take 350 MB.
    /// </summary>
    public long MaxMaterializedBytes { get; init; } = 768L << 20;

    /// <summary>Largest header of a .npy file (bytes). Default 1 MiB.</summary>
    public int MaxNpyHeaderBytes { get; init; } = 1 << 20;
}
