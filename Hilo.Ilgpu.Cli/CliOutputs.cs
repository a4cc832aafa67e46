using System.Text;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Scheduling;

namespace Hilo.Ilgpu.Cli;

/// <summary>One output of a command: the option that names it, its path (null: not asked for), and whether <c>-</c> (stdout) may stand for it.</summary>
internal readonly record struct CliOutput(string Option, string? Path, bool StdoutAllowed = false);

/// <summary>One input of a command: what it is (an option, or e.g. "the tuning cache") and its path (null: none).</summary>
internal readonly record struct CliInput(string What, string? Path);

/// <summary>
/// The outputs of every command that writes, checked before any work (docs/errors.md, "Outputs"): each can be written
/// (<see cref="AtomicFile.EnsureWritable"/>: a read-only folder is found now, not after a benchmark), none is one of the
/// command's inputs — the same file by device and inode, through any link, not by name — and no two are the same file.
/// <c>-</c> means standard output where the option allows it.
/// </summary>
internal static class CliOutputs
{
    /// <summary>The tuning cache every command that opens a device may read (and the tuner may write).</summary>
    public static CliInput TuningCacheInput => new("the tuning cache", TuningCache.DefaultPath());

    /// <summary>A config file given as <c>--model</c> (a preset name is no file).</summary>
    public static CliInput ModelInput(string model) => new("the --model config", Models.Litv2Config.IsPreset(model) ? null : model);

    /// <summary>The file an option names, e.g. <c>the --weights file</c>.</summary>
    public static CliInput Input(string option, string? path) => new($"the {option} file", path);

    /// <exception cref="ArgumentException">An output is an input, two outputs are one file, or <c>-</c> where it is not allowed.</exception>
    /// <exception cref="IOException">An output cannot be written (the message names it and why).</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static void Check(IEnumerable<CliOutput> outputs, IEnumerable<CliInput> inputs)
    {
        var inputFiles = new List<(CliInput Input, FileNode Node)>();
        foreach (var input in inputs.Where(i => i.Path is not null))
        {
            var node = NodeOrMissing(input.Path!);
            if (node.Kind == FileNodeKind.Regular)
            {
                inputFiles.Add((input, node));
            }
        }
        var written = new List<(CliOutput Output, FileNode Node, string Full)>();
        foreach (var output in outputs.Where(o => o.Path is not null))
        {
            string path = output.Path!;
            if (path == "-")
            {
                if (!output.StdoutAllowed)
                {
                    throw new ArgumentException($"{output.Option} -: this output is binary and does not go to the terminal's standard output; name a file (or /dev/stdout to pipe it)");
                }
                continue;
            }
            AtomicFile.EnsureWritable(path);
            var node = FileNode.Of(path);
            if (node.Kind is not (FileNodeKind.Regular or FileNodeKind.Missing))
            {
                continue; // a device or pipe is written through: nothing of it can be lost
            }
            foreach (var (input, inputNode) in inputFiles)
            {
                if (node.IsSameFileAs(inputNode))
                {
                    string named = input.Path == path ? "" : $" ({input.Path})";
                    throw new ArgumentException($"{output.Option} {path} is {input.What}{named}: refusing to overwrite an input of this command; name another output file");
                }
            }
            string full = System.IO.Path.GetFullPath(path);
            foreach (var (other, otherNode, otherFull) in written)
            {
                if (node.IsSameFileAs(otherNode) || (node.Kind == FileNodeKind.Missing && full == otherFull))
                {
                    throw new ArgumentException($"{output.Option} {path} and {other.Option} {other.Path} are the same file: give each output its own");
                }
            }
            written.Add((output, node, full));
        }
    }

    /// <summary>Writes text to <paramref name="path"/> (whole or not at all, <see cref="AtomicFile"/>), or to <paramref name="stdout"/> for <c>-</c>.</summary>
    public static void WriteText(string path, TextWriter stdout, Action<TextWriter> write)
    {
        if (path == "-")
        {
            ToStdout(() =>
            {
                write(stdout);
                stdout.Flush();
            });
            return;
        }
        AtomicFile.WriteText(path, write);
    }

    /// <summary>Writes UTF-8 produced on a stream (JSON) to <paramref name="path"/>, or as text to <paramref name="stdout"/> for <c>-</c>.</summary>
    public static void WriteUtf8(string path, TextWriter stdout, Action<Stream> write)
    {
        if (path == "-")
        {
            using var buffer = new MemoryStream();
            write(buffer);
            ToStdout(() =>
            {
                stdout.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).TrimEnd());
                stdout.Flush();
            });
            return;
        }
        AtomicFile.Write(path, write);
    }

    // `> /dev/full` and the like: the error names where the output was going.
    private static void ToStdout(Action write)
    {
        try
        {
            write();
        }
        catch (IOException e)
        {
            throw new IOException($"cannot write the standard output: {e.Message}", e);
        }
    }

    // An input that cannot be examined (a loop of links) is left to its reader, which says why.
    private static FileNode NodeOrMissing(string path)
    {
        try
        {
            return FileNode.Of(path);
        }
        catch (IOException)
        {
            return default;
        }
    }
}
