using System.Text;

namespace Hilo.Ilgpu.Imaging;

/// <summary>
/// The 1000 ImageNet-1k WordNet ids (<c>n01440764</c> … <c>n15075141</c>) in class-index order — the order torchvision
/// and timm (and so the official LITv2 checkpoints) number the classes: the sorted order of the train folders. Shipped
/// as a resource written by <c>tools/make_imagenet_synsets.py</c>.
/// </summary>
public static class ImageNetSynsets
{
    private static readonly Lazy<(IReadOnlyList<string> Ids, Dictionary<string, int> Index)> Table = new(Load);

    /// <summary>The ids, by class index.</summary>
    public static IReadOnlyList<string> Ids => Table.Value.Ids;

    /// <summary>The class index of <paramref name="synset"/>, or −1 when it is not one of ImageNet-1k's classes.</summary>
    public static int IndexOf(string synset)
    {
        ArgumentNullException.ThrowIfNull(synset);
        return Table.Value.Index.TryGetValue(synset, out int index) ? index : -1;
    }

    /// <summary>Whether <paramref name="name"/> has the form of a WordNet noun id: <c>n</c> and eight digits.</summary>
    public static bool LooksLikeSynset(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Length == 9 && name[0] == 'n' && name.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0;
    }

    private static (IReadOnlyList<string>, Dictionary<string, int>) Load()
    {
        using var stream = typeof(ImageNetSynsets).Assembly.GetManifestResourceStream("Hilo.Ilgpu.imagenet1k_synsets.txt")
            ?? throw new InvalidOperationException("The ImageNet synsets resource is missing from Hilo.Ilgpu.");
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var ids = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (ids, ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal));
    }
}
