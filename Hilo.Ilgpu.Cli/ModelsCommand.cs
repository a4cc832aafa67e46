using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Hilo.Ilgpu.Analysis;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Scheduling;

namespace Hilo.Ilgpu.Cli;

/// <summary>One preset as <c>hilo models</c> lists it: its architecture counted here, its accuracy and checkpoint as published.</summary>
internal sealed record ModelListing(Litv2Config Config, Complexity Complexity, PublishedCheckpoint Checkpoint);

/// <summary>
/// <c>hilo models</c>: every LITv2 preset with its parameters and FLOPs (counted by <see cref="Complexity"/> on the
/// preset's architecture, not copied from the paper), input size, published top-1, and the official checkpoint's file
/// name and download address; then the α sweep of LITv2-S. Where to start when <c>--weights</c> is required.
/// </summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var json = new Option<string?>("--json") { Description = "Write the list as JSON to FILE ('-' for stdout, instead of the table)." };
        var command = new Command("models", "List the LITv2 presets: parameters, FLOPs, input size, published top-1 and where the official checkpoints are.");
        command.Options.Add(json);
        command.SetAction(parse => Run(parse.GetValue(json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Prints the table (or writes the JSON); 0, or 1 after one <c>error:</c> line.</summary>
    public static int Run(string? json, TextWriter output, TextWriter error)
    {
        try
        {
            CliOutputs.Check([new("--json", json, StdoutAllowed: true)], []);
            var listings = List();
            if (json is null)
            {
                WriteTable(output, listings);
            }
            else
            {
                CliOutputs.WriteUtf8(json, output, s => WriteJson(s, listings));
            }
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine("error: " + InferCommand.OneLine(e.Message));
            return 1;
        }
    }

    /// <summary>Every preset, counted on the CPU accelerator (the model is built, its weights never initialised or read).</summary>
    internal static IReadOnlyList<ModelListing> List()
    {
        using var device = ComputeDevice.Open("cpu");
        return Litv2Checkpoints.Presets.Select(p =>
        {
            var config = Litv2Config.Preset(p.Preset);
            using var model = new Litv2Model(device, config);
            return new ModelListing(config, Complexity.Of(model, config.ImgSize, config.ImgSize), p);
        }).ToList();
    }

    internal static void WriteTable(TextWriter output, IReadOnlyList<ModelListing> listings)
    {
        output.WriteLine("model        input    params   FLOPs  top-1  checkpoint");
        foreach (var l in listings)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{l.Config.Name,-11}  {l.Config.ImgSize + "²",5}  {Complexity.Format(l.Complexity.Parameters, 2),8}  {Complexity.Format(l.Complexity.Flops),6}  {l.Checkpoint.Top1,5:0.0}  {l.Checkpoint.File}"));
        }
        output.WriteLine();
        output.WriteLine("Download (torch.save files; hilo reads them as they are, bare or {'model': ...}):");
        foreach (var l in listings)
        {
            output.WriteLine($"  {l.Checkpoint.Url}");
        }
        output.WriteLine($"  or every model and log from the authors' Google Drive folder: {Litv2Checkpoints.DriveFolder}");
        output.WriteLine("then: hilo classify photos/ --model litv2-s --weights litv2_s.pth");
        output.WriteLine();
        output.WriteLine("α sweep of LITv2-S (Lo-Fi/Hi-Fi heads of 12 in stage 3; the paper's top-1; hilo plan chooses among them):");
        output.WriteLine("   α   Lo-Fi/Hi-Fi  top-1");
        foreach (var p in AlphaSweep.LitV2S)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {p.Alpha:0.0}  {p.LoFiHeads,5}/{p.HiFiHeads,-5}  {p.Top1:0.00}"));
        }
        output.WriteLine($"  The release lists no files for the sweep's points other than α 0.9 (litv2_s.pth); see {Litv2Checkpoints.Repository}.");
        output.WriteLine("FLOPs are multiply-adds per image at the input size, parameters are learned ones, both counted here (docs/models.md).");
    }

    internal static void WriteJson(Stream stream, IReadOnlyList<ModelListing> listings)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteStartArray("models");
        foreach (var l in listings)
        {
            json.WriteStartObject();
            json.WriteString("model", l.Config.Name);
            json.WriteNumber("image_size", l.Config.ImgSize);
            json.WriteNumber("params", l.Complexity.Parameters);
            json.WriteNumber("flops", l.Complexity.Flops);
            json.WriteNumber("top1", l.Checkpoint.Top1);
            json.WriteString("checkpoint", l.Checkpoint.File);
            json.WriteString("url", l.Checkpoint.Url);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("alpha_sweep");
        foreach (var p in AlphaSweep.LitV2S)
        {
            json.WriteStartObject();
            json.WriteString("model", "litv2-s");
            json.WriteNumber("alpha", p.Alpha);
            json.WriteNumber("lofi_heads", p.LoFiHeads);
            json.WriteNumber("hifi_heads", p.HiFiHeads);
            json.WriteNumber("top1", p.Top1);
            if (p.Alpha.Equals(0.9))
            {
                json.WriteString("checkpoint", Litv2Checkpoints.Presets[0].File);
            }
            else
            {
                json.WriteNull("checkpoint");
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("release", Litv2Checkpoints.Release);
        json.WriteString("drive_folder", Litv2Checkpoints.DriveFolder);
        json.WriteEndObject();
    }
}
