using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hilo.Ilgpu.Models;

/// <summary>A CONFIG.json that cannot be used: the message names the file, the key and the bad value.</summary>
public sealed class Litv2ConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public Litv2ConfigException(string source, string? key, string problem, Exception? inner = null)
        : base(key is null ? $"{source}: {problem}" : $"{source}: '{key}' {problem}", inner)
    {
        Source = source;
        Key = key;
    }

    /// <summary>Creates the exception.</summary>
    public Litv2ConfigException() : this("config", null, "invalid") { }

    /// <summary>Creates the exception.</summary>
    public Litv2ConfigException(string message) : this("config", null, message) { }

    /// <summary>Creates the exception.</summary>
    public Litv2ConfigException(string message, Exception inner) : this("config", null, message, inner) { }

    /// <summary>The file (or text description) the config came from.</summary>
    public new string Source { get; }

    /// <summary>The offending key, or null when the problem is not about one key.</summary>
    public string? Key { get; }
}

/// <summary>
/// Reads and writes LITv2 CONFIG.json files: one JSON object with the keys <c>embed_dim</c> (integer),
/// <c>depths</c>, <c>num_heads</c>, <c>local_ws</c> (arrays of 4 integers), <c>alpha</c>, <c>mlp_ratio</c>
/// (numbers), <c>num_classes</c>, <c>img_size</c> (integers), <c>qkv_bias</c> (boolean). Parsing is strict: an
/// unknown or repeated key, a value of the wrong type (<c>4.5</c> where an integer is due, <c>"true"</c> for a
/// boolean), or a value the architecture cannot take is an error naming the key. <c>embed_dim</c>, <c>depths</c> and
/// <c>num_heads</c> are required; the others default to the official values (alpha 0.9, local_ws [0, 0, 2, 1],
/// num_classes 1000, img_size 224, mlp_ratio 4, qkv_bias true).
/// </summary>
public static class Litv2ConfigJson
{
    /// <summary>Every key a CONFIG.json may hold.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["embed_dim", "depths", "num_heads", "alpha", "local_ws", "num_classes", "img_size", "mlp_ratio", "qkv_bias"];

    private static readonly string[] Required = ["embed_dim", "depths", "num_heads"];

