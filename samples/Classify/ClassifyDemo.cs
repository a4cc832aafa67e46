using Hilo.Ilgpu;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Models;

namespace Hilo.Samples.Classify;

/// <summary>Images → top-5 classes on any device: the whole sample, callable from the tests.</summary>
public static class ClassifyDemo
{
    /// <summary>
    /// Classifies <paramref name="images"/> (files, folders or globs) with <paramref name="model"/> (a preset name or a
    /// CONFIG.json) and the checkpoint <paramref name="weights"/> (null: random weights, for trying it out) on
    /// <paramref name="device"/> (cpu, opencl:0, cuda:0, …), and prints each image's five most likely classes.
    /// </summary>
    public static IReadOnlyList<ImageClassification> Run(string device, string model, string? weights, IEnumerable<string> images, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var config = Litv2Config.IsPreset(model) ? Litv2Config.Preset(model) : Litv2ConfigJson.Read(model);
        using var gpu = ComputeDevice.Open(device);
        using var litv2 = new Litv2Model(gpu, config);
        if (weights is null)
        {
            litv2.InitializeRandom(seed: 0);
        }
        else
        {
            litv2.LoadWeights(weights); // .pth or .safetensors; keys and shapes are checked before any tensor is read
        }

        // Decoding (untrusted files: headers first), torchvision-equal preprocessing on the device, the model, softmax.
        var classifier = new ImageClassifier(litv2);
        var results = classifier.Classify(ImageSource.Expand(images), topK: 5, batch: 8);
        foreach (var r in results)
        {
            output.WriteLine(r.Succeeded
                ? $"{Path.GetFileName(r.Path)}: " + string.Join(", ", r.Top.Select(c => $"{c.Label} {c.Probability:P1}"))
                : $"{Path.GetFileName(r.Path)}: skipped ({r.Error})");
        }
        return results;
    }
}
