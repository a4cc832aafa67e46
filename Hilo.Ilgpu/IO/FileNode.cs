using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Hilo.Ilgpu.IO;

/// <summary>What kind of thing a path names (after following symbolic links).</summary>
public enum FileNodeKind
{
    /// <summary>Nothing exists there (or a symbolic link leads nowhere).</summary>
    Missing,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A character device: <c>/dev/null</c>, <c>/dev/zero</c>, <c>/dev/full</c>, a terminal.</summary>
    CharacterDevice,

    /// <summary>A block device (a disk).</summary>
    BlockDevice,

    /// <summary>A pipe: a named FIFO, or an anonymous pipe reached through <c>/dev/fd/N</c> (a shell's <c>&lt;(…)</c>, <c>|</c>).</summary>
    Fifo,

    /// <summary>A Unix socket.</summary>
    Socket,
}

/// <summary>
/// The kind and identity (device and inode) of the file a path names, from <c>statx(2)</c> on Linux, following symbolic
/// links: two paths name the same file exactly when their nodes are <see cref="IsSameFileAs">the same</see>, whatever
/// links, <c>..</c>, bind mounts or hard links lie between them. Used to write through to devices and pipes instead of
/// replacing them, to refuse an output that is one of a command's inputs, and to refuse inputs that cannot be read
/// (docs/errors.md). Elsewhere than Linux the identity is the full path with links resolved.
/// </summary>
public readonly partial record struct FileNode
{
    private FileNode(FileNodeKind kind, ulong device, ulong inode, string? path)
    {
        Kind = kind;
        Device = device;
        Inode = inode;
        FallbackPath = path;
    }

    /// <summary>What the path names.</summary>
    public FileNodeKind Kind { get; }

    /// <summary>The device the file lives on (0 where unknown).</summary>
    public ulong Device { get; }

    /// <summary>The file's inode on <see cref="Device"/> (0 where unknown).</summary>
    public ulong Inode { get; }

    // Off Linux: the full path with links resolved stands for the identity.
    private string? FallbackPath { get; }

    /// <summary>The node <paramref name="path"/> names, following symbolic links.</summary>
    /// <exception cref="IOException">The path cannot be examined (a loop of links, permission denied on a folder).</exception>
    public static FileNode Of(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsLinux() && TryStatx(path, out var node))
        {
            return node;
        }
        return Fallback(path);
    }

    /// <summary>True when both name one existing file.</summary>
    public bool IsSameFileAs(FileNode other)
    {
        if (Kind == FileNodeKind.Missing || other.Kind == FileNodeKind.Missing)
        {
            return false;
        }
        return FallbackPath is null && other.FallbackPath is null
            ? Device == other.Device && Inode == other.Inode
            : string.Equals(FallbackPath, other.FallbackPath, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A few words for the kind, for messages (<c>a FIFO</c>, <c>a character device</c>, …).</summary>
    public static string Describe(FileNodeKind kind) => kind switch
    {
        FileNodeKind.Missing => "missing",
        FileNodeKind.Regular => "a regular file",
        FileNodeKind.Directory => "a folder",
        FileNodeKind.CharacterDevice => "a character device",
        FileNodeKind.BlockDevice => "a block device",
        FileNodeKind.Fifo => "a pipe (FIFO)",
        FileNodeKind.Socket => "a socket",
        _ => kind.ToString(),
    };

    /// <summary>
    /// True when <paramref name="path"/> (or a symbolic link on the way from it) names a descriptor this process already
    /// has open: <c>/dev/stdin</c>, <c>/dev/stdout</c>, <c>/dev/stderr</c>, <c>/dev/fd/N</c>, <c>/proc/self/fd/N</c> —
    /// what a shell hands over for <c>&lt;(…)</c> or a redirection. Opening one never waits for another process, and
    /// writing to one must go straight through (the shell chose the file).
    /// </summary>
    public static bool IsDescriptorPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string current = System.IO.Path.GetFullPath(path);
        for (int hop = 0; hop < 40; hop++)
        {
            if (DescriptorPath().IsMatch(current))
            {
                return true;
            }
            FileSystemInfo? target;
            try
            {
                target = File.ResolveLinkTarget(current, returnFinalTarget: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
            if (target is null)
            {
                return false;
            }
            current = System.IO.Path.GetFullPath(target.FullName);
        }
        return false;
    }

    [GeneratedRegex(@"^/(dev/(stdin|stdout|stderr|fd/\d+)|proc/(self|thread-self|\d+)/fd/\d+)$")]
    private static partial Regex DescriptorPath();

    private static FileNode Fallback(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            full = File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            // Not a link, or a loop: the path as given.
        }
        var kind = Directory.Exists(full) ? FileNodeKind.Directory : File.Exists(full) ? FileNodeKind.Regular : FileNodeKind.Missing;
        return new FileNode(kind, 0, 0, full);
    }

    // statx has one layout on every Linux architecture (unlike stat): the offsets below are the kernel's ABI.
    private static bool TryStatx(string path, out FileNode node)
    {
        const int AtFdCwd = -100, StatxType = 0x1, StatxIno = 0x100;
        const int ENOENT = 2, ENOTDIR = 20, ENOSYS = 38;
        var buffer = new byte[256];
        int rc;
        try
        {
            rc = Statx(AtFdCwd, path, 0, StatxType | StatxIno, buffer);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            node = default;
            return false;
        }
        if (rc != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
            {
                node = new FileNode(FileNodeKind.Missing, 0, 0, null);
                return true;
            }
            if (errno == ENOSYS)
            {
                node = default;
                return false;
            }
            throw new IOException($"cannot examine {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        int mode = BitConverter.ToUInt16(buffer, 28);
        ulong inode = BitConverter.ToUInt64(buffer, 32);
        ulong device = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileNodeKind.Regular,
            0x4000 => FileNodeKind.Directory,
            0x2000 => FileNodeKind.CharacterDevice,
            0x6000 => FileNodeKind.BlockDevice,
            0x1000 => FileNodeKind.Fifo,
            0xC000 => FileNodeKind.Socket,
            _ => FileNodeKind.Regular, // a symbolic link cannot come back: statx followed it
        };
        node = new FileNode(kind, device, inode, null);
        return true;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
