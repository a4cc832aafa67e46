using System.Text.Json;
using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Tests.IO;

/// <summary>Paths of the fixtures made by tools/make_checkpoint_fixtures.py and checks against expected.json.</summary>
public static class CheckpointFixtures
{
    private static readonly Lazy<JsonDocument> ExpectedDocument = new(() =>
        JsonDocument.Parse(File.ReadAllText(PathOf("expected.json"))));

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Checkpoints", name);

    public static JsonElement Expected(string name) => ExpectedDocument.Value.RootElement.GetProperty(name);

    /// <summary>Checks key order, shapes, dtypes and exact checksums of every tensor.</summary>
    public static void AssertMatches(StateDict actual, string fixture)
    {
        JsonElement facts = Expected(fixture);
        string[] keys = facts.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToArray();
        Assert.Equal(keys, actual.Keys);
        foreach (string key in keys)
        {
            AssertTensor(actual[key], facts.GetProperty("tensors").GetProperty(key), $"{fixture}:{key}");
        }
    }

    /// <summary>Shape, dtype, and sums computed in the same order as the generator, so equality is exact.</summary>
    public static void AssertTensor(HostTensor tensor, JsonElement facts, string what)
    {
        int[] shape = facts.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        Assert.True(tensor.HasShape(shape), $"{what}: shape {tensor.ShapeText}, expected {HostTensor.FormatShape(shape)}");
        Assert.Equal(facts.GetProperty("dtype").GetString(), tensor.SourceDType.ToString());
        double sum = 0, weighted = 0;
        for (int i = 0; i < tensor.Data.Length; i++)
        {
            sum += tensor.Data[i];
            weighted += tensor.Data[i] * (double)(i % 7 + 1);
        }
        Assert.True(facts.GetProperty("sum").GetDouble() == sum, $"{what}: sum {sum:R}, expected {facts.GetProperty("sum").GetDouble():R}");
        Assert.True(facts.GetProperty("wsum").GetDouble() == weighted, $"{what}: weighted sum {weighted:R}");
        double[] first = facts.GetProperty("first").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(first, tensor.Data.Take(first.Length).Select(v => (double)v).ToArray());
        if (tensor.Data.Length > 0)
        {
            Assert.Equal(facts.GetProperty("last").GetDouble(), (double)tensor.Data[^1]);
        }
    }
}
