using System.Buffers.Binary;
using System.Text;

namespace Hilo.Ilgpu.IO;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> arrays (format versions 1.0, 2.0 and 3.0). Reading accepts
/// float32, float64 and float16 in either byte order (converted to float32); Fortran-ordered arrays are
/// transposed while reading so the result is always row-major with the array's logical shape. Writing
/// produces a version 1.0 (2.0 for huge headers) little-endian float32 C-order file, atomically.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the array at <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointFormatException">Not a .npy file, unsupported dtype, or wrong data size.</exception>
    public static HostTensor Read(string path, CheckpointLimits? limits = null)
    {
        // A pipe the shell opened is read like a file; a named FIFO is refused (opening it waits for a writer).
        InputFile.Check(path, InputAccess.Sequential);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path, limits);
    }

    /// <summary>Reads an array from <paramref name="stream"/>; <paramref name="name"/> is used in messages.
    /// The array must end where the stream ends.</summary>
    public static HostTensor Read(Stream stream, string name, CheckpointLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= CheckpointLimits.Default;
        Span<byte> preamble = stackalloc byte[8];
        if (stream.ReadAtLeast(preamble, 8, throwOnEndOfStream: false) < 8 || !preamble[..6].SequenceEqual(Magic))
        {
            throw new CheckpointFormatException(name, "not a .npy file (missing the \\x93NUMPY magic)");
        }
        byte major = preamble[6];
        long headerLength;
        if (major == 1)
        {
            headerLength = ReadLength(stream, name, 2);
        }
        else if (major is 2 or 3)
        {
            headerLength = ReadLength(stream, name, 4);
        }
        else
        {
            throw new CheckpointFormatException(name, $".npy format version {major}.{preamble[7]} is not supported (1.0, 2.0, 3.0 are)");
        }
        if (headerLength > limits.MaxNpyHeaderBytes)
        {
            throw new CheckpointFormatException(name, $".npy header of {headerLength} bytes exceeds the limit of {limits.MaxNpyHeaderBytes}");
        }
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false) < headerBytes.Length)
        {
            throw new CheckpointFormatException(name, ".npy file ends inside its header (truncated?)");
        }
        string headerText = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var header = NpyHeader.Parse(headerText, name, limits.MaxRank);
        var (dtype, bigEndian) = ParseDescr(header.Descr, name);
        long count = HostTensor.ElementCountOf(header.Shape);
        int size = TensorDTypeInfo.SizeOf(dtype);
        if (count > Array.MaxLength || count * size > Array.MaxLength)
        {
            throw new CheckpointFormatException(name, $".npy array of shape {HostTensor.FormatShape(header.Shape)} is too large for one array");
        }
        var bytes = ReadData(stream, count * size, name, header.Shape);
        if (stream.ReadByte() >= 0)
        {
            throw new CheckpointFormatException(name, $".npy file has bytes after the {bytes.Length} bytes of its {HostTensor.FormatShape(header.Shape)} array");
        }
        int[] shape = header.Shape;
        long[] stride = header.FortranOrder ? ColumnMajorStrides(shape) : RowMajorStrides(shape);
        float[] data = ElementDecoder.Gather(bytes, dtype, bigEndian, 0, shape, stride, (int)count);
        return new HostTensor(shape, data, dtype);
    }

    /// <summary>Writes <paramref name="tensor"/> as a float32 C-order .npy, atomically (temporary file + rename).</summary>
    public static void Write(string path, HostTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        AtomicFile.Write(path, stream => Write(stream, tensor));
    }

    /// <summary>Writes <paramref name="tensor"/> as a float32 C-order .npy to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, HostTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensor);
        string text = NpyHeader.Format(tensor.Shape);
        // numpy pads the header with spaces and a final newline so the data starts 64-byte aligned.
        bool v1 = text.Length + 1 + 10 <= ushort.MaxValue;
        int preamble = v1 ? 10 : 12;
        int padded = (preamble + text.Length + 1 + 63) / 64 * 64 - preamble;
        byte[] header = Encoding.Latin1.GetBytes(text.PadRight(padded - 1) + "\n");
        stream.Write(Magic);
        stream.WriteByte(v1 ? (byte)1 : (byte)2);
        stream.WriteByte(0);
        Span<byte> length = stackalloc byte[4];
        if (v1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
            stream.Write(length[..2]);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
            stream.Write(length);
        }
        stream.Write(header);
        SafeTensorsFile.WriteFloats(stream, tensor.Data);
    }

    // The data, allocated only as far as the bytes are there: a seekable file's length is checked first, and from a pipe
    // the buffer grows with what arrives, so a header that claims gigabytes costs what was sent, not what it claims.
    private static byte[] ReadData(Stream stream, long needed, string name, int[] shape)
    {
        CheckpointFormatException Truncated(long have) =>
            new(name, $".npy data of shape {HostTensor.FormatShape(shape)} needs {needed} bytes, the file has {have} (truncated?)");
        if (stream.CanSeek)
        {
            long left = Math.Max(0, stream.Length - stream.Position);
            if (left < needed)
            {
                throw Truncated(left);
            }
        }
        var bytes = new byte[stream.CanSeek ? needed : Math.Min(needed, 1 << 20)];
        int have = 0;
        while (have < needed)
        {
            if (have == bytes.Length)
            {
                Array.Resize(ref bytes, (int)Math.Min(needed, 2L * bytes.Length));
            }
            int read = stream.Read(bytes, have, bytes.Length - have);
            if (read == 0)
            {
                throw Truncated(have);
            }
            have += read;
        }
        return bytes;
    }

    private static long ReadLength(Stream stream, string name, int width)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (stream.ReadAtLeast(bytes[..width], width, throwOnEndOfStream: false) < width)
        {
            throw new CheckpointFormatException(name, ".npy file ends inside its preamble (truncated?)");
        }
        return width == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
    }

    private static (TensorDType DType, bool BigEndian) ParseDescr(string descr, string name)
    {
        if (descr.Length == 3 && descr[0] is '<' or '>' or '=' or '|')
        {
            bool big = descr[0] == '>' || (descr[0] is '=' or '|' && !BitConverter.IsLittleEndian);
            switch (descr[1..])
            {
                case "f4": return (TensorDType.Float32, big);
                case "f8": return (TensorDType.Float64, big);
                case "f2": return (TensorDType.Float16, big);
            }
        }
        throw new CheckpointFormatException(name,
            $".npy dtype '{descr}' is not supported: arrays must be float32 (float64 and float16 are converted); " +
            "convert with array.astype(numpy.float32)");
    }

    private static long[] RowMajorStrides(int[] shape)
    {
        var stride = new long[shape.Length];
        long s = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            stride[d] = s;
            s *= shape[d];
        }
        return stride;
    }

    private static long[] ColumnMajorStrides(int[] shape)
    {
        var stride = new long[shape.Length];
        long s = 1;
        for (int d = 0; d < shape.Length; d++)
        {
            stride[d] = s;
            s *= shape[d];
        }
        return stride;
    }
}
