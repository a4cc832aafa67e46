namespace Hilo.Ilgpu.Layers;

/// <summary>
/// Device tensors a layer reuses from one forward to the next (intermediates, scratch), by name: a call with the
/// shape of the previous call returns the same tensor, another shape replaces it. All work is queued on the one
/// in-order stream of the device, so a buffer is never overwritten while a kernel of an earlier call still reads it.
/// </summary>
internal sealed class WorkBuffers(ComputeDevice device) : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors = new(StringComparer.Ordinal);

    /// <summary>The buffer called <paramref name="name"/> with exactly this shape (contents undefined).</summary>
    public Tensor Get(string name, params int[] shape)
    {
        if (tensors.TryGetValue(name, out var t))
        {
            if (t.Shape.SequenceEqual(shape))
            {
                return t;
            }
            tensors.Remove(name);
            t.Dispose();
        }
        t = device.Allocate(shape);
        tensors[name] = t;
        return t;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in tensors.Values)
        {
            t.Dispose();
        }
        tensors.Clear();
    }
}
