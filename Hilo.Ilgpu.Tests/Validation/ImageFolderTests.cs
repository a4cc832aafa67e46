using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Tests.Imaging;

namespace Hilo.Ilgpu.Tests.Validation;

/// <summary>
/// <see cref="ImageFolder"/>: synset and class-index folders map to the right class indices, the order is by class
/// then ordinal path, a labels CSV is read as written, and every malformed layout is refused by name.
/// </summary>
public sealed class ImageFolderTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("hilo-folder-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Put(string relative)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(Path.Combine(ImageFixtureCase.Folder, "tiny_40x30.png"), path);
        return path;
    }

    [Fact]
    public void TheSynsetListIsImageNetInClassOrder()
    {
        var ids = ImageNetSynsets.Ids;
        Assert.Equal(1000, ids.Count);
        Assert.Equal(1000, ids.Distinct().Count());
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids); // torchvision numbers the sorted train folders
        // Known pairs (WordNet): tench, goldfish, great white shark, …, toilet tissue; and their names line up.
        Assert.Equal(0, ImageNetSynsets.IndexOf("n01440764"));
        Assert.Equal(1, ImageNetSynsets.IndexOf("n01443537"));
        Assert.Equal(2, ImageNetSynsets.IndexOf("n01484850"));
        Assert.Equal(999, ImageNetSynsets.IndexOf("n15075141"));
        Assert.Equal("goldfish", ClassLabels.ImageNet[ImageNetSynsets.IndexOf("n01443537")]);
        Assert.Equal("toilet tissue", ClassLabels.ImageNet[ImageNetSynsets.IndexOf("n15075141")]);
        Assert.Equal(-1, ImageNetSynsets.IndexOf("n00000000"));
    }

    [Fact]
    public void SynsetFoldersGiveImageNetIndicesInClassThenPathOrder()
    {
        string b = Put("n15075141/b.png"), a = Put("n15075141/a.png");
        string deep = Put("n01443537/sub/z.png"), top = Put("n01443537/B.png");
        File.WriteAllText(Path.Combine(root, "n01443537", "notes.txt"), "not an image");
        var folder = ImageFolder.Open(root, 1000);
        Assert.Equal(ImageFolderNaming.Synsets, folder.Naming);
        Assert.Equal([new LabeledImage(top, 1), new LabeledImage(deep, 1), new LabeledImage(a, 999), new LabeledImage(b, 999)], folder.Images);
    }

    [Fact]
    public void IndexFoldersSortByClassNotByName()
    {
        string ten = Put("10/x.png"), two = Put("2/y.png"), zero = Put("0/z.png");
        var folder = ImageFolder.Open(root, 11);
        Assert.Equal(ImageFolderNaming.Indices, folder.Naming);
        Assert.Equal([new LabeledImage(zero, 0), new LabeledImage(two, 2), new LabeledImage(ten, 10)], folder.Images);
    }

    [Theory]
    [InlineData("loose", 10, "has no class")]
    [InlineData("mixed", 1000, "'cats' is not a synset id")]
    [InlineData("unknown-synset", 1000, "n00000001 is not one of the 1000 ImageNet-1k synsets")]
    [InlineData("synset-small-model", 10, "but the model has 10 classes")]
    [InlineData("index-too-big", 10, "sub-folder 10 is class 10, but the model has 10 classes")]
    [InlineData("leading-zero", 10, "'01' is neither a class index")]
    [InlineData("name", 10, "'cats' is neither a class index")]
    [InlineData("empty", 10, "hold no image files")]
    [InlineData("none", 10, "has no class sub-folders")]
    public void MalformedLayoutsAreRefusedByName(string layout, int classes, string message)
    {
        switch (layout)
        {
            case "loose": Put("0/a.png"); Put("stray.png"); break;
            case "mixed": Put("n01440764/a.png"); Put("cats/a.png"); break;
            case "unknown-synset": Put("n00000001/a.png"); break;
            case "synset-small-model": Put("n01440764/a.png"); break;
            case "index-too-big": Put("10/a.png"); break;
            case "leading-zero": Put("01/a.png"); break;
            case "name": Put("cats/a.png"); break;
            case "empty": Directory.CreateDirectory(Path.Combine(root, "3")); break;
            default: break;
        }
        var e = Assert.ThrowsAny<ArgumentException>(() => ImageFolder.Open(root, classes));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFolderIsNamed()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Open(Path.Combine(root, "nope"), 10));
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALabelsCsvIsSortedByPathAndTakesIndicesAndSynsets()
    {
        string csv = Path.Combine(root, "labels.csv");
        File.WriteAllLines(csv, ["path,label", "val/b.png,n01443537", "\"val/a,1.png\",7", "", "/abs/c.png,999"]);
        var folder = ImageFolder.FromLabelsCsv(csv, root, 1000);
        Assert.Equal(ImageFolderNaming.LabelsCsv, folder.Naming);
        Assert.Equal([new LabeledImage("/abs/c.png", 999), new LabeledImage(Path.Combine(root, "val/a,1.png"), 7), new LabeledImage(Path.Combine(root, "val/b.png"), 1)], folder.Images);
    }

    [Theory]
    [InlineData("a.png", "line 1: expected path,label")]
    [InlineData("a.png,10", "line 1: label '10' is neither a class index 0…9")]
    [InlineData("a.png,n01440764", "label 'n01440764' is neither")]
    [InlineData("a.png,1\na.png,2", "line 2: a.png is listed twice")]
    [InlineData("path,label\n", "no path,label rows")]
    public void BadLabelsCsvRowsAreNamedByLine(string text, string message)
    {
        string csv = Path.Combine(root, "labels.csv");
        File.WriteAllText(csv, text);
        var e = Assert.ThrowsAny<ArgumentException>(() => ImageFolder.FromLabelsCsv(csv, root, 10));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains(csv, e.Message, StringComparison.Ordinal);
    }
}
