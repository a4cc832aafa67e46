using System.Globalization;
using System.Text.Json;

namespace Hilo.Peers;

/// <summary>One exported case (tools/peers/export_models.py): its model files, input and reference output.</summary>
internal sealed record PeerCase(string Directory, string Name, string Subject, int Batch, long[] InputShape, long[] OutputShape, long FlopsPerImage)
{
    public static PeerCase Load(string directory)
    {
        string path = Path.Combine(directory, "case.json");
        if (!File.Exists(path))
        {
            throw new PeerException($"{path}: no such file (run tools/peers/export_models.py first)");
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        try
        {
            return new PeerCase(directory, r.GetProperty("name").GetString()!, r.GetProperty("subject").GetString()!,
                r.GetProperty("batch").GetInt32(), Shape(r.GetProperty("input_shape")), Shape(r.GetProperty("output_shape")),
                r.GetProperty("flops_per_image").GetInt64());
        }
        catch (KeyNotFoundException e)
        {
            throw new PeerException($"{path}: {e.Message}");
        }
    }

    private static long[] Shape(JsonElement e) => [.. e.EnumerateArray().Select(d => d.GetInt64())];

    public string PathOf(string name) => Path.Combine(Directory, name);

    public float[] Input() => ReadFloats("input.f32", InputShape);

    public float[] Expected() => ReadFloats("expected.f32", OutputShape);

    private float[] ReadFloats(string name, long[] shape)
    {
        string path = PathOf(name);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.LongLength != count * sizeof(float))
        {
            throw new PeerException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {bytes.LongLength} bytes, expected {count * sizeof(float)} for shape [{string.Join(", ", shape)}] (float32)"));
        }
        var values = new float[count];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);  // little-endian on every machine this runs on
        return values;
    }
}

/// <summary>A problem with the input files or a peer's output: one <c>error:</c> line, exit code 1.</summary>
internal sealed class PeerException(string message) : Exception(message);
