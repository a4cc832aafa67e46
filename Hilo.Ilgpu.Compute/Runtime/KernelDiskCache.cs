using System.Security.Cryptography;
using System.Text;

namespace Hilo.Ilgpu.Compute;

/// <summary>
/// On-disk cache of built kernels (OpenCL program binaries, PTX), keyed by a hash of the generated source,
/// the device, the driver version and the build options. Location: <c>$HILO_KERNEL_CACHE</c>, else
/// <c>$XDG_CACHE_HOME/hilo-ilgpu/kernels</c>, else <c>~/.cache/hilo-ilgpu/kernels</c>; <c>HILO_KERNEL_CACHE=off</c>
/// disables it. Writes are atomic (temp file + rename); unreadable entries are ignored and rebuilt.
/// </summary>
public static class KernelDiskCache
{
    /// <summary>The cache directory, or null when disabled.</summary>
    public static string? Directory
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("HILO_KERNEL_CACHE");
            if (string.Equals(env, "off", StringComparison.OrdinalIgnoreCase) || env == "0")
            {
                return null;
            }
            if (!string.IsNullOrEmpty(env))
            {
                return env;
            }
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrEmpty(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "hilo-ilgpu", "kernels");
        }
    }

    /// <summary>Hex SHA-256 of the parts, separated so that ("ab","c") and ("a","bc") differ.</summary>
    public static string Key(params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var text = string.Join("\u001f", parts);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Reads an entry; false when absent, disabled or unreadable.</summary>
    public static bool TryLoad(string key, string extension, out byte[] data)
    {
        data = [];
        string? dir = Directory;
        if (dir is null)
        {
            return false;
        }
        try
        {
            string path = Path.Combine(dir, key + extension);
            if (!File.Exists(path))
            {
                return false;
            }
            data = File.ReadAllBytes(path);
            return data.Length > 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Writes an entry atomically; a cache that cannot be written is silently skipped (it only costs speed).</summary>
    public static void Store(string key, string extension, ReadOnlySpan<byte> data)
    {
        string? dir = Directory;
        if (dir is null || data.IsEmpty)
        {
            return;
        }
        try
        {
            System.IO.Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, key + extension);
            string temp = path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(temp, data.ToArray());
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Deletes every cached kernel.</summary>
    public static void Clear()
    {
        string? dir = Directory;
        if (dir is not null && System.IO.Directory.Exists(dir))
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }
}
