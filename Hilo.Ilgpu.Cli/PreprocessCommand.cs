using System.CommandLine;
using System.Globalization;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Cli;

/// <summary>What <c>hilo preprocess</c> was asked to do (one property per option).</summary>
internal sealed record PreprocessOptions
{
    public required IReadOnlyList<string> Images { get; init; }
    public required string Output { get; init; }
    public string Model { get; init; } = "litv2-s";
    public int? Size { get; init; }
    public string? Device { get; init; }
    public int Batch { get; init; } = 8;
}

/// <summary>
/// <c>hilo preprocess IMAGE|DIR|GLOB … --output X.npy</c>: the images as the model sees them — decoded (untrusted:
/// headers and limits first), run through the official evaluation transform on the device — written as one float32
/// NCHW array, one row per image in the order given (folders: their images sorted by name), for <c>hilo infer
/// --input</c> or to check the preprocessing against another pipeline. Row <c>i</c>'s image is printed as
/// <c>i&lt;TAB&gt;path</c> on stdout. An image that cannot be read fails the whole run (the rows must match the inputs
/// one to one): one <c>error:</c> line per bad image, then one saying that nothing was written.
/// </summary>
internal static class PreprocessCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "Image files (PNG, JPEG, BMP, GIF, WebP), folders (their images, sorted by name) or globs.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "The .npy file to write: float32, N × 3 × S × S, one row per image in the order given.", Required = true };
        var model = new Option<string>("--model", "-m") { Description = "Whose evaluation transform: litv2-s, litv2-m, litv2-b (resize 256, crop 224), litv2-b-384 (squash to 384²) or a CONFIG.json.", DefaultValueFactory = _ => "litv2-s" };
        var size = new Option<int?>("--size") { Description = "Instead of --model's: LITv2's crop transform at side S (resize the shorter side to int(256/224·S), centre crop S)." };
        var device = new Option<string?>("--device", "-d") { Description = "cpu, opencl:N, cuda:N, ... (default: the fastest device present); every device gives the same tensor." };
        var batch = new Option<int>("--batch", "-b") { Description = "Images decoded and preprocessed at a time.", DefaultValueFactory = _ => 8 };
        var command = new Command("preprocess", "Write images as the model sees them (the official evaluation transform) to a float32 NCHW .npy.");
        command.Arguments.Add(images);
        foreach (var option in new Option[] { output, model, size, device, batch })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse => Run(new PreprocessOptions
        {
            Images = parse.GetValue(images)!,
            Output = parse.GetValue(output)!,
            Model = parse.GetValue(model)!,
            Size = parse.GetValue(size),
            Device = parse.GetValue(device),
            Batch = parse.GetValue(batch),
        }, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Runs the command: 0 with the file written, 1 after <c>error:</c> lines with nothing written.</summary>
    public static int Run(PreprocessOptions options, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            Execute(options, output, error);
            return 0;
        }
        catch (BadImagesException e)
        {
            foreach (string message in e.Errors)
            {
                error.WriteLine("error: " + InferCommand.OneLine(message));
            }
            error.WriteLine("error: " + e.Message);
            return 1;
        }
        catch (Exception e) when (InferCommand.IsUserError(e))
        {
            error.WriteLine("error: " + InferCommand.OneLine(e.Message));
            return 1;
        }
    }

    /// <summary>The transform of <paramref name="o"/>: <c>--size</c>'s, else the model's.</summary>
    internal static Preprocess Transform(PreprocessOptions o)
    {
        if (o.Size is { } size)
        {
            if (size < Models.Litv2Config.MinImageSide || size > ImageLimits.Default.MaxSide)
            {
                throw new ArgumentException($"--size must be between {Models.Litv2Config.MinImageSide} and {ImageLimits.Default.MaxSide} pixels, got {size}");
            }
            return Preprocess.ForImageSize(size);
        }
        return Preprocess.ForModel(InferCommand.ResolveModel(o.Model));
    }

    private static void Execute(PreprocessOptions o, TextWriter output, TextWriter log)
    {
        if (o.Batch < 1)
        {
            throw new ArgumentException($"--batch must be at least 1, got {o.Batch}");
        }
        var transform = Transform(o);
        var paths = ImageSource.Expand(o.Images);
        int side = transform.CropSize;
        long perImage = 3L * side * side;
        if (paths.Count * perImage > Array.MaxLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{paths.Count} images of 3×{side}×{side} do not fit one .npy array ({Array.MaxLength / perImage} at most): split them over several runs"));
        }
        CliOutputs.Check([new("--output", o.Output)],
            [CliOutputs.ModelInput(o.Size is null ? o.Model : "litv2-s"), .. paths.Select(p => new CliInput("an input image", p)), CliOutputs.TuningCacheInput]);

        // Every header first: a bad file is found before any decoding, and all of them are named at once.
        var limits = ImageLimits.Default;
        var errors = new List<string>();
        foreach (string path in paths)
        {
            try
            {
                ImageFile.Identify(path, limits);
            }
            catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
            {
                errors.Add(Named(path, e));
            }
        }
        ThrowIfAny(errors, paths.Count, o.Output);

        using var device = ComputeDevice.Open(o.Device ?? ComputeDevice.FastestDeviceId());
        var preprocessor = new ImagePreprocessor(device, transform);
        log.WriteLine($"{paths.Count} image(s) on {device}; {transform.Source}");
        var data = new float[paths.Count * perImage];
        CliProgress.Run(log, "preprocessing", paths.Count, progress =>
        {
            for (int start = 0; start < paths.Count; start += o.Batch)
            {
                int count = Math.Min(o.Batch, paths.Count - start);
                // One decoded image at a time: each is resized into its slot before the next file is decoded.
                using var images = preprocessor.Begin(count);
                for (int i = start; i < start + count; i++)
                {
                    try
                    {
                        images.Add(ImageFile.Load(paths[i], limits));
                    }
                    catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
                    {
                        errors.Add(Named(paths[i], e)); // a header that passed but a body that does not decode
                    }
                }
                if (errors.Count == 0)
                {
                    using var batch = images.Finish();
                    batch.ToArray().CopyTo(data, start * perImage);
                }
                progress.Done(start + count, paths.Count);
            }
            return 0;
        });
        ThrowIfAny(errors, paths.Count, o.Output);
        NpyFile.Write(o.Output, new HostTensor([paths.Count, 3, side, side], data));
        for (int i = 0; i < paths.Count; i++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i}\t{paths[i]}"));
        }
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {paths.Count} × 3 × {side} × {side} float32 to {o.Output}"));
    }

    private static string Named(string path, Exception e) =>
        e is ImageDecodeException || e.Message.Contains(path, StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}";

    private static void ThrowIfAny(List<string> errors, int total, string output)
    {
        if (errors.Count > 0)
        {
            throw new BadImagesException(errors, string.Create(CultureInfo.InvariantCulture,
                $"{output} not written: {errors.Count} of {total} image(s) could not be read, and the array must have one row per input image (remove or fix them)"));
        }
    }

    /// <summary>Images that could not be read, each with its message.</summary>
    private sealed class BadImagesException(IReadOnlyList<string> errors, string message) : Exception(message)
    {
        public IReadOnlyList<string> Errors { get; } = errors;
    }
}
