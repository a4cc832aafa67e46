using System.Diagnostics;
using System.IO.Pipes;

namespace Hilo.Ilgpu.Tests.Infrastructure;

/// <summary>
/// Files that are not regular files, made for one test: named FIFOs (<c>mkfifo</c>), character devices
/// (<c>mknod</c>, as root: a private copy of <c>/dev/full</c> so that no test can harm the real one), and anonymous pipes
/// reached through <c>/proc/self/fd/N</c> as a shell's <c>&lt;(…)</c> hands them over.
/// </summary>
public static class SpecialFiles
{
    /// <summary>Makes <paramref name="link"/> a hard link of <paramref name="target"/> (one inode, two names).</summary>
    public static void MakeHardLink(string target, string link) => Run("ln", target, link);

    /// <summary>Makes a named FIFO at <paramref name="path"/>.</summary>
    public static void MakeFifo(string path) => Run("mkfifo", path);

    /// <summary>
    /// Makes a private character device node at <paramref name="path"/>: <c>/dev/null</c> is 1 3, <c>/dev/full</c> 1 7.
    /// False where this process may not (not root, or a container without the capability): the tests then skip rather
    /// than touch the real nodes, which a regression to "rename over the target" would replace for the whole machine.
    /// </summary>
    public static bool TryMakeCharDevice(string path, int major, int minor)
    {
        try
        {
            Run("mknod", path, "c", major.ToString(System.Globalization.CultureInfo.InvariantCulture), minor.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>What <c>stat -L</c> says <paramref name="path"/> is ("regular file", "character special file", "fifo", …): an oracle independent of the code under test.</summary>
    public static string KindOf(string path) => Output("stat", "-L", "-c", "%F", path).Trim();

    /// <summary>The device and inode <c>stat -L</c> gives for <paramref name="path"/>.</summary>
    public static string IdentityOf(string path) => Output("stat", "-L", "-c", "%d:%i", path).Trim();

    /// <summary>Runs <paramref name="work"/> with a deadline, so that a regression to a blocking open fails instead of hanging the suite.</summary>
    public static T Within<T>(TimeSpan deadline, Func<T> work)
    {
        var task = Task.Run(work);
        if (!task.Wait(deadline))
        {
            throw new TimeoutException($"still blocked after {deadline.TotalSeconds} s");
        }
        return task.Result;
    }

    private static void Run(string program, params string[] args) => Output(program, args);

    private static string Output(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.RedirectStandardOutput = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)}: {error}");
        }
        return output.Result;
    }
}

/// <summary>
/// An anonymous pipe whose read end this process has open, named by <see cref="Path"/> (<c>/proc/self/fd/N</c>) — what
/// <c>hilo -w &lt;(cat x)</c> receives. <see cref="Feed"/> writes into it from another thread.
/// </summary>
public sealed class DescriptorPipe : IDisposable
{
    private readonly AnonymousPipeServerStream writer = new(PipeDirection.Out);
    private readonly AnonymousPipeClientStream reader;
    private Task? feeding;

    public DescriptorPipe()
    {
        reader = new AnonymousPipeClientStream(PipeDirection.In, writer.ClientSafePipeHandle);
        Path = $"/proc/self/fd/{reader.SafePipeHandle.DangerousGetHandle()}";
    }

    /// <summary>The path of the read end.</summary>
    public string Path { get; }

    /// <summary>Writes <paramref name="bytes"/> (then closes the write end) on another thread; an endless source stops when the reader goes away.</summary>
    public void Feed(IEnumerable<byte[]> chunks)
    {
        feeding = Task.Run(() =>
        {
            try
            {
                foreach (var chunk in chunks)
                {
                    writer.Write(chunk);
                }
            }
            catch (IOException)
            {
                // The reader stopped reading (a cap was reached) and the test closed the pipe.
            }
            finally
            {
                writer.Dispose();
            }
        });
    }

    public void Dispose()
    {
        reader.Dispose();
        feeding?.Wait(TimeSpan.FromSeconds(10));
        writer.Dispose();
    }
}
