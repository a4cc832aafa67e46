using System.Text.Json;
using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Tests.Imaging;

/// <summary>One case of <c>Fixtures/Images/manifest.json</c> (written by <c>tools/make_image_fixtures.py</c>).</summary>
public sealed record ImageFixtureCase(string Image, string PilMode, int Resize, int Crop, bool Stretch, string Tensor)
{
    /// <summary>The fixture folder in the test output.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Images");

    /// <summary>Every case, by its key (<c>image.tensor-tag</c>).</summary>
    public static IReadOnlyDictionary<string, ImageFixtureCase> All { get; } = Read();

    /// <summary>For every fixture image, the SHA-256 of PIL's decoded RGB bytes (<c>Image.open(f).convert('RGB')</c>).</summary>
    public static IReadOnlyDictionary<string, string> PilRgbSha256 { get; } = ReadHashes();

    /// <summary>The case keys, for theories.</summary>
    public static TheoryData<string> Keys() => [.. All.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The image's path.</summary>
    public string ImagePath => Path.Combine(Folder, Image);

    /// <summary>torchvision's tensor (1 × 3 × crop × crop).</summary>
    public HostTensor Expected() => NpyFile.Read(Path.Combine(Folder, Tensor));

    private static Dictionary<string, string> ReadHashes()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")));
        return doc.RootElement.GetProperty("decoded_rgb_sha256").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    private static Dictionary<string, ImageFixtureCase> Read()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")));
        var cases = new Dictionary<string, ImageFixtureCase>(StringComparer.Ordinal);
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var f = new ImageFixtureCase(c.GetProperty("image").GetString()!, c.GetProperty("pil_mode").GetString()!,
                c.GetProperty("resize").GetInt32(), c.GetProperty("crop").GetInt32(), c.GetProperty("stretch").GetBoolean(),
                c.GetProperty("tensor").GetString()!);
            cases.Add(Path.GetFileNameWithoutExtension(f.Tensor), f);
        }
        return cases;
    }
}
