using System.Text;

namespace Hilo.Ilgpu.Imaging;

/// <summary>
/// Names of a classifier's classes, by class index: the ImageNet-1k names shipped with the library
/// (<see cref="ImageNet"/>, in torchvision's order), a user's file (<see cref="Read"/>, one name per line), or
/// <c>class N</c> for a head without names (<see cref="Numbered"/>).
/// </summary>
public sealed class ClassLabels
{
    /// <summary>Largest labels file read, in bytes.</summary>
    public const int MaxFileBytes = 4 << 20;

    private static readonly Lazy<ClassLabels> ImageNetNames = new(LoadImageNet);

    private readonly IReadOnlyList<string>? names;

    private ClassLabels(IReadOnlyList<string>? names, int count, string source)
    {
        this.names = names;
        Count = count;
        Source = source;
    }

    /// <summary>The 1000 ImageNet-1k class names (index 0 = tench, 999 = toilet tissue).</summary>
    public static ClassLabels ImageNet => ImageNetNames.Value;

    /// <summary>Number of classes named.</summary>
    public int Count { get; }

    /// <summary>Where the names came from (<c>imagenet-1k</c>, a file path, or <c>numbered</c>).</summary>
    public string Source { get; }

    /// <summary>The name of class <paramref name="index"/>.</summary>
    public string this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return names?[index] ?? $"class {index}";
        }
    }

    /// <summary><c>class 0</c> … <c>class N−1</c>.</summary>
    public static ClassLabels Numbered(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new ClassLabels(null, count, "numbered");
    }

    /// <summary>The labels for a head of <paramref name="classes"/> classes: ImageNet's for 1000, numbered otherwise.</summary>
    public static ClassLabels For(int classes) => classes == ImageNet.Count ? ImageNet : Numbered(classes);

    /// <summary>
    /// Reads one name per line (UTF-8; blank lines at the end ignored) from <paramref name="path"/>: a file, or a pipe or
    /// device read up to <see cref="MaxFileBytes"/> (the cap holds while reading: <c>/dev/zero</c> and <c>&lt;(yes)</c>
    /// stop there).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="classes">The classes the model has: the file must name exactly that many.</param>
    /// <exception cref="ArgumentException">Wrong count, an empty name, a file over <see cref="MaxFileBytes"/>, not UTF-8 text, a control character, or a path that cannot be read (a folder, a named FIFO); the message names the file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ClassLabels Read(string path, int classes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"labels file not found: {path}", path);
        }
        if (IO.InputFile.Problem(path, IO.InputAccess.Sequential) is { } problem)
        {
            throw new ArgumentException($"labels file {path} {problem}");
        }
        byte[] bytes = IO.InputFile.ReadAtMost(path, MaxFileBytes)
            ?? throw new ArgumentException($"{path}: a labels file may hold at most {MaxFileBytes} bytes (reading stopped there)");
        var lines = Parse(Decode(path, bytes));
        if (lines.Count != classes)
        {
            throw new ArgumentException($"{path}: {lines.Count} label(s), but the model has {classes} classes (one name per line, in class order)");
        }
        int blank = lines.FindIndex(string.IsNullOrWhiteSpace);
        if (blank >= 0)
        {
            throw new ArgumentException($"{path}: line {blank + 1} is empty (every class needs a name)");
        }
        return new ClassLabels(lines, lines.Count, path);
    }

    // Strict UTF-8 without control characters (a tab is allowed): a binary file is refused by name, not shown as names.
    private static string Decode(string path, byte[] bytes)
    {
        var chars = new char[bytes.Length];
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, chars, out int bytesRead, out int written, replaceInvalidSequences: false);
        if (status != System.Buffers.OperationStatus.Done)
        {
            throw new ArgumentException($"{path}: not UTF-8 text (byte {bytesRead} is not valid UTF-8; a binary file?); a labels file holds one class name per line");
        }
        string text = new string(chars, 0, written).TrimStart('\uFEFF');
        int control = text.AsSpan().IndexOfAnyInRange('\0', '\u001f');
        while (control >= 0 && text[control] is '\n' or '\r' or '\t')
        {
            int next = text.AsSpan(control + 1).IndexOfAnyInRange('\0', '\u001f');
            control = next < 0 ? -1 : control + 1 + next;
        }
        if (control >= 0)
        {
            int line = text.AsSpan(0, control).Count('\n') + 1;
            throw new ArgumentException($"{path}: line {line} holds the control character U+{(int)text[control]:X4} (a binary file?); a labels file holds one class name per line");
        }
        return text;
    }

    private static List<string> Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }
        return lines;
    }

    private static ClassLabels LoadImageNet()
    {
        using var stream = typeof(ClassLabels).Assembly.GetManifestResourceStream("Hilo.Ilgpu.imagenet1k_labels.txt")
            ?? throw new InvalidOperationException("The ImageNet labels resource is missing from Hilo.Ilgpu.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var names = Parse(reader.ReadToEnd());
        return new ClassLabels(names, names.Count, "imagenet-1k");
    }
}
