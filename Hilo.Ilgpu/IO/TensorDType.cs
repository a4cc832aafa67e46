namespace Hilo.Ilgpu.IO;

/// <summary>
/// The element type a tensor had in the file it was read from. <see cref="HostTensor"/> always holds
/// float32; this records what was converted, so callers can tell a float16 checkpoint or an integer
/// buffer (e.g. BatchNorm's <c>num_batches_tracked</c>) from a genuine float32 weight.
/// </summary>
public enum TensorDType
{
    /// <summary>IEEE float32 (stored as is).</summary>
    Float32,

    /// <summary>IEEE float16 (converted exactly).</summary>
    Float16,

    /// <summary>bfloat16 (converted exactly).</summary>
    BFloat16,

    /// <summary>IEEE float64 (rounded to nearest float32).</summary>
    Float64,

    /// <summary>Signed 64-bit integer (magnitudes above 2^24 lose precision in float32).</summary>
    Int64,

    /// <summary>Signed 32-bit integer (magnitudes above 2^24 lose precision in float32).</summary>
    Int32,

    /// <summary>Signed 16-bit integer (exact).</summary>
    Int16,

    /// <summary>Signed 8-bit integer (exact).</summary>
    Int8,

    /// <summary>Unsigned 8-bit integer (exact).</summary>
    UInt8,

    /// <summary>Boolean, read as 0 or 1.</summary>
    Bool,
}

/// <summary>Facts about <see cref="TensorDType"/> values.</summary>
public static class TensorDTypeInfo
{
    /// <summary>Bytes per element in the file for <paramref name="dtype"/>.</summary>
    public static int SizeOf(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 or TensorDType.Int32 => 4,
        TensorDType.Float16 or TensorDType.BFloat16 or TensorDType.Int16 => 2,
        TensorDType.Float64 or TensorDType.Int64 => 8,
        TensorDType.Int8 or TensorDType.UInt8 or TensorDType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>True for the floating-point dtypes (the ones that can hold NaN or infinity).</summary>
    public static bool IsFloatingPoint(TensorDType dtype) =>
        dtype is TensorDType.Float32 or TensorDType.Float16 or TensorDType.BFloat16 or TensorDType.Float64;
}
