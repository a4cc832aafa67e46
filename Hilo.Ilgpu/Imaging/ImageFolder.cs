using System.Globalization;

namespace Hilo.Ilgpu.Imaging;

/// <summary>An image file and its true class index.</summary>
public readonly record struct LabeledImage(string Path, int Label);

/// <summary>How an <see cref="ImageFolder"/>'s classes were named.</summary>
public enum ImageFolderNaming
{
    /// <summary>Class folders named by ImageNet-1k WordNet id (<c>n01440764</c>), mapped by <see cref="ImageNetSynsets"/>.</summary>
    Synsets,

    /// <summary>Class folders named by class index (<c>0</c> … <c>999</c>).</summary>
    Indices,

    /// <summary>A labels CSV of <c>path,label</c> rows.</summary>
    LabelsCsv,
}

/// <summary>
/// A labelled image dataset laid out as torchvision's and timm's <c>ImageFolder</c>: one sub-folder of the root per
/// class, named by ImageNet-1k WordNet id (<c>n01440764</c>, class index from <see cref="ImageNetSynsets"/>) or by class
/// index (<c>0</c>, <c>1</c>, …), holding that class's images (<see cref="ImageFile.Extensions"/>, sub-folders searched);
/// or any files listed in a labels CSV (<see cref="FromLabelsCsv"/>). The images come in a fixed order on every machine:
/// by class index, then by path within the class (ordinal), so that shards and resumed runs see the same list.
/// </summary>
public sealed class ImageFolder
{
    private ImageFolder(string root, ImageFolderNaming naming, IReadOnlyList<LabeledImage> images)
    {
        Root = root;
        Naming = naming;
        Images = images;
    }

    /// <summary>The folder (or, for a labels CSV, the folder its relative paths start from).</summary>
    public string Root { get; }

    /// <summary>How the classes were named.</summary>
    public ImageFolderNaming Naming { get; }

    /// <summary>The images and their classes, in the dataset's order.</summary>
    public IReadOnlyList<LabeledImage> Images { get; }

