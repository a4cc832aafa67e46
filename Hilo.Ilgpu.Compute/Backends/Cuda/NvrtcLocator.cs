namespace Hilo.Ilgpu.Compute.Cuda;

/// <summary>
/// Where NVRTC may live. In order: <c>$HILO_NVRTC_PATH</c> (a file); the plain library names, which the
/// system loader resolves through <c>LD_LIBRARY_PATH</c> and the ldconfig cache; CUDA toolkit directories
/// (<c>$CUDA_PATH</c>, <c>$CUDA_HOME</c>, <c>/usr/local/cuda</c>, <c>/usr/local/cuda-*</c> newest first, <c>/opt/cuda</c>);
/// conda (<c>$CONDA_PREFIX/lib</c>); and Python wheels (<c>site-packages/nvidia/*/lib</c>, as PyTorch installs
/// them, and <c>site-packages/torch/lib</c>) under <c>$VIRTUAL_ENV</c>, <c>$CONDA_PREFIX</c>, <c>~/.local</c>,
/// <c>/usr/local</c>, <c>/usr</c> and <c>/opt/conda</c>. Only these fixed directories are listed, never a disk scan.
/// </summary>
internal static class NvrtcLocator
{
    /// <summary>The environment variable naming an NVRTC library file to use first.</summary>
    public const string PathVariable = "HILO_NVRTC_PATH";

    /// <summary>Plain names handed to the system loader, newest first.</summary>
    public static IReadOnlyList<string> PlainNames =>
        OperatingSystem.IsWindows()
            ? ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll", "nvrtc64_112_0.dll", "nvrtc64_111_0.dll"]
            : ["libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2"];

    /// <summary>Candidates for this process's environment.</summary>
    public static IReadOnlyList<string> Candidates() =>
        Candidates(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ["/usr/local", "/usr", "/opt/conda"]);

    /// <summary>Candidates given an environment, a home directory and the system prefixes (a seam for tests).</summary>
    public static IReadOnlyList<string> Candidates(Func<string, string?> environment, string? home, IReadOnlyList<string> systemPrefixes)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string candidate)
        {
            if (seen.Add(candidate))
            {
                result.Add(candidate);
            }
        }

        string? explicitPath = environment(PathVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            Add(explicitPath.Trim());
        }
        foreach (string name in PlainNames)
        {
            Add(name);
        }

        var directories = new List<string>();
        foreach (string variable in new[] { "CUDA_PATH", "CUDA_HOME", "CUDA_ROOT" })
        {
            string? root = environment(variable);
            if (!string.IsNullOrWhiteSpace(root))
            {
                directories.Add(Path.Combine(root, OperatingSystem.IsWindows() ? "bin" : "lib64"));
                directories.Add(Path.Combine(root, OperatingSystem.IsWindows() ? Path.Combine("bin", "x64") : "lib"));
            }
        }
        if (!OperatingSystem.IsWindows())
        {
            directories.Add("/usr/local/cuda/lib64");
            directories.AddRange(VersionedCudaDirectories("/usr/local"));
            directories.Add("/opt/cuda/lib64");
        }
        string? conda = environment("CONDA_PREFIX");
        if (!string.IsNullOrWhiteSpace(conda))
        {
            directories.Add(Path.Combine(conda, OperatingSystem.IsWindows() ? "Library\\bin" : "lib"));
        }

        var pythonRoots = new List<string>();
        foreach (string? root in new[] { environment("VIRTUAL_ENV"), conda, home is null ? null : Path.Combine(home, ".local") })
        {
            if (!string.IsNullOrWhiteSpace(root))
            {
                pythonRoots.Add(root);
            }
        }
        pythonRoots.AddRange(systemPrefixes);
        foreach (string sitePackages in SitePackages(pythonRoots))
        {
            foreach (string nvidia in SafeDirectories(Path.Combine(sitePackages, "nvidia")))
            {
                directories.Add(Path.Combine(nvidia, "lib"));
                directories.Add(Path.Combine(nvidia, "bin"));
            }
            directories.Add(Path.Combine(sitePackages, "torch", "lib"));
        }

        foreach (string directory in directories)
        {
            foreach (string file in LibraryFiles(directory))
            {
                Add(file);
            }
        }
        return result;
    }

    /// <summary>NVRTC library files in one directory, newest version first (the builtins library excluded).</summary>
    public static IEnumerable<string> LibraryFiles(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }
        string pattern = OperatingSystem.IsWindows() ? "nvrtc64_*.dll" : "libnvrtc*.so*";
        try
        {
            return Directory.GetFiles(directory, pattern)
                .Where(f => !Path.GetFileName(f).Contains("builtins", StringComparison.OrdinalIgnoreCase) &&
                            !Path.GetFileName(f).Contains(".alt.", StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(f => Path.GetFileName(f), StringComparer.Ordinal)
                .ToList();
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static IEnumerable<string> VersionedCudaDirectories(string prefix) =>
        SafeDirectories(prefix)
            .Where(d => Path.GetFileName(d).StartsWith("cuda-", StringComparison.Ordinal))
            .OrderByDescending(d => ParseVersion(Path.GetFileName(d)["cuda-".Length..]))
            .Select(d => Path.Combine(d, "lib64"));

    private static IEnumerable<string> SitePackages(IEnumerable<string> roots)
    {
        foreach (string root in roots)
        {
            if (OperatingSystem.IsWindows())
            {
                yield return Path.Combine(root, "Lib", "site-packages");
                continue;
            }
            foreach (string python in SafeDirectories(Path.Combine(root, "lib"))
                         .Where(d => Path.GetFileName(d).StartsWith("python3", StringComparison.Ordinal))
                         .OrderByDescending(d => Path.GetFileName(d), StringComparer.Ordinal))
            {
                yield return Path.Combine(python, "site-packages");
                yield return Path.Combine(python, "dist-packages");
            }
        }
    }

    private static Version ParseVersion(string text) => Version.TryParse(text, out var v) ? v : new Version(0, 0);

    private static IEnumerable<string> SafeDirectories(string path)
    {
        try
        {
            return Directory.Exists(path) ? Directory.GetDirectories(path) : [];
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
