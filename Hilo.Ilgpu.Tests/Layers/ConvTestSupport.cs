using System.Globalization;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Layers;

/// <summary>A PyTorch layer fixture (<c>Fixtures/Layers/NAME.safetensors</c>): the layer's parameters, its inputs and outputs, its metadata.</summary>
public sealed class ConvFixtureCase
{
    private static readonly HashSet<string> NotParameters = ["input", "output", "offset", "fold_scale", "fold_shift"];

    private ConvFixtureCase(string name, StateDict all, IReadOnlyDictionary<string, string> metadata)
    {
        Name = name;
        All = all;
        Metadata = metadata;
        Parameters = new StateDict();
        foreach (var (key, value) in all)
        {
            if (!NotParameters.Contains(key))
            {
                Parameters.Add(key, value);
            }
        }
    }

    public string Name { get; }

    /// <summary>Every tensor in the file.</summary>
    public StateDict All { get; }

    /// <summary>Only the layer's parameters and buffers, under their official names.</summary>
    public StateDict Parameters { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public HostTensor this[string key] => All[key];

    public int Int(string key) => int.Parse(Metadata[key], CultureInfo.InvariantCulture);

    public static ConvFixtureCase Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Layers", name + ".safetensors");
        var all = SafeTensorsFile.Read(path, out var metadata);
        return new ConvFixtureCase(name, all, metadata);
    }

    /// <summary>The case names of one kind, from <c>index.json</c>.</summary>
    public static TheoryData<string> CasesOfKind(string kind)
    {
        string index = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Layers", "index.json"));
        using var doc = System.Text.Json.JsonDocument.Parse(index);
        var data = new TheoryData<string>();
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            if (entry.Value.GetProperty("kind").GetString() == kind)
            {
                data.Add(entry.Name);
            }
        }
        return data;
    }
}

/// <summary>Comparisons and random inputs for the conv-family layer tests.</summary>
public static class ConvAssert
{
    /// <summary>Parity tolerance of issue 3 (outputs of order 1).</summary>
    public const double Atol = 1e-4;

    /// <summary>Asserts shape and max |got − expected| ≤ <paramref name="atol"/>; returns the max error.</summary>
    public static double Close(IReadOnlyList<double> expected, float[] got, string what, double atol = Atol)
    {
        Assert.Equal(expected.Count, got.Length);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < got.Length; i++)
        {
            double e = Math.Abs(got[i] - expected[i]);
            if (!(e <= worst))
            {
                worst = e;
                at = i;
            }
        }
        Assert.True(worst <= atol, string.Create(CultureInfo.InvariantCulture,
            $"{what}: max abs error {worst:G3} at element {at} (got {got[at]}, expected {expected[at]}) exceeds {atol:G3}"));
        return worst;
    }

    public static double Close(HostTensor expected, Tensor got, string what, double atol = Atol)
    {
        Assert.Equal(expected.Shape, got.Shape);
        return Close([.. expected.Data.Select(v => (double)v)], got.ToArray(), what, atol);
    }

    public static float[] Normal(Random rng, int n, double sigma = 1)
    {
        var data = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            data[i] = (float)(sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return data;
    }

    /// <summary>A random state dict for <paramref name="module"/>: weights N(0, σ), norm scales near 1, variances in [0.5, 1.5].</summary>
    public static StateDict RandomState(Modules.Module module, Random rng, double sigma = 0.3)
    {
        var state = new StateDict();
        foreach (var (name, p) in module.NamedParameters())
        {
            int n = (int)p.ElementCount;
            float[] data = name.EndsWith("running_var", StringComparison.Ordinal)
                ? [.. Enumerable.Range(0, n).Select(_ => (float)(0.5 + rng.NextDouble()))]
                : Normal(rng, n, sigma);
            if (name.EndsWith("norm.weight", StringComparison.Ordinal) || name.EndsWith("norm_layer.weight", StringComparison.Ordinal))
            {
                for (int i = 0; i < n; i++)
                {
                    data[i] += 1;
                }
            }
            state.Add(name, new HostTensor([.. p.Shape], data));
        }
        return state;
    }

    /// <summary>NCHW [B, C, H, W] to channels-last [B, H·W, C].</summary>
    public static float[] ToChannelsLast(HostTensor nchw)
    {
        int b = nchw.Shape[0], c = nchw.Shape[1], hw = nchw.Shape[2] * nchw.Shape[3];
        var result = new float[nchw.Data.Length];
        for (int n = 0; n < b; n++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                for (int p = 0; p < hw; p++)
                {
                    result[(n * hw + p) * c + ch] = nchw.Data[(n * c + ch) * hw + p];
                }
            }
        }
        return result;
    }
}
