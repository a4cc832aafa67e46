namespace Hilo.Ilgpu.IO;

/// <summary>
/// Loads a state dict from a weights file of any supported format, chosen by content: a zip archive is
/// read as a torch.save checkpoint, otherwise a safetensors header is expected. Keys that start with
/// <c>module.</c> (from <c>nn.DataParallel</c> / DDP) have it removed.
/// </summary>
public static class CheckpointLoader
{
    /// <summary>The prefix removed from keys on load.</summary>
    public const string DataParallelPrefix = "module.";

    /// <summary>
    /// Loads the state dict stored at <paramref name="path"/>. With a <paramref name="schema"/>, keys and shapes are
    /// checked against it before any tensor is read, and only the tensors it names are read (the result holds just
    /// those); without, every tensor is read, up to <see cref="CheckpointLimits.MaxMaterializedBytes"/> in all.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The file is malformed, of an unsupported kind, or refused.</exception>
    /// <exception cref="CheckpointMismatchException">Keys or shapes differ from <paramref name="schema"/>.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static StateDict Load(string path, CheckpointLimits? limits = null, StateDictSchema? schema = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new CheckpointFormatException(path, "this is a directory, not a weights file");
        }
        InputFile.Check(path, InputAccess.RandomAccess);
        limits ??= CheckpointLimits.Default;
        CheckpointKind kind = CheckpointSniffer.Detect(path);
        switch (kind)
        {
            case CheckpointKind.TorchZip:
                // The reader stays open while the selected tensors are read from it.
                using (var reader = TorchCheckpointReader.Open(path, limits))
                {
                    return Select(path, reader.ReadStateDict(), schema, limits);
                }
            case CheckpointKind.SafeTensors:
                return Select(path, SafeTensorsFile.Read(path, limits), schema, limits);
            case CheckpointKind.TorchLegacy:
                throw new CheckpointFormatException(path, CheckpointSniffer.LegacyMessage);
            case CheckpointKind.Pickle:
                throw new CheckpointFormatException(path, "this is a plain pickle stream, not a torch.save zip archive or a safetensors file");
            case CheckpointKind.Npy:
                throw new CheckpointFormatException(path, "this is a .npy array, not a checkpoint (weights must be a torch.save file or .safetensors)");
            default:
                long length = new FileInfo(path).Length;
                throw new CheckpointFormatException(path, "unrecognised weights file: neither a torch.save zip archive nor a safetensors file" +
                    (length < 16 ? $" ({length} bytes: empty or truncated?)" : ""));
        }
    }

    /// <summary>
    /// Removes the DataParallel prefix, checks against the schema (if any) and keeps its keys, bounds the bytes to
    /// read, then reads every remaining tensor.
    /// </summary>
    internal static StateDict Select(string path, StateDict raw, StateDictSchema? schema, CheckpointLimits limits)
    {
        StateDict state;
        try
        {
            state = raw.StripPrefix(DataParallelPrefix);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(path, e.Message, e);
        }
        if (schema is not null)
        {
            schema.Check(state);
            state = state.Where(schema.Wants);
        }
        MaterializeBounded(path, state, schema is null ? limits.MaxMaterializedBytes : long.MaxValue);
        return state;
    }

    /// <summary>Reads every tensor of <paramref name="state"/> after checking their float32 bytes against <paramref name="limit"/>.</summary>
    internal static void MaterializeBounded(string path, StateDict state, long limit)
    {
        long bytes = state.Keys.Sum(k => 4 * HostTensor.ElementCountOf(state.ShapeOf(k)));
        if (bytes > limit)
        {
            throw new CheckpointFormatException(path, $"its tensors take {bytes:N0} bytes as float32, over the limit of {limit:N0} (CheckpointLimits.MaxMaterializedBytes)");
        }
        state.Materialize();
    }
}
