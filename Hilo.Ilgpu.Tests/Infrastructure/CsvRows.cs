using System.Text;

namespace Hilo.Ilgpu.Tests.Infrastructure;

/// <summary>
/// Reads CSV as RFC 4180 (and pandas' default dialect) does, independently of the writer under test: quoted cells
/// may hold commas, doubled quotes and line breaks. Each row becomes a dictionary by the header's names.
/// </summary>
public static class CsvRows
{
    /// <summary>The header and the rows of <paramref name="text"/>; every row must have as many cells as the header.</summary>
    public static (IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows) Parse(string text)
    {
        var records = Records(text);
        var header = records[0];
        var rows = new List<IReadOnlyDictionary<string, string>>();
        foreach (var record in records.Skip(1))
        {
            Assert.True(record.Count == header.Count, $"a row of {record.Count} cells under a header of {header.Count}: {string.Join("|", record)}");
            rows.Add(header.Zip(record).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
        }
        return (header, rows);
    }

    /// <summary>
    /// The header and each row of the file <paramref name="path"/> cut to its first <paramref name="cells"/> columns,
    /// cells joined by commas: a table without the provenance columns (date, command…) that differ from run to run.
    /// </summary>
    public static List<string> Leading(string path, int cells)
    {
        var (header, rows) = Parse(File.ReadAllText(path));
        var keep = header.Take(cells).ToList();
        return [string.Join(",", keep), .. rows.Select(r => string.Join(",", keep.Select(k => r[k])))];
    }

    private static List<List<string>> Records(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    record.Add(cell.ToString());
                    cell.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    record.Add(cell.ToString());
                    cell.Clear();
                    records.Add(record);
                    record = [];
                    break;
                default:
                    cell.Append(c);
                    break;
            }
        }
        if (cell.Length > 0 || record.Count > 0)
        {
            record.Add(cell.ToString());
            records.Add(record);
        }
        return records;
    }
}
