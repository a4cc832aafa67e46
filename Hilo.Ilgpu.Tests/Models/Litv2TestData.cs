using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Tests.Models;

/// <summary>The tiny LITv2 fixtures (Fixtures/Litv2, docs/reference-fixtures.md), loaded once.</summary>
internal static class Litv2TestData
{
    public static readonly string[] Checkpoints = ["tiny_bare.pth", "tiny_wrapped.pth", "tiny_module_prefix.pth"];

    public static readonly string[] Inputs = ["32x32", "32x48", "36x50"];

    private static readonly Lazy<Litv2Config> TinyConfig = new(() => Litv2ConfigJson.Read(PathOf("tiny_config.json")));

    private static readonly Dictionary<string, StateDict> States = [];

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Litv2");

    public static string PathOf(string file) => Path.Combine(Directory, file);

    public static Litv2Config Tiny => TinyConfig.Value;

    public static StateDict State(string checkpoint)
    {
        lock (States)
        {
            if (!States.TryGetValue(checkpoint, out var state))
            {
                state = CheckpointLoader.Load(PathOf(checkpoint));
                States[checkpoint] = state;
            }
            return state;
        }
    }

    public static HostTensor Input(string size) => NpyFile.Read(PathOf($"input_{size}.npy"));

    public static HostTensor Logits(string size) => NpyFile.Read(PathOf($"logits_{size}.npy"));

    public static StateDict Stages(string size) => SafeTensorsFile.Read(PathOf($"stages_{size}.safetensors"));

    /// <summary>A copy of <paramref name="state"/> with <paramref name="change"/> applied to one tensor's data.</summary>
    public static StateDict WithChange(StateDict state, string key, Action<float[]> change)
    {
        var copy = new StateDict();
        foreach (var (k, v) in state)
        {
            if (k == key)
            {
                float[] data = (float[])v.Data.Clone();
                change(data);
                copy.Add(k, new HostTensor(v.Shape, data));
            }
            else
            {
                copy.Add(k, v);
            }
        }
        return copy;
    }

    public static double MaxAbsDiff(ReadOnlySpan<float> got, ReadOnlySpan<float> want)
    {
        Assert.Equal(want.Length, got.Length);
        double max = 0;
        for (int i = 0; i < got.Length; i++)
        {
            double d = Math.Abs((double)got[i] - want[i]);
            max = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(max, d);
        }
        return max;
    }
}
