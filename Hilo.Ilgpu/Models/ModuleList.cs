using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Models;

/// <summary>
/// An ordered list of child modules registered under their indices (<c>0</c>, <c>1</c>, …), like PyTorch's
/// <c>nn.ModuleList</c>, so keys read <c>layers.2.blocks.0.attn.l_q.weight</c>. No parameters of its own.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class ModuleList<T> : Module where T : Module
{
    private readonly List<T> items = [];

    /// <summary>Creates an empty list on <paramref name="device"/>.</summary>
    public ModuleList(ComputeDevice device) : base(device)
    {
    }

    /// <summary>Number of items.</summary>
    public int Count => items.Count;

    /// <summary>The item at <paramref name="index"/>.</summary>
    public T this[int index] => items[index];

    /// <summary>The items in order.</summary>
    public IReadOnlyList<T> Items => items;

    /// <summary>Appends <paramref name="item"/> under the next index and returns it.</summary>
    public T Add(T item)
    {
        items.Add(AddChild(items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), item));
        return item;
    }

    /// <inheritdoc />
    protected override void PrepareCore()
    {
    }
}
