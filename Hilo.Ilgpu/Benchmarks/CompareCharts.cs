using System.Globalization;
using System.Text;
using Hilo.Ilgpu.IO;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Hilo.Ilgpu.Benchmarks;

/// <summary>
/// A comparison as a bar chart (ScottPlot): one group of bars per device, one bar per subject (HiLo, SRA, local window,
/// MSA, or LITv2 models) in the same colour on every device, each labelled with its images/s and, where set, its
/// speed-up. The title names the protocol, batch and runs. When devices differ by more than
/// <see cref="LogScaleRatio"/>× (a GPU beside a CPU) the throughput axis is logarithmic, so that every group stays visible.
/// </summary>
public static class CompareCharts
{
    /// <summary>Width of a chart when none is given, in pixels.</summary>
    public const int DefaultWidth = 1000;

    /// <summary>Height of a chart when none is given, in pixels.</summary>
    public const int DefaultHeight = 560;

    /// <summary>The smallest width that leaves room for the labels, in pixels.</summary>
    public const int MinWidth = 400;

    /// <summary>The smallest height that leaves room for the labels, in pixels.</summary>
    public const int MinHeight = 300;

    /// <summary>Fastest over slowest throughput above which the axis is logarithmic.</summary>
    public const double LogScaleRatio = 30;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The file extensions <see cref="Save(IReadOnlyList{CompareResult}, string, int, int, RunProvenance)"/> accepts: <c>.png</c> and <c>.svg</c>.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".svg"];

    /// <summary>
    /// Checks, before any work, that a chart can be written to <paramref name="path"/>: an accepted extension
    /// (<see cref="ArgumentException"/> otherwise) and a font for the text (<see cref="FileNotFoundException"/> otherwise:
    /// without one the chart would have no text at all).
    /// </summary>
    public static void CheckPath(string path)
    {
        CheckExtension(path);
        CheckFont();
    }

    /// <summary>Throws when no font can draw the charts' text (the message says how to get one): call it before long work.</summary>
    public static void CheckFont() => ChartFonts.Family();

    private static void CheckExtension(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string extension = Path.GetExtension(path);
        if (!Extensions.Contains(extension.ToLowerInvariant()))
        {
            string shown = extension.Length == 0 ? "no extension" : $"extension '{extension}'";
            throw new ArgumentException($"chart file '{path}' has {shown}: use {string.Join(" or ", Extensions)}");
        }
    }

    /// <summary>Writes the chart of <paramref name="report"/>'s results to <paramref name="path"/> (see the other overload).</summary>
    public static void Save(CompareReport report, string path, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(report);
        Save(report.Results, path, width, height);
    }

    /// <summary>Writes the chart of <paramref name="report"/>'s results to <paramref name="path"/> with the date, command and machine under it.</summary>
    public static void Save(CompareReport report, string path, RunProvenance provenance, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(report);
        Save(report.Results, path, width, height, provenance);
    }

    /// <summary>
    /// Writes the chart of <paramref name="results"/> to <paramref name="path"/>, atomically: a PNG or an SVG by the
    /// path's extension (<see cref="Extensions"/>; any other is an <see cref="ArgumentException"/> naming it).
    /// </summary>
    /// <param name="results">Measured rows, e.g. <see cref="CompareReport.Results"/>; at least one.</param>
    /// <param name="path">The file to write: <c>.png</c> or <c>.svg</c>.</param>
    /// <param name="width">Width in pixels, at least <see cref="MinWidth"/>.</param>
    /// <param name="height">Height in pixels, at least <see cref="MinHeight"/>.</param>
    /// <param name="provenance">When given, its date, command and machine are written under the chart.</param>
    public static void Save(IReadOnlyList<CompareResult> results, string path, int width = DefaultWidth, int height = DefaultHeight, RunProvenance? provenance = null)
    {
        CheckExtension(path); // the font is looked up by Build
        using var plot = Build(results, width, height, provenance);
        byte[] bytes = Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase)
            ? new UTF8Encoding(false).GetBytes(plot.GetSvgXml(width, height))
            : plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>The chart of <paramref name="results"/> as an SVG document (to embed in a page, or to save).</summary>
    /// <param name="results">Measured rows; at least one.</param>
    /// <param name="width">Width in pixels, at least <see cref="MinWidth"/>.</param>
    /// <param name="height">Height in pixels, at least <see cref="MinHeight"/>.</param>
    /// <param name="provenance">When given, its date, command and machine are written under the chart.</param>
    public static string RenderSvg(IReadOnlyList<CompareResult> results, int width = DefaultWidth, int height = DefaultHeight, RunProvenance? provenance = null)
    {
        using var plot = Build(results, width, height, provenance);
        return plot.GetSvgXml(width, height);
    }

    private static Plot Build(IReadOnlyList<CompareResult> results, int width, int height, RunProvenance? provenance)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            throw new ArgumentException("no results to chart", nameof(results));
        }
        if (width < MinWidth || height < MinHeight)
        {
            throw new ArgumentException($"chart size {width}×{height} is too small: at least {MinWidth}×{MinHeight}");
        }
        if (results.FirstOrDefault(r => !double.IsFinite(r.ImagesPerSecond) || r.ImagesPerSecond < 0) is { } bad)
        {
            throw new ArgumentException($"{bad.Name} on {bad.Device} has no valid throughput ({bad.ImagesPerSecond.ToString(Invariant)} images/s)");
        }

        var devices = results.Select(r => r.Device).Distinct().ToList();
        var subjects = results.Select(r => r.Name).Distinct().ToList();
        double max = results.Max(r => r.ImagesPerSecond), min = results.Min(r => r.ImagesPerSecond);
        bool log = min > 0 && max / min > LogScaleRatio;
        // On a log axis the bars rise from the decade below the slowest one (a bar cannot start at log 0 = -∞).
        double floor = log ? Math.Floor(Math.Log10(min)) : 0;

        var plot = new Plot();
        plot.Font.Set(ChartFonts.Family());
        var palette = new ScottPlot.Palettes.Category10();
        // One empty slot between groups separates the devices.
        int stride = subjects.Count + 1;
        var (labelSize, showRate, showSpeedUp) = Labels(results, width, devices.Count * stride);
        var bars = results.Select(r => new Bar
        {
            Position = devices.IndexOf(r.Device) * stride + subjects.IndexOf(r.Name),
            Value = log ? Math.Log10(r.ImagesPerSecond) : r.ImagesPerSecond,
            ValueBase = floor,
            FillColor = palette.GetColor(subjects.IndexOf(r.Name)),
            LineWidth = 0,
            Label = string.Join("\n", new[] { showRate ? Rate(r.ImagesPerSecond) : null, showSpeedUp ? SpeedUp(r) : null }.OfType<string>()),
        }).ToList();
        plot.Add.Bars(bars).ValueLabelStyle.FontSize = labelSize;

        // The legend outside the data area: inside it would cover the tallest bars' labels.
        for (int s = 0; s < subjects.Count; s++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = Display(subjects[s]), FillColor = palette.GetColor(s) });
        }
        plot.ShowLegend(Edge.Right);

        // Device names are long ("ILGPU CPU accelerator (...)"): cut to what a group's width holds at ~7 px a character.
        int nameChars = Math.Max(12, (width - 250) / devices.Count / 7);
        var ticks = devices.Select((d, i) => new Tick(i * stride + (subjects.Count - 1) / 2.0, DeviceLabel(results.First(r => r.Device == d), nameChars)));
        plot.Axes.Bottom.TickGenerator = new NumericManual(ticks.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        if (log)
        {
            plot.Axes.Left.TickGenerator = new NumericAutomatic
            {
                IntegerTicksOnly = true,
                MinorTickGenerator = new LogMinorTickGenerator(),
                LabelFormatter = y => Math.Pow(10, y).ToString("#,0.###", Invariant),
            };
        }

        string reference = results.All(r => r.Protocol == "model") ? "the first model" : "MSA";
        plot.Title(Title(results));
        string[] shown = [.. new[] { showRate ? "images/s" : null, showSpeedUp ? $"speed-up over {reference} on the same device" : null }.OfType<string>()];
        string xLabel = shown.Length == 0 ? "device" : $"device (bar labels: {string.Join(", ", shown)})";
        plot.XLabel(provenance is null ? xLabel : xLabel + "\n" + Caption(provenance, width), 13);
        plot.YLabel(log ? "throughput (images/s, log scale)" : "throughput (images/s)", 13);
        // Room above the tallest bar for its two-line label; bars stand on the axis.
        plot.Axes.Margins(left: 0.02, right: 0.02, bottom: 0, top: 0.22);
        return plot;
    }

    // Bar labels as large as the bars' pitch allows (12 px down to 8 px); where even 8 px is too wide for both lines,
    // the speed-up alone (the chart's point), then no labels: overlapping numbers are worse than none.
    private static (float Size, bool Rate, bool SpeedUp) Labels(IReadOnlyList<CompareResult> results, int width, int slots)
    {
        // The data area is the width less the y axis and the legend (about 260 px); a digit is about 0.62 of the font size.
        double pitch = (width - 260) / (double)slots;
        float Fit(int chars) => (float)Math.Min(12, Math.Floor(pitch / (chars * 0.62)));
        int rateChars = results.Max(r => Rate(r.ImagesPerSecond).Length);
        int speedChars = results.Max(r => SpeedUp(r)?.Length ?? 0);
        bool anySpeedUp = speedChars > 0;
        if (Fit(Math.Max(rateChars, speedChars)) >= 8)
        {
            return (Fit(Math.Max(rateChars, speedChars)), true, anySpeedUp);
        }
        int alone = anySpeedUp ? speedChars : rateChars;
        return Fit(alone) >= 8 ? (Fit(alone), !anySpeedUp, anySpeedUp) : (8, false, false);
    }

    // The date, command and machine in two lines under the axis label, each cut to what the width holds (~7 px a character).
    private static string Caption(RunProvenance p, int width)
    {
        int chars = Math.Max(40, (width - 40) / 7);
        string Fit(string text) => text.Length > chars ? text[..(chars - 1)] + "…" : text;
        return Fit($"{p.DateText} · hilo {p.HiloVersion} · {p.Machine}") + "\n" + Fit(p.Command);
    }

    private static string? SpeedUp(CompareResult r) => r.SpeedUp is { } s ? s.ToString("0.00", Invariant) + "×" : null;

    private static string Title(IReadOnlyList<CompareResult> results)
    {
        string Distinct<T>(Func<CompareResult, T> value) => string.Join("/", results.Select(value).Distinct());
        string protocol = Distinct(r => r.Protocol);
        string subject = protocol switch { "attention" => "Attention layers", "model" => "LITv2 models", _ => "Subjects" };
        string runs = Distinct(r => r.Runs);
        return $"{subject}: {protocol} protocol, batch {Distinct(r => r.Batch)}, {runs} timed run{(runs == "1" ? "" : "s")}";
    }

    private static string DeviceLabel(CompareResult r, int nameChars)
    {
        string name = r.DeviceName.Length > nameChars ? r.DeviceName[..(nameChars - 1)] + "…" : r.DeviceName;
        return $"{r.Device} ({r.DeviceKind.ToUpperInvariant()})\n{name}";
    }

    // Three significant digits or so, in at most five characters (labels sit side by side): 25.2k / 1,234 / 123 / 12.3 / 1.23.
    private static string Rate(double value) =>
        value >= 10_000 ? (value / 1000).ToString(value >= 100_000 ? "0" : "0.0", Invariant) + "k"
        : value.ToString(value >= 100 ? "#,0" : value >= 10 ? "0.0" : "0.00", Invariant);

    private static string Display(string name) => name switch
    {
        "hilo" => "HiLo",
        "sra" => "SRA",
        "local-window" => "local window",
        "msa" => "MSA",
        _ when name.StartsWith("litv2", StringComparison.Ordinal) => "LITv2" + name[5..].ToUpperInvariant(),
        _ => name,
    };
}
