using System.Globalization;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Layers;

/// <summary>A PyTorch reference case from <c>Fixtures/Layers</c> (see docs/reference-fixtures.md).</summary>
public sealed class LayerCase
{
    private static readonly HashSet<string> NotParameters = ["input", "output", "offset", "fold_scale", "fold_shift"];

    private LayerCase(string name, StateDict tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Name = name;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The case name (file name without extension).</summary>
    public string Name { get; }

    /// <summary>Every tensor of the file.</summary>
    public StateDict Tensors { get; }

    /// <summary>The file's metadata (all values are strings).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The <c>input</c> tensor.</summary>
    public HostTensor Input => Tensors["input"];

    /// <summary>The <c>output</c> tensor.</summary>
    public HostTensor Output => Tensors["output"];

    /// <summary>An integer metadata value.</summary>
    public int Int(string key) => int.Parse(Metadata[key], CultureInfo.InvariantCulture);

    /// <summary>A floating-point metadata value.</summary>
    public double Double(string key) => double.Parse(Metadata[key], CultureInfo.InvariantCulture);

    /// <summary>A boolean metadata value (<c>true</c>/<c>false</c>).</summary>
    public bool Bool(string key) => Metadata[key] == "true";

    /// <summary>
    /// The parameters (every tensor but <c>input</c>, <c>output</c> and the extras of docs/reference-fixtures.md,
    /// and <paramref name="alsoExclude"/>) under <paramref name="prefix"/>, with the prefix stripped.
    /// </summary>
    public StateDict Parameters(string prefix = "", params string[] alsoExclude)
    {
        var result = new StateDict();
        foreach (var (key, tensor) in Tensors)
        {
            if (!NotParameters.Contains(key) && !alsoExclude.Contains(key) && key.StartsWith(prefix, StringComparison.Ordinal))
            {
                result.Add(key[prefix.Length..], tensor);
            }
        }
        return result;
    }

    /// <summary>Reads case <paramref name="name"/> from the test output's <c>Fixtures/Layers</c>.</summary>
    public static LayerCase Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Layers", name + ".safetensors");
        var tensors = SafeTensorsFile.Read(path, out var metadata);
        return new LayerCase(name, tensors, metadata);
    }
}

/// <summary>Comparisons of device results with references.</summary>
public static class LayerAssert
{
    /// <summary>Max |actual − expected| ≤ <paramref name="atol"/> (the parity criterion, 1e-4 for the PyTorch fixtures).</summary>
    public static double MaxAbsClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = Math.Abs((double)actual[i] - expected[i]);
            if (!(e <= max))
            {
                max = e;
                worst = i;
            }
        }
        Assert.True(max <= atol, string.Create(CultureInfo.InvariantCulture,
            $"{what}: max abs error {max:G3} > {atol:G3} at element {worst} (got {(worst >= 0 ? actual[worst] : 0)}, expected {(worst >= 0 ? expected[worst] : 0)})"));
        return max;
    }

    /// <summary>|actual[i] − expected[i]| ≤ tolerance(i) for every element (NaN fails).</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, Func<int, double> tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = Math.Abs(actual[i] - expected[i]);
            double t = tolerance(i);
            if (!(e <= t))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                    $"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (error {e:G3} > tolerance {t:G3})"));
            }
        }
    }

    /// <summary>Close with an absolute plus relative tolerance.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double atol, double rtol, string what)
    {
        double[] copy = expected.ToArray();
        Close(expected, actual, i => atol + rtol * Math.Abs(copy[i]), what);
    }
}
