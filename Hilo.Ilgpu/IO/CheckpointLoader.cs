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

    /// <summary>Loads the state dict stored at <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointFormatException">The file is malformed, of an unsupported kind, or refused.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static StateDict Load(string path, CheckpointLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckpointKind kind = CheckpointSniffer.Detect(path);
        StateDict raw = kind switch
        {
            CheckpointKind.TorchZip => TorchCheckpointReader.ReadStateDict(path, limits),
            CheckpointKind.SafeTensors => SafeTensorsFile.Read(path, limits),
            CheckpointKind.TorchLegacy => throw new CheckpointFormatException(path, CheckpointSniffer.LegacyMessage),
            CheckpointKind.Pickle => throw new CheckpointFormatException(path,
                "this is a plain pickle stream, not a torch.save zip archive or a safetensors file"),
            CheckpointKind.Npy => throw new CheckpointFormatException(path,
                "this is a .npy array, not a checkpoint (weights must be a torch.save file or .safetensors)"),
            _ => throw new CheckpointFormatException(path,
                "unrecognised weights file: neither a torch.save zip archive nor a safetensors file (empty or truncated?)"),
        };
        try
        {
            return raw.StripPrefix(DataParallelPrefix);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(path, e.Message, e);
        }
    }
}
