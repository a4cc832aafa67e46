using System.Globalization;
using System.Net;
using System.Text;
using Hilo.Ilgpu.Analysis;

namespace Hilo.Ilgpu.Benchmarks;

/// <summary>
/// A self-contained HTML page of a comparison (no scripts, no external files): the bar chart of images/s per device
/// (<see cref="CompareCharts"/>, like the paper's CPU/GPU throughput figure) as inline SVG, then the full table.
/// </summary>
public static class CompareHtml
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// The page for <paramref name="results"/>; <paramref name="title"/> heads it, and <paramref name="provenance"/>
    /// (when given) says under it when, by what command and on what machine it was measured.
    /// </summary>
    public static string Render(IReadOnlyList<CompareResult> results, string title, RunProvenance? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n<style>\n")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}\n")
            .Append(".chart svg{max-width:100%;height:auto}table{border-collapse:collapse;margin-top:2em}\n")
            .Append("td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}td:nth-child(-n+2),th:nth-child(-n+2){text-align:left}\n")
            .Append("</style>\n</head>\n<body>\n<h1>").Append(E(title)).Append("</h1>\n<p>Throughput in images per second (higher is better), one group per device.</p>\n")
            .Append(Provenance(provenance))
            .Append("<figure class=\"chart\">\n").Append(InlineSvg(results, provenance)).Append("\n</figure>\n");
        html.Append("<table>\n<tr><th>device</th><th>name</th><th>batch</th><th>images/s</th><th>ms/batch</th><th>speed-up</th><th>params</th><th>FLOPs</th><th>peak memory</th></tr>\n");
        foreach (var r in results)
        {
            html.Append("<tr data-device=\"").Append(E(r.Device)).Append("\"><td>").Append(E(r.Device)).Append("</td><td>").Append(E(r.Name)).Append("</td><td>").Append(r.Batch.ToString(Invariant))
                .Append("</td><td>").Append(r.ImagesPerSecond.ToString("0.0", Invariant)).Append("</td><td>").Append(r.MillisecondsPerBatch.ToString("0.0", Invariant))
                .Append("</td><td>").Append(r.SpeedUp is { } s ? s.ToString("0.00", Invariant) + "×" : "—").Append("</td><td>")
                .Append(Complexity.Format(r.Parameters, 2)).Append("</td><td>").Append(Complexity.Format(r.Flops)).Append("</td><td>")
                .Append(CompareFormats.FormatBytes(r.PeakMemoryBytes)).Append("</td></tr>\n");
        }
        html.Append("</table>\n</body>\n</html>\n");
        return html.ToString();
    }

    // The SVG document without its XML declaration, which has no place inside a page; the viewBox lets CSS scale it.
    private static string InlineSvg(IReadOnlyList<CompareResult> results, RunProvenance? provenance)
    {
        string svg = CompareCharts.RenderSvg(results, provenance: provenance);
        int root = svg.IndexOf("<svg", StringComparison.Ordinal);
        string viewBox = string.Create(Invariant, $"<svg viewBox=\"0 0 {CompareCharts.DefaultWidth} {CompareCharts.DefaultHeight}\"");
        return viewBox + svg[(root + "<svg".Length)..].TrimEnd();
    }

    private static string Provenance(RunProvenance? p) => p is null ? "" :
        $"<p class=\"provenance\">Measured {E(p.DateText)} with <code>{E(p.Command)}</code> (hilo {E(p.HiloVersion)}, kernels {E(p.Kernels)}, weights {E(p.Weights ?? "none")}) on {E(p.Machine)}.</p>\n";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
