namespace Hilo.Ilgpu.Imaging;

/// <summary>One file of a list being classified: its position in the list, its path, and its pixels or why it has none.</summary>
/// <param name="Index">The file's position in the list.</param>
/// <param name="Path">The file.</param>
/// <param name="Image">Its decoded pixels; null when it could not be decoded.</param>
/// <param name="Error">Why it could not be decoded (the message names the file); null when it was.</param>
public sealed record DecodedImage(int Index, string Path, RgbImage? Image, string? Error)
{
    /// <summary>
    /// Decodes file <paramref name="index"/>, <paramref name="path"/> (<see cref="ImageFile.Load(string, ImageLimits?, Action{ImageInfo}?)"/>);
    /// a file that cannot be decoded (<see cref="ImageDecodeException"/>, I/O) becomes its error, whose message names the file.
    /// </summary>
    internal static DecodedImage Load(int index, string path, ImageLimits limits, Action<ImageInfo>? beforeDecode = null)
    {
        try
        {
            return new DecodedImage(index, path, ImageFile.Load(path, limits, beforeDecode), null);
        }
        catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
        {
            // ImageDecodeException's message starts with the path; other I/O errors get it.
            string message = e is ImageDecodeException || e.Message.Contains(path, StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}";
            return new DecodedImage(index, path, null, message);
        }
    }
}