    /// <summary>
    /// Reads the class folders of <paramref name="root"/> for a model of <paramref name="classes"/> classes.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    /// <exception cref="ArgumentException">
    /// Image files directly in the root (they have no class), a folder name that is neither a synset nor a class index
    /// (or a mix of both), a synset that is not an ImageNet-1k class or used with a model of other than 1000 classes, an
    /// index ≥ <paramref name="classes"/>, two folders of one class, or no image at all; the message names the folder.
    /// </exception>
    public static ImageFolder Open(string root, int classes)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException(File.Exists(root)
                ? $"{root} is a file: give the dataset's folder (one sub-folder per class), or use --labels-csv"
                : $"dataset folder not found: {root}");
        }
        var loose = Directory.EnumerateFiles(root).Where(IsImage).Order(StringComparer.Ordinal).FirstOrDefault();
        if (loose is not null)
        {
            throw new ArgumentException($"{loose}: an image directly in the dataset folder {root} has no class; put images in one sub-folder per class (named by synset such as n01440764, or by class index), or list them in --labels-csv");
        }
        var folders = Directory.EnumerateDirectories(root).Select(d => System.IO.Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
        if (folders.Count == 0)
        {
            throw new ArgumentException($"dataset folder {root} has no class sub-folders (one per class, named by synset such as n01440764, or by class index)");
        }
        bool synsets = folders.Any(ImageNetSynsets.LooksLikeSynset);
        var labelled = new List<(int Label, string Folder)>();
        foreach (string folder in folders)
        {
            labelled.Add((synsets ? SynsetLabel(root, folder, classes) : IndexLabel(root, folder, classes), folder));
        }
        var images = new List<LabeledImage>();
        foreach (var group in labelled.GroupBy(l => l.Label).OrderBy(g => g.Key))
        {
            if (group.Count() > 1)
            {
                throw new ArgumentException($"dataset folder {root}: sub-folders {string.Join(" and ", group.Select(g => g.Folder))} are both class {group.Key}");
            }
            string dir = System.IO.Path.Combine(root, group.First().Folder);
            images.AddRange(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(IsImage)
                .Order(StringComparer.Ordinal).Select(p => new LabeledImage(p, group.Key)));
        }
        if (images.Count == 0)
        {
            throw new ArgumentException($"dataset folder {root}: its {folders.Count} class folder(s) hold no image files ({string.Join(", ", ImageFile.Extensions)})");
        }
        return new ImageFolder(root, synsets ? ImageFolderNaming.Synsets : ImageFolderNaming.Indices, images);
    }

    /// <summary>
    /// Reads a labels CSV: one <c>path,label</c> row per image (an optional first row <c>path,label</c> is a header; a
    /// path may be quoted as RFC 4180 writes it), the label a class index or an ImageNet-1k synset, a relative path
    /// taken from <paramref name="root"/>. The images come sorted by path (ordinal), whatever the rows' order.
    /// </summary>
    /// <exception cref="ArgumentException">A malformed row, an unknown label, a path listed twice, or no rows; the message names the file and line.</exception>
    /// <exception cref="IOException">The CSV cannot be read.</exception>
    public static ImageFolder FromLabelsCsv(string csv, string root, int classes)
    {
        ArgumentException.ThrowIfNullOrEmpty(csv);
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (!File.Exists(csv))
        {
            throw new FileNotFoundException($"labels CSV not found: {csv}", csv);
        }
        var images = new List<LabeledImage>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int number = 0;
        foreach (string line in File.ReadLines(csv))
        {
            number++;
            if (line.Trim().Length == 0 || (number == 1 && line.Trim().Equals("path,label", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            var (path, label) = SplitRow(line) ?? throw new ArgumentException($"{csv} line {number}: expected path,label, got '{line}'");
            int index = ParseLabel(label, classes) ?? throw new ArgumentException(
                $"{csv} line {number}: label '{label}' is neither a class index 0…{classes - 1} nor {(classes == 1000 ? "an ImageNet-1k synset" : "a class of this model")}");
            string full = System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.Combine(root, path);
            if (!seen.Add(full))
            {
                throw new ArgumentException($"{csv} line {number}: {path} is listed twice");
            }
            images.Add(new LabeledImage(full, index));
        }
        if (images.Count == 0)
        {
            throw new ArgumentException($"{csv}: no path,label rows");
        }
        return new ImageFolder(root, ImageFolderNaming.LabelsCsv, [.. images.OrderBy(i => i.Path, StringComparer.Ordinal)]);
    }

    private static int SynsetLabel(string root, string folder, int classes)
    {
        if (!ImageNetSynsets.LooksLikeSynset(folder))
        {
            throw new ArgumentException($"dataset folder {root}: sub-folder '{folder}' is not a synset id like its sibling(s) (n01440764); name every class folder by synset, or every one by class index");
        }
        int index = ImageNetSynsets.IndexOf(folder);
        if (index < 0)
        {
            throw new ArgumentException($"dataset folder {root}: sub-folder {folder} is not one of the 1000 ImageNet-1k synsets");
        }
        if (classes != ImageNetSynsets.Ids.Count)
        {
            throw new ArgumentException($"dataset folder {root}: synset folders ({folder}) name ImageNet-1k classes, but the model has {classes} classes; name the folders by class index");
        }
        return index;
    }

    private static int IndexLabel(string root, string folder, int classes)
    {
        if (!int.TryParse(folder, NumberStyles.None, CultureInfo.InvariantCulture, out int index) || (folder.Length > 1 && folder[0] == '0'))
        {
            throw new ArgumentException($"dataset folder {root}: sub-folder '{folder}' is neither a class index (0, 1, … without leading zeros) nor an ImageNet synset id (n01440764)");
        }
        if (index >= classes)
        {
            throw new ArgumentException($"dataset folder {root}: sub-folder {folder} is class {index}, but the model has {classes} classes (0…{classes - 1})");
        }
        return index;
    }

    private static int? ParseLabel(string label, int classes)
    {
        if (int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return index < classes ? index : null;
        }
        int synset = classes == ImageNetSynsets.Ids.Count ? ImageNetSynsets.IndexOf(label) : -1;
        return synset >= 0 ? synset : null;
    }

    // "path,label" or "\"pa,th\",label": the label is the last cell; a quoted path has its doubled quotes undone.
    private static (string Path, string Label)? SplitRow(string line)
    {
        int comma = line.LastIndexOf(',');
        if (comma <= 0)
        {
            return null;
        }
        string path = line[..comma].Trim(), label = line[(comma + 1)..].Trim();
        if (path.Length >= 2 && path[0] == '"' && path[^1] == '"')
        {
            path = path[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
        }
        return path.Length == 0 || label.Length == 0 ? null : (path, label);
    }

    private static bool IsImage(string file) =>
        ImageFile.Extensions.Contains(System.IO.Path.GetExtension(file).ToLowerInvariant(), StringComparer.Ordinal);
}
