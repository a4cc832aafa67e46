using Hilo.Ilgpu.Imaging;

namespace Hilo.Ilgpu.Tests.Imaging;

/// <summary>Command-line arguments to files: files, directories (by extension, sorted, not recursive) and globs.</summary>
public sealed class ImageSourceTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("hilo-source-").FullName;

    public ImageSourceTests()
    {
        foreach (string name in new[] { "b.png", "a.JPG", "c.txt", "B2.webp", "img10.gif", "img2.gif" })
        {
            File.WriteAllBytes(Path.Combine(dir, name), [1]);
        }
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllBytes(Path.Combine(dir, "sub", "d.png"), [1]);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string P(string name) => Path.Combine(dir, name);

    [Fact]
    public void ADirectoryGivesItsImageFilesSortedOrdinallyWithoutRecursion()
    {
        Assert.Equal([P("B2.webp"), P("a.JPG"), P("b.png"), P("img10.gif"), P("img2.gif")], ImageSource.Expand([dir]));
        Assert.Equal([Path.Combine(dir, "sub", "d.png")], ImageSource.Expand([Path.Combine(dir, "sub")]));
    }

    [Fact]
    public void FilesAndGlobsKeepTheArgumentOrder()
    {
        var files = ImageSource.Expand([P("c.txt"), P("img*.gif"), P("?.png")]);
        Assert.Equal([P("c.txt"), P("img10.gif"), P("img2.gif"), P("b.png")], files);
    }

    [Fact]
    public void AnArgumentMatchingNothingIsNamed()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => ImageSource.Expand([P("nope.png")]));
        Assert.Contains(P("nope.png"), missing.Message, StringComparison.Ordinal);
        var glob = Assert.Throws<FileNotFoundException>(() => ImageSource.Expand([P("*.bmp")]));
        Assert.Contains("*.bmp matches no file", glob.Message, StringComparison.Ordinal);
        Directory.CreateDirectory(P("none"));
        Assert.Contains("holds no image files", Assert.Throws<FileNotFoundException>(() => ImageSource.Expand([P("none")])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ImageSource.Expand([Path.Combine(dir, "s*", "d.png")]));
        Assert.Throws<ArgumentException>(() => ImageSource.Expand([""]));
    }
}
