namespace Hilo.Ilgpu.Compute;

/// <summary>
/// The extent of a launch: the global number of work-items in up to three dimensions and, optionally, the
/// work-group size. Without a group size the backend chooses one. For kernels that do not use barriers the
/// global size need not be a multiple of the group size (the generated code skips the excess work-items);
/// kernels that use <see cref="Group.Barrier"/> need an explicit group size that divides the global size.
/// </summary>
public readonly record struct LaunchDims
{
    /// <summary>A launch of <paramref name="global"/> work-items with group size <paramref name="group"/> (null: automatic).</summary>
    public LaunchDims(Index3D global, Index3D? group = null)
    {
        if (global.X < 0 || global.Y < 0 || global.Z < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(global), $"Global size {global} has a negative extent.");
        }
        if (group is { } g && (g.X <= 0 || g.Y <= 0 || g.Z <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(group), $"Group size {g} must be positive in every dimension.");
        }
        Global = global;
        Group = group;
    }

    /// <summary>A 1D launch of <paramref name="global"/> work-items with an automatic group size.</summary>
    public LaunchDims(int global) : this(new Index3D(global)) { }

    /// <summary>Global size.</summary>
    public Index3D Global { get; }

    /// <summary>Group size, or null to let the backend choose.</summary>
    public Index3D? Group { get; }

    /// <summary>True when the launch has no work-items (it is then a no-op).</summary>
    public bool IsEmpty => Global.X == 0 || Global.Y == 0 || Global.Z == 0;

    /// <summary>1D launch with an explicit group size.</summary>
    public static LaunchDims Create1D(int global, int group) => new(new Index3D(global), new Index3D(group));

    /// <summary>2D launch; <paramref name="groupX"/>/<paramref name="groupY"/> 0 means automatic.</summary>
    public static LaunchDims Create2D(int globalX, int globalY, int groupX = 0, int groupY = 0) =>
        new(new Index3D(globalX, globalY), groupX == 0 ? null : new Index3D(groupX, groupY));

    /// <summary>Launch of whole groups: <paramref name="groups"/> groups of <paramref name="groupSize"/> work-items.</summary>
    public static LaunchDims FromGroups(Index3D groups, Index3D groupSize) =>
        new(new Index3D(checked(groups.X * groupSize.X), checked(groups.Y * groupSize.Y), checked(groups.Z * groupSize.Z)), groupSize);
}
