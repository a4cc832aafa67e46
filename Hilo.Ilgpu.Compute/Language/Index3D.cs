namespace Hilo.Ilgpu.Compute;

/// <summary>A three-component integer index or extent (X fastest-varying). Unused dimensions are 0 for indices and 1 for sizes.</summary>
/// <param name="X">First (fastest) dimension.</param>
/// <param name="Y">Second dimension.</param>
/// <param name="Z">Third (slowest) dimension.</param>
public readonly record struct Index3D(int X, int Y, int Z)
{
    /// <summary>A one-dimensional extent (<c>Y = Z = 1</c>).</summary>
    public Index3D(int x) : this(x, 1, 1) { }

    /// <summary>A two-dimensional extent (<c>Z = 1</c>).</summary>
    public Index3D(int x, int y) : this(x, y, 1) { }

    /// <summary>Number of elements covered by the extent, as a 64-bit value.</summary>
    public long Size => (long)X * Y * Z;

    /// <inheritdoc />
    public override string ToString() => $"({X}, {Y}, {Z})";
}
