namespace Hilo.Ilgpu;

/// <summary>Library-wide facts.</summary>
public static class HiloInfo
{
    /// <summary>The library's version string.</summary>
    public static string Version => typeof(HiloInfo).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
