using System.Globalization;
using System.Net;
using System.Text;
using Hilo.Ilgpu.Analysis;

namespace Hilo.Ilgpu.Benchmarks;

/// <summary>
/// A self-contained HTML page of a comparison (no scripts, no external files): one group of horizontal CSS bars of
/// images/s per device, like the paper's CPU/GPU throughput figure, then the full table.
/// </summary>
public static class CompareHtml
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The page for <paramref name="results"/>; <paramref name="title"/> heads it.</summary>
    public static string Render(IReadOnlyList<CompareResult> results, string title)
    {
        ArgumentNullException.ThrowIfNull(results);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n<style>\n")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin:1.5em 0 .4em}\n")
            .Append(".bar-row{display:flex;align-items:center;margin:.25em 0}.label{width:9em;font-family:monospace}\n")
            .Append(".track{flex:1;max-width:40em;background:#eee;height:1.3em}.bar{height:100%;background:#4a7bd0}.bar.best{background:#d0574a}\n")
            .Append(".value{margin-left:.6em;font-family:monospace;white-space:nowrap}table{border-collapse:collapse;margin-top:2em}\n")
            .Append("td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}td:nth-child(-n+2),th:nth-child(-n+2){text-align:left}\n")
            .Append("</style>\n</head>\n<body>\n<h1>").Append(E(title)).Append("</h1>\n<p>Throughput in images per second (higher is better), one group per device.</p>\n");
        foreach (var group in results.GroupBy(r => r.Device))
        {
            var rows = group.ToList();
            double max = rows.Max(r => r.ImagesPerSecond);
            html.Append("<section class=\"device-group\" data-device=\"").Append(E(group.Key)).Append("\">\n<h2>")
                .Append(E(group.Key)).Append(" — ").Append(E(rows[0].DeviceName)).Append(" (").Append(E(rows[0].DeviceKind.ToUpperInvariant())).Append(")</h2>\n");
            foreach (var r in rows)
            {
                double percent = max > 0 ? 100 * r.ImagesPerSecond / max : 0;
                html.Append("<div class=\"bar-row\"><span class=\"label\">").Append(E(r.Name)).Append("</span><div class=\"track\"><div class=\"bar")
                    .Append(r.ImagesPerSecond == max ? " best" : "").Append("\" style=\"width:").Append(percent.ToString("0.##", Invariant))
                    .Append("%\"></div></div><span class=\"value\">").Append(r.ImagesPerSecond.ToString("0.0", Invariant)).Append(" img/s")
                    .Append(r.SpeedUp is { } s ? " (" + s.ToString("0.00", Invariant) + "×)" : "").Append("</span></div>\n");
            }
            html.Append("</section>\n");
        }
        html.Append("<table>\n<tr><th>device</th><th>name</th><th>batch</th><th>images/s</th><th>ms/batch</th><th>speed-up</th><th>params</th><th>FLOPs</th><th>peak memory</th></tr>\n");
        foreach (var r in results)
        {
            html.Append("<tr><td>").Append(E(r.Device)).Append("</td><td>").Append(E(r.Name)).Append("</td><td>").Append(r.Batch.ToString(Invariant))
                .Append("</td><td>").Append(r.ImagesPerSecond.ToString("0.0", Invariant)).Append("</td><td>").Append(r.MillisecondsPerBatch.ToString("0.0", Invariant))
                .Append("</td><td>").Append(r.SpeedUp is { } s ? s.ToString("0.00", Invariant) + "×" : "—").Append("</td><td>")
                .Append(Complexity.Format(r.Parameters, 2)).Append("</td><td>").Append(Complexity.Format(r.Flops)).Append("</td><td>")
                .Append(CompareFormats.FormatBytes(r.PeakMemoryBytes)).Append("</td></tr>\n");
        }
        html.Append("</table>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
