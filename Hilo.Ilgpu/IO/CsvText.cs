namespace Hilo.Ilgpu.IO;

/// <summary>CSV cells as RFC 4180 writes them: quoted (quotes doubled) only when they hold a comma, a quote or a line break.</summary>
public static class CsvText
{
    /// <summary>The cell <paramref name="value"/>, quoted when needed.</summary>
    public static string Cell(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
