using System.Runtime.CompilerServices;
using System.Text;

namespace Hilo.Ilgpu.Tests.Generator;

/// <summary>
/// Compares generated text with a file under Generator/Snapshots. With <c>HILO_UPDATE_SNAPSHOTS=1</c> it
/// (re)writes the files in the source tree instead; review the diff and commit them.
/// </summary>
public static class Snapshot
{
    public static string Directory([CallerFilePath] string thisFile = "")
    {
        string source = Path.Combine(Path.GetDirectoryName(thisFile)!, "Snapshots");
        return System.IO.Directory.Exists(source) ? source : Path.Combine(AppContext.BaseDirectory, "Generator", "Snapshots");
    }

    public static bool Updating => Environment.GetEnvironmentVariable("HILO_UPDATE_SNAPSHOTS") == "1";

    public static void Verify(string fileName, string actual)
    {
        string path = Path.Combine(Directory(), fileName);
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Updating)
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"Snapshot {fileName} is missing; run the tests with HILO_UPDATE_SNAPSHOTS=1 to create it.");
        string expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (expected != actual)
        {
            Assert.Fail($"Snapshot {fileName} differs (HILO_UPDATE_SNAPSHOTS=1 rewrites it):\n{Diff(expected, actual)}");
        }
    }

    /// <summary>The differing lines with a little context, '-' expected and '+' actual.</summary>
    public static string Diff(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        int first = 0;
        while (first < e.Length && first < a.Length && e[first] == a[first])
        {
            first++;
        }
        int endE = e.Length - 1, endA = a.Length - 1;
        while (endE >= first && endA >= first && e[endE] == a[endA])
        {
            endE--;
            endA--;
        }
        var sb = new StringBuilder();
        for (int i = Math.Max(0, first - 3); i < first; i++)
        {
            sb.Append("  ").AppendLine(e[i]);
        }
        for (int i = first; i <= endE && i < first + 40; i++)
        {
            sb.Append("- ").AppendLine(e[i]);
        }
        for (int i = first; i <= endA && i < first + 40; i++)
        {
            sb.Append("+ ").AppendLine(a[i]);
        }
        return $"first difference at line {first + 1}:\n{sb}";
    }
}
