namespace Hilo.Ilgpu.Imaging;

/// <summary>One file of a list being classified: its position in the list, its path, and its pixels or why it has none.</summary>
/// <param name="Index">The file's position in the list.</param>
/// <param name="Path">The file.</param>
/// <param name="Image">Its decoded pixels; null when it could not be decoded.</param>
/// <param name="Error">Why it could not be decoded (the message names the file); null when it was.</param>
public sealed record DecodedImage(int Index, string Path, RgbImage? Image, string? Error);
