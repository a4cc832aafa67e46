using System.Buffers.Binary;

namespace Hilo.Ilgpu.Tests.Imaging;

/// <summary>
/// Mutations of image files that reach the decoders' structure, not only their bytes: truncations, the fields that
/// state sizes (PNG chunk lengths, JPEG segment lengths, GIF sub-block lengths, RIFF and BMP sizes), the fields that
/// state dimensions (IHDR, SOF, GIF screen and frame, BMP, VP8X/VP8L) and frame tables (GIF image descriptors, WebP
/// ANMF frames), each set to a random, huge, zero or off-by-one value; plus plain byte edits.
/// </summary>
internal static class ImageMutations
{
    public static byte[] Mutate(byte[] original, string format, Random random)
    {
        byte[] bytes = (byte[])original.Clone();
        int edits = random.Next(1, 4);
        for (int i = 0; i < edits; i++)
        {
            var fields = Fields(bytes, format);
            if (fields.Count > 0 && random.Next(3) > 0)
            {
                var (at, size, bigEndian) = fields[random.Next(fields.Count)];
                Patch(bytes, at, size, bigEndian, random);
            }
            else
            {
                int at = random.Next(bytes.Length);
                bytes[at] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)(bytes[at] ^ (1 << random.Next(8))),
                    _ => (byte)(random.Next(2) * 0xFF),
                };
            }
        }
        return random.Next(4) == 0 ? bytes[..random.Next(1, bytes.Length)] : bytes;
    }

    private static void Patch(byte[] bytes, int at, int size, bool bigEndian, Random random)
    {
        if (at + size > bytes.Length)
        {
            return;
        }
        ulong max = size == 1 ? 0xFFUL : size == 2 ? 0xFFFFUL : 0xFFFFFFFFUL;
        ulong old = 0;
        for (int k = 0; k < size; k++)
        {
            old |= (ulong)bytes[at + (bigEndian ? size - 1 - k : k)] << (8 * k);
        }
        ulong value = random.Next(6) switch
        {
            0 => 0,
            1 => max,
            2 => (old + 1) & max,
            3 => (old - 1) & max,
            4 => (old * 2 + 1) & max,
            _ => (ulong)random.NextInt64() & max,
        };
        for (int k = 0; k < size; k++)
        {
            bytes[at + (bigEndian ? size - 1 - k : k)] = (byte)(value >> (8 * k));
        }
    }

    // (offset, size in bytes, big-endian) of the size, dimension and table fields found in the bytes as they are now.
    private static List<(int At, int Size, bool BigEndian)> Fields(byte[] b, string format)
    {
        var fields = new List<(int, int, bool)>();
        switch (format)
        {
            case "png":
                for (int at = 8; at + 8 <= b.Length && fields.Count < 64;)
                {
                    int length = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(at));
                    fields.Add((at, 4, true));
                    if (b.AsSpan(at + 4, 4).SequenceEqual("IHDR"u8))
                    {
                        fields.Add((at + 8, 4, true));
                        fields.Add((at + 12, 4, true));
                        fields.Add((at + 16, 1, true));
                        fields.Add((at + 17, 1, true));
                    }
                    if (length < 0 || length > b.Length)
                    {
                        break;
                    }
                    at += 12 + length;
                }
                break;
            case "jpeg":
                for (int at = 2; at + 4 <= b.Length && fields.Count < 64;)
                {
                    if (b[at] != 0xFF)
                    {
                        break;
                    }
                    byte marker = b[at + 1];
                    int length = BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(at + 2));
                    fields.Add((at + 2, 2, true));
                    if (marker is >= 0xC0 and <= 0xC3 or 0xC9 or 0xCA)
                    {
                        fields.Add((at + 5, 2, true));  // height
                        fields.Add((at + 7, 2, true));  // width
                        fields.Add((at + 9, 1, true));  // components
                        fields.Add((at + 11, 1, true)); // first component's sampling factors
                    }
                    if (marker == 0xDA)
                    {
                        break;
                    }
                    at += 2 + length;
                }
                break;
            case "gif":
                fields.Add((6, 2, false));
                fields.Add((8, 2, false));
                fields.Add((10, 1, false));
                for (int at = 0; at + 10 < b.Length && fields.Count < 64; at++)
                {
                    if (b[at] == 0x2C && at > 12)
                    {
                        for (int k = 1; k < 9; k += 2)
                        {
                            fields.Add((at + k, 2, false)); // frame left, top, width, height
                        }
                        fields.Add((at + 10, 1, false)); // LZW minimum code size
                        fields.Add((at + 11, 1, false)); // first sub-block length
                    }
                }
                break;
            case "bmp":
                fields.AddRange([(2, 4, false), (10, 4, false), (14, 4, false), (18, 4, false), (22, 4, false), (28, 2, false), (30, 4, false), (34, 4, false), (46, 4, false)]);
                break;
            case "webp":
                fields.Add((4, 4, false));
                for (int at = 12; at + 8 <= b.Length && fields.Count < 64;)
                {
                    uint length = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at + 4));
                    fields.Add((at + 4, 4, false));
                    var tag = b.AsSpan(at, 4);
                    if (tag.SequenceEqual("VP8X"u8))
                    {
                        fields.Add((at + 12, 3, false)); // canvas width - 1
                        fields.Add((at + 15, 3, false)); // canvas height - 1
                    }
                    else if (tag.SequenceEqual("VP8L"u8))
                    {
                        fields.Add((at + 9, 4, false)); // 14-bit width - 1, 14-bit height - 1, alpha, version
                    }
                    else if (tag.SequenceEqual("ANMF"u8))
                    {
                        fields.AddRange([(at + 8, 3, false), (at + 11, 3, false), (at + 14, 3, false), (at + 17, 3, false)]);
                        at += 24; // the frame's own chunks follow its 16-byte header
                        continue;
                    }
                    if (length > (uint)b.Length)
                    {
                        break;
                    }
                    at += 8 + (int)length + (int)(length & 1);
                }
                break;
            default:
                throw new ArgumentException($"no mutations for {format}", nameof(format));
        }
        // Patching a 3-byte field goes through the generic patcher as a 2-byte one plus a byte: fine for fuzzing.
        return fields.ConvertAll(f => f.Item2 == 3 ? (f.Item1, 2, f.Item3) : f);
    }
}
