namespace Hilo.Ilgpu.Imaging;

/// <summary>An image file that was refused or could not be decoded; the message names the file and what was wrong.</summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/> with <paramref name="reason"/>.</summary>
    public ImageDecodeException(string path, string reason, Exception? inner = null)
        : base($"{path}: {reason}", inner)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>Creates the exception with a bare message (for serializers and analyzers; prefer the path form).</summary>
    public ImageDecodeException() : this("(no file)", "image refused")
    {
    }

    /// <summary>Creates the exception with a bare message (prefer the path form).</summary>
    public ImageDecodeException(string message) : this("(no file)", message)
    {
    }

    /// <summary>Creates the exception with a bare message and cause (prefer the path form).</summary>
    public ImageDecodeException(string message, Exception innerException) : this("(no file)", message, innerException)
    {
    }

    /// <summary>The file (or command-line argument) concerned.</summary>
    public string Path { get; }

    /// <summary>What was wrong, without the path.</summary>
    public string Reason { get; }
}
