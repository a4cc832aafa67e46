using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Hilo.Ilgpu.IO;

/// <summary>Converts stored elements of any supported dtype and byte order to float32.</summary>
internal static class ElementDecoder
{
    /// <summary>Converts <c>dst.Length</c> consecutive elements from <paramref name="src"/>.</summary>
    public static void Convert(ReadOnlySpan<byte> src, TensorDType dtype, bool bigEndian, Span<float> dst)
    {
        int size = TensorDTypeInfo.SizeOf(dtype);
        if (src.Length < (long)dst.Length * size)
        {
            throw new ArgumentException("source too short", nameof(src));
        }
        if (dtype == TensorDType.Float32 && bigEndian == !BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(src[..(dst.Length * 4)]).CopyTo(dst);
            return;
        }
        for (int i = 0; i < dst.Length; i++)
        {
            dst[i] = Read(src.Slice(i * size, size), dtype, bigEndian);
        }
    }

    /// <summary>Converts one element whose bytes are <paramref name="bytes"/>.</summary>
    public static float Read(ReadOnlySpan<byte> bytes, TensorDType dtype, bool bigEndian) => dtype switch
    {
        TensorDType.Float32 => BitConverter.Int32BitsToSingle(bigEndian
            ? BinaryPrimitives.ReadInt32BigEndian(bytes) : BinaryPrimitives.ReadInt32LittleEndian(bytes)),
        TensorDType.Float64 => (float)BitConverter.Int64BitsToDouble(bigEndian
            ? BinaryPrimitives.ReadInt64BigEndian(bytes) : BinaryPrimitives.ReadInt64LittleEndian(bytes)),
        TensorDType.Float16 => (float)BitConverter.Int16BitsToHalf(bigEndian
            ? BinaryPrimitives.ReadInt16BigEndian(bytes) : BinaryPrimitives.ReadInt16LittleEndian(bytes)),
        TensorDType.BFloat16 => BitConverter.Int32BitsToSingle((bigEndian
            ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes)) << 16),
        TensorDType.Int64 => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(bytes) : BinaryPrimitives.ReadInt64LittleEndian(bytes),
        TensorDType.Int32 => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(bytes) : BinaryPrimitives.ReadInt32LittleEndian(bytes),
        TensorDType.Int16 => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(bytes) : BinaryPrimitives.ReadInt16LittleEndian(bytes),
        TensorDType.Int8 => (sbyte)bytes[0],
        TensorDType.UInt8 => bytes[0],
        TensorDType.Bool => bytes[0] != 0 ? 1f : 0f,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>
    /// Gathers a strided view (element offset, shape, strides in elements) of a storage into a new
    /// row-major array. The caller has checked that every addressed element lies inside the storage.
    /// </summary>
    public static float[] Gather(ReadOnlySpan<byte> storage, TensorDType dtype, bool bigEndian,
        long offset, int[] shape, long[] stride, int count)
    {
        var result = new float[count];
        if (count == 0)
        {
            return result;
        }
        int size = TensorDTypeInfo.SizeOf(dtype);
        if (IsRowMajor(shape, stride))
        {
            Convert(storage.Slice(checked((int)(offset * size)), count * size), dtype, bigEndian, result);
            return result;
        }
        // Odometer over the index space, last dimension fastest; 'position' tracks the storage element.
        var index = new int[shape.Length];
        long position = offset;
        for (int n = 0; n < count; n++)
        {
            result[n] = Read(storage.Slice(checked((int)(position * size)), size), dtype, bigEndian);
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    position += stride[d];
                    break;
                }
                position -= stride[d] * (shape[d] - 1);
                index[d] = 0;
            }
        }
        return result;
    }

    /// <summary>True when the strides are those of a contiguous row-major tensor (size-1 dims ignored).</summary>
    public static bool IsRowMajor(int[] shape, long[] stride)
    {
        long expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && stride[d] != expected)
            {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }
}
