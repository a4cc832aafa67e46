using System.IO.Enumeration;

namespace Hilo.Ilgpu.Imaging;

/// <summary>
/// Turns command-line arguments into image files: a file stands for itself, a directory for its image files (by
/// extension, <see cref="ImageFile.Extensions"/>, not recursive), and a name with <c>*</c> or <c>?</c> in its last part
/// for the files of that directory it matches. Each argument's files come in ordinal order of their names, so that a
/// run lists and batches the same files the same way on every machine.
/// </summary>
public static class ImageSource
{
    /// <summary>The files <paramref name="arguments"/> name, in order (an argument's own files sorted ordinally).</summary>
    /// <exception cref="FileNotFoundException">An argument names nothing that exists, or matches no file.</exception>
    /// <exception cref="ArgumentException">An argument has a wildcard in a directory part.</exception>
    public static IReadOnlyList<string> Expand(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var files = new List<string>();
        foreach (string argument in arguments)
        {
            files.AddRange(ExpandOne(argument));
        }
        return files;
    }

    private static List<string> ExpandOne(string argument)
    {
        if (string.IsNullOrWhiteSpace(argument))
        {
            throw new ArgumentException("An empty image argument names no file.", nameof(argument));
        }
        string name = Path.GetFileName(argument);
        string directory = Path.GetDirectoryName(argument) ?? "";
        if (name.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            return Glob(argument, directory, name);
        }
        if (File.Exists(argument))
        {
            return [argument];
        }
        if (Directory.Exists(argument))
        {
            var images = Sorted(Directory.EnumerateFiles(argument).Where(IsImageName));
            return images.Count > 0
                ? images
                : throw new FileNotFoundException($"Image directory {argument} holds no image files ({string.Join(", ", ImageFile.Extensions)}; subdirectories are not searched).", argument);
        }
        if (directory.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            throw new ArgumentException($"Image argument {argument}: wildcards are allowed in the file name only, not in the directory part.", nameof(argument));
        }
        throw new FileNotFoundException($"Image argument {argument}: no such file or directory.", argument);
    }

    private static List<string> Glob(string argument, string directory, string pattern)
    {
        if (directory.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            throw new ArgumentException($"Image argument {argument}: wildcards are allowed in the file name only, not in the directory part.", nameof(argument));
        }
        string root = directory.Length == 0 ? "." : directory;
        if (!Directory.Exists(root))
        {
            throw new FileNotFoundException($"Image argument {argument}: no such directory {root}.", argument);
        }
        // FileSystemName's simple expressions are exactly * (any run) and ? (one character), case-sensitive here
        // so that the match is the same on every file system.
        var matches = Sorted(Directory.EnumerateFiles(root)
            .Where(f => FileSystemName.MatchesSimpleExpression(pattern, Path.GetFileName(f), ignoreCase: false))
            .Select(f => directory.Length == 0 ? Path.GetFileName(f) : f));
        return matches.Count > 0 ? matches : throw new FileNotFoundException($"Image argument {argument} matches no file.", argument);
    }

    private static bool IsImageName(string file) =>
        ImageFile.Extensions.Contains(Path.GetExtension(file).ToLowerInvariant(), StringComparer.Ordinal);

    private static List<string> Sorted(IEnumerable<string> files) => [.. files.Order(StringComparer.Ordinal)];
}
