using System.Globalization;
using System.Text;

namespace Hilo.Ilgpu.Compute;

/// <summary>A launch's arguments do not match the kernel's parameters, or the launch shape is invalid for it.</summary>
public sealed class KernelArgumentException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public KernelArgumentException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public KernelArgumentException() { }

    /// <summary>Creates the exception.</summary>
    public KernelArgumentException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A device driver failed to build a kernel: carries the compiler log and the numbered source.</summary>
public sealed class KernelCompilationException : Exception
{
    /// <summary>Creates the exception; the message holds the log and the source with line numbers.</summary>
    public KernelCompilationException(string kernelName, string device, string log, string source)
        : base(Format(kernelName, device, log, source))
    {
        KernelName = kernelName;
        Device = device;
        Log = log;
        Source = source;
    }

    /// <summary>Creates the exception.</summary>
    public KernelCompilationException() : this("?", "?", "", "") { }

    /// <summary>Creates the exception.</summary>
    public KernelCompilationException(string message) : base(message)
    {
        KernelName = Device = Log = Source = "";
    }

    /// <summary>Creates the exception.</summary>
    public KernelCompilationException(string message, Exception inner) : base(message, inner)
    {
        KernelName = Device = Log = Source = "";
    }

    /// <summary>The kernel's C# name.</summary>
    public string KernelName { get; }

    /// <summary>The device string the build was for.</summary>
    public string Device { get; }

    /// <summary>The compiler's build log.</summary>
    public string Log { get; }

    /// <summary>The generated source that was compiled.</summary>
    public new string Source { get; }

    /// <summary>Prefixes each line of <paramref name="source"/> with its 1-based number.</summary>
    public static string NumberLines(string source)
    {
        var sb = new StringBuilder();
        var lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            sb.Append((i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(4)).Append("| ").Append(lines[i].TrimEnd('\r')).Append('\n');
        }
        return sb.ToString();
    }

    private static string Format(string kernel, string device, string log, string source) =>
        $"Building kernel {kernel} for {device} failed.\n--- compiler log ---\n{log.TrimEnd()}\n--- generated source ---\n{NumberLines(source)}";
}

/// <summary>A device allocation failed for lack of memory.</summary>
public sealed class DeviceOutOfMemoryException : Exception
{
    /// <summary>Creates the exception naming the size and the device.</summary>
    public DeviceOutOfMemoryException(long requestedBytes, string device, string? detail = null)
        : base($"Out of device memory: allocating {requestedBytes:N0} bytes on {device} failed{(detail is null ? "" : $" ({detail})")}.")
    {
        RequestedBytes = requestedBytes;
        Device = device;
    }

    /// <summary>Creates the exception.</summary>
    public DeviceOutOfMemoryException() : base("Out of device memory.") { Device = ""; }

    /// <summary>Creates the exception.</summary>
    public DeviceOutOfMemoryException(string message) : base(message) { Device = ""; }

    /// <summary>Creates the exception.</summary>
    public DeviceOutOfMemoryException(string message, Exception inner) : base(message, inner) { Device = ""; }

    /// <summary>Bytes the failed allocation asked for.</summary>
    public long RequestedBytes { get; }

    /// <summary>Device string of the accelerator.</summary>
    public string Device { get; }
}

/// <summary>A device string named no device, or a backend is not available on this machine.</summary>
public sealed class DeviceNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeviceNotFoundException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public DeviceNotFoundException() { }

    /// <summary>Creates the exception.</summary>
    public DeviceNotFoundException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A native driver call failed; the message names the call and the error code.</summary>
public sealed class DeviceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeviceException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public DeviceException() { }

    /// <summary>Creates the exception.</summary>
    public DeviceException(string message, Exception inner) : base(message, inner) { }
}
