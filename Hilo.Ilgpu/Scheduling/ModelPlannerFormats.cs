using System.Globalization;
using System.Text.Json;
using Hilo.Ilgpu.IO;
using static Hilo.Ilgpu.Scheduling.ModelPlanner;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>The printed table and the JSON file of a <see cref="ModelPlan"/> (format in docs/plan.md).</summary>
public static class ModelPlanFormats
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Prints the measurements, every candidate with its decision, the chosen plan and the notes.</summary>
    public static void WriteTable(TextWriter writer, ModelPlan plan)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(plan);
        var c = plan.Config;
        writer.WriteLine(Text($"{c.Name} on {plan.DeviceId} ({plan.DeviceName}), {plan.ImageSize}×{plan.ImageSize}, batch {plan.Batch}, median of {plan.Runs} run(s)"));
        writer.WriteLine(Text($"default (α {A(plan.DefaultAlpha)}, local_ws [{Ws(c.LocalWs)}]): measured {plan.DefaultMilliseconds:0.0} ms/batch = {Rate(plan.DefaultImagesPerSecond)} img/s; ") +
            Text($"the model outside the planned HiLo layers: {plan.RestMilliseconds:0.0} ms"));
        writer.WriteLine(plan.Top1Threshold is { } t
            ? Text($"accuracy constraint: published top-1 ≥ {t:0.00} (default {plan.DefaultTop1:0.00} − {plan.MaxTop1Drop:0.0#})")
            : "accuracy constraint: none applies (α is not planned)");
        writer.WriteLine();
        if (plan.Candidates.Count > 0)
        {
            string[] header = ["stage", "s", "α", "Lo/Hi", "ms/layer", "est. img/s", "top-1", "", "decision"];
            var rows = plan.Candidates.Select(r => new[]
            {
                (r.StageIndex + 1).ToString(Invariant), r.Window.ToString(Invariant), A(r.Alpha), Text($"{r.LoFiHeads}/{r.HiFiHeads}"),
                r.MillisecondsPerLayer.ToString("0.00", Invariant), Rate(r.EstimatedImagesPerSecond),
                r.Top1 is { } top1 ? top1.ToString("0.00", Invariant) : "not published",
                r.IsChosen ? "chosen" : r.IsDefault ? "default" : "", r.Reason,
            }).ToList();
            int[] widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
            bool[] right = [true, true, true, true, true, true, false, false, false];
            string Line(string[] cells) => string.Join("  ", cells.Select((x, i) => right[i] ? x.PadLeft(widths[i]) : x.PadRight(widths[i]))).TrimEnd();
            writer.WriteLine(Line(header));
            writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
            foreach (var row in rows)
            {
                writer.WriteLine(Line(row));
            }
            writer.WriteLine();
        }
        writer.WriteLine(Text($"plan: α {A(plan.Alpha)}, local_ws [{Ws(plan.LocalWs)}]: estimated {Rate(plan.EstimatedImagesPerSecond)} img/s, ") +
            Text($"{plan.SpeedUp:0.00}× the default ({Rate(plan.DefaultImagesPerSecond)} img/s); top-1 ") +
            (plan.Top1 is { } chosenTop1 ? chosenTop1.ToString("0.00", Invariant) : "not published"));
        if (plan.Verification is { } same && !plan.ChangesAnything)
        {
            writer.WriteLine(Text($"verified: the plan is the default; measured twice more, alternating: {same.DefaultMilliseconds:0.0} and {same.MeasuredMilliseconds:0.0} ms/batch ") +
                Text($"(a {Math.Abs(same.SpeedUp - 1) * 100:0.0}% spread between identical models: the measurement noise on this machine now)"));
        }
        else if (plan.Verification is { } v)
        {
            writer.WriteLine(Text($"verified: the planned model measured {v.MeasuredMilliseconds:0.0} ms/batch = {Rate(plan.ImagesPerSecond(v.MeasuredMilliseconds))} img/s ") +
                Text($"(estimated {v.EstimatedMilliseconds:0.0} ms, {(v.MeasuredMilliseconds / v.EstimatedMilliseconds - 1) * 100:+0.0;-0.0}%); ") +
                Text($"measured speed-up {v.SpeedUp:0.00}× over the default measured in the same rounds ({v.DefaultMilliseconds:0.0} ms)"));
        }
        foreach (string note in plan.Notes)
        {
            writer.WriteLine("- " + note);
        }
    }

    /// <summary>Writes the plan as JSON (keys in docs/plan.md).</summary>
    public static void WriteJson(Stream stream, ModelPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("model", plan.Config.Name);
        json.WriteString("device", plan.DeviceId);
        json.WriteString("device_name", plan.DeviceName);
        json.WriteString("device_kind", plan.DeviceKind);
        json.WriteNumber("image_size", plan.ImageSize);
        json.WriteNumber("batch", plan.Batch);
        json.WriteNumber("runs", plan.Runs);
        json.WriteNumber("max_top1_drop", plan.MaxTop1Drop);
        NullableNumber(json, "top1_threshold", plan.Top1Threshold);
        json.WriteStartObject("default");
        Config(json, plan.DefaultAlpha, plan.Config.LocalWs, "measured", plan.DefaultMilliseconds, plan.DefaultTop1, plan);
        json.WriteEndObject();
        json.WriteNumber("rest_ms_per_batch", Math.Round(plan.RestMilliseconds, 4));
        json.WriteStartObject("plan");
        Config(json, plan.Alpha, plan.LocalWs, "estimated", plan.EstimatedMilliseconds, plan.Top1, plan);
        json.WriteNumber("speed_up", Math.Round(plan.SpeedUp, 4));
        json.WriteEndObject();
        if (plan.Verification is { } v)
        {
            json.WriteStartObject("verification");
            json.WriteNumber("measured_ms_per_batch", Math.Round(v.MeasuredMilliseconds, 4));
            json.WriteNumber("estimated_ms_per_batch", Math.Round(v.EstimatedMilliseconds, 4));
            json.WriteNumber("measured_images_per_second", Math.Round(plan.ImagesPerSecond(v.MeasuredMilliseconds), 3));
            json.WriteNumber("default_measured_ms_per_batch", Math.Round(v.DefaultMilliseconds, 4));
            json.WriteNumber("measured_speed_up", Math.Round(v.SpeedUp, 4));
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("verification");
        }
        json.WriteStartArray("candidates");
        foreach (var r in plan.Candidates)
        {
            json.WriteStartObject();
            json.WriteNumber("stage", r.StageIndex + 1);
            json.WriteNumber("window", r.Window);
            json.WriteNumber("alpha", r.Alpha);
            json.WriteNumber("lofi_heads", r.LoFiHeads);
            json.WriteNumber("hifi_heads", r.HiFiHeads);
            json.WriteNumber("ms_per_layer", Math.Round(r.MillisecondsPerLayer, 4));
            json.WriteNumber("estimated_images_per_second", Math.Round(r.EstimatedImagesPerSecond, 3));
            NullableNumber(json, "top1", r.Top1);
            json.WriteBoolean("allowed", r.Allowed);
            json.WriteString("reason", r.Reason);
            json.WriteBoolean("default", r.IsDefault);
            json.WriteBoolean("chosen", r.IsChosen);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("notes");
        foreach (string note in plan.Notes)
        {
            json.WriteStringValue(note);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Writes the JSON to <paramref name="path"/> atomically.</summary>
    public static void WriteJsonFile(string path, ModelPlan plan) => AtomicFile.Write(path, s => WriteJson(s, plan));

    private static void Config(Utf8JsonWriter json, double alpha, IReadOnlyList<int> localWs, string how, double ms, double? top1, ModelPlan plan)
    {
        json.WriteNumber("alpha", alpha);
        json.WriteStartArray("local_ws");
        foreach (int s in localWs)
        {
            json.WriteNumberValue(s);
        }
        json.WriteEndArray();
        json.WriteNumber(how + "_ms_per_batch", Math.Round(ms, 4));
        json.WriteNumber(how + "_images_per_second", Math.Round(plan.ImagesPerSecond(ms), 3));
        NullableNumber(json, "top1", top1);
    }

    private static void NullableNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Math.Round(v, 4));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    // Three significant digits for the slow devices (a few images/s on a CPU), one decimal above.
    private static string Rate(double imagesPerSecond) =>
        imagesPerSecond.ToString(imagesPerSecond < 10 ? "0.00" : "0.0", Invariant);

    private static string Ws(IReadOnlyList<int> localWs) => string.Join(", ", localWs);
}