    /// <summary>Reads the config file at <paramref name="path"/>; its name (without extension) becomes the config's name.</summary>
    /// <exception cref="Litv2ConfigException">Unreadable file, malformed JSON, or a bad key or value.</exception>
    public static Litv2Config Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = ReadBounded(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw new Litv2ConfigException(path, null, $"cannot read the config file: {e.Message}", e);
        }
        return Parse(text, path) with { Name = Path.GetFileNameWithoutExtension(path) };
    }

    // Reads at most MaxFileBytes + 1 bytes, so that neither a huge file nor an endless one (/dev/zero, a FIFO that
    // keeps writing) is read to its end; the length is not trusted (devices and pipes report 0).
    private static string ReadBounded(string path)
    {
        if (Directory.Exists(path))
        {
            throw new Litv2ConfigException(path, null, "is a directory, not a config file");
        }
        if (IO.InputFile.Problem(path, IO.InputAccess.Sequential) is { } problem)
        {
            throw new Litv2ConfigException(path, null, problem);
        }
        byte[] buffer = IO.InputFile.ReadAtMost(path, Litv2ConfigLimits.MaxFileBytes)
            ?? throw new Litv2ConfigException(path, null, $"is larger than a config file may be ({Litv2ConfigLimits.MaxFileBytes} bytes)");
        return new UTF8Encoding(false, true).GetString(buffer).TrimStart('\uFEFF');
    }

    /// <summary>Parses config JSON; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="Litv2ConfigException">Malformed JSON, or a bad key or value.</exception>
    public static Litv2Config Parse(string json, string source = "config")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new Litv2ConfigException(source, null, $"not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new Litv2ConfigException(source, null, $"expected a JSON object with the keys {string.Join(", ", Keys)}, got {Kind(root)}");
            }
            var config = new Litv2Config();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                string key = property.Name;
                if (!Keys.Contains(key))
                {
                    throw new Litv2ConfigException(source, key, $"is not a LITv2 config key (the keys are: {string.Join(", ", Keys)})");
                }
                if (!seen.Add(key))
                {
                    throw new Litv2ConfigException(source, key, "appears twice");
                }
                var value = property.Value;
                config = key switch
                {
                    "embed_dim" => config with { EmbedDim = Integer(source, key, value) },
                    "depths" => config with { Depths = IntegerList(source, key, value) },
                    "num_heads" => config with { NumHeads = IntegerList(source, key, value) },
                    "local_ws" => config with { LocalWs = IntegerList(source, key, value) },
                    "alpha" => config with { Alpha = Number(source, key, value) },
                    "mlp_ratio" => config with { MlpRatio = Number(source, key, value) },
                    "num_classes" => config with { NumClasses = Integer(source, key, value) },
                    "img_size" => config with { ImgSize = Integer(source, key, value) },
                    _ => config with { QkvBias = Boolean(source, key, value) },
                };
            }
            foreach (string key in Required.Where(k => !seen.Contains(k)))
            {
                throw new Litv2ConfigException(source, key, "is missing (required: embed_dim, depths, num_heads)");
            }
            config = config with { Name = source };
            try
            {
                config.Validate();
            }
            catch (ArgumentException e)
            {
                throw new Litv2ConfigException(source, null, e.Message, e);
            }
            return config;
        }
    }

    /// <summary>The config as CONFIG.json text (every key, indented).</summary>
    public static string ToJson(Litv2Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("embed_dim", config.EmbedDim);
            WriteList(writer, "depths", config.Depths);
            WriteList(writer, "num_heads", config.NumHeads);
            writer.WriteNumber("alpha", config.Alpha);
            WriteList(writer, "local_ws", config.LocalWs);
            writer.WriteNumber("num_classes", config.NumClasses);
            writer.WriteNumber("img_size", config.ImgSize);
            writer.WriteNumber("mlp_ratio", config.MlpRatio);
            writer.WriteBoolean("qkv_bias", config.QkvBias);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteList(Utf8JsonWriter writer, string key, IReadOnlyList<int> values)
    {
        writer.WriteStartArray(key);
        foreach (int v in values)
        {
            writer.WriteNumberValue(v);
        }
        writer.WriteEndArray();
    }

    private static int Integer(string source, string key, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int result))
        {
            return result;
        }
        throw new Litv2ConfigException(source, key, NotAnInt(value));
    }

    private static int[] IntegerList(string source, string key, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new Litv2ConfigException(source, key, $"must be an array of {Litv2Config.StageCount} integers, got {Kind(value)} {Raw(value)}");
        }
        var list = new List<int>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int v))
            {
                throw new Litv2ConfigException(source, key, $"entry {list.Count} " + NotAnInt(item));
            }
            list.Add(v);
        }
        if (list.Count != Litv2Config.StageCount)
        {
            throw new Litv2ConfigException(source, key, $"must list {Litv2Config.StageCount} values (one per stage), got {list.Count}: {Raw(value)}");
        }
        return [.. list];
    }

    // An integer outside int's range is named as too large, not as "not an integer".
    private static string NotAnInt(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && (value.TryGetInt64(out _) || IsWholeNumber(value.GetRawText()))
            ? $"must be an integer of at most {int.MaxValue} in size, got {Raw(value)}"
            : $"must be an integer, got {Kind(value)} {Raw(value)}";

    private static bool IsWholeNumber(string raw) => raw.TrimStart('-').All(char.IsAsciiDigit);

    private static double Number(string source, string key, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double result) && double.IsFinite(result))
        {
            return result;
        }
        throw new Litv2ConfigException(source, key, $"must be a number, got {Kind(value)} {Raw(value)}");
    }

    private static bool Boolean(string source, string key, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new Litv2ConfigException(source, key, $"must be true or false, got {Kind(value)} {Raw(value)}"),
    };

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetInt64(out _) ? "the integer" : "the number",
        JsonValueKind.String => "the string",
        JsonValueKind.Array => "the array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "the boolean",
        _ => "null",
    };

    private static string Raw(JsonElement value)
    {
        string raw = value.ValueKind == JsonValueKind.Object ? "" : value.GetRawText();
        return raw.Length > 60 ? raw[..57] + "..." : raw;
    }

    /// <summary>Formats with the invariant culture (used in messages).</summary>
    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
