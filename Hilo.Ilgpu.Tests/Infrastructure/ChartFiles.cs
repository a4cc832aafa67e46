using System.Buffers.Binary;
using System.Globalization;
using System.Xml.Linq;

namespace Hilo.Ilgpu.Tests.Infrastructure;

/// <summary>Checks that a chart file is what its extension says, and reads its size (no image library: the header suffices).</summary>
internal static class ChartFiles
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Width and height of a PNG: the signature, then the first chunk must be IHDR (length 13, "IHDR", then width and
    /// height as big-endian 32-bit numbers).
    /// </summary>
    public static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"{path} is too short for a PNG ({bytes.Length} bytes)");
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)));
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    /// <summary>Parses <paramref name="svg"/> as XML; returns the root &lt;svg&gt;'s width and height and the document.</summary>
    public static (int Width, int Height, XDocument Document) SvgSize(string svg)
    {
        var document = XDocument.Parse(svg);
        var root = document.Root!;
        Assert.Equal(XName.Get("svg", "http://www.w3.org/2000/svg"), root.Name);
        return (int.Parse((string)root.Attribute("width")!, CultureInfo.InvariantCulture),
            int.Parse((string)root.Attribute("height")!, CultureInfo.InvariantCulture), document);
    }
}
