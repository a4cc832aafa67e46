using Hilo.Ilgpu.Analysis;
using Hilo.Ilgpu.Imaging;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Tests.IO;
using Hilo.Ilgpu.Tests.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Hilo.Ilgpu.Tests.Analysis;

/// <summary>The explanation pictures: valid PNGs of the expected size for the tiny model, bad arguments named; LITv2-S pictures on request.</summary>
public sealed class ExplainPicturesTests(CpuFamilyFixture fixture) : IClassFixture<CpuFamilyFixture>
{
    /// <summary>Set to a folder to also write LITv2-S (random weights) pictures of a fixture photo there, for looking at them.</summary>
    public const string LookVariable = "HILO_EXPLAIN_PICTURES";

    private ComputeDevice Device => fixture.Get();

    private (Litv2Model Model, Tensor Image) Tiny(string size)
    {
        var model = new Litv2Model(Device, Litv2TestData.Tiny);
        model.LoadStateDict(Litv2TestData.State("tiny_bare.pth"));
        var batch = Litv2TestData.Input(size);
        int h = batch.Shape[2], w = batch.Shape[3];
        return (model, Device.Upload(batch.Data.AsSpan(0, 3 * h * w), 1, 3, h, w));
    }

    [Theory]
    [InlineData("32x32", 3)]
    [InlineData("36x50", 3)]
    [InlineData("36x50", 4)]
    public void PicturesAreValidPngsOfTheExpectedSize(string size, int stage)
    {
        var (model, image) = Tiny(size);
        using (model)
        using (image)
        using (var dir = new TempDirectory())
        {
            var maps = HiLoExplainer.Compute(model, image, new ExplainOptions { Stage = stage, Merge = 1 });
            var paths = ExplainPictures.Write(maps, image, Path.Combine(dir.Path, "out"), "tiny");
            Assert.Equal(["tiny.hifi.png", "tiny.lofi.png", "tiny.dtm.png"], paths.Select(Path.GetFileName));
            // 32×32 → ×14 (448), 36×50 → ×9 (324 × 450): each panel at least 224 on a side, 448 on the longer one.
            int scale = size == "32x32" ? 14 : 9;
            int panelW = image.Dim(3) * scale, panelH = image.Dim(2) * scale;
            for (int i = 0; i < paths.Count; i++)
            {
                using var png = Image.Load<Rgb24>(paths[i], out var format);
                Assert.Equal("PNG", format.Name);
                int panels = i == 1 ? 2 : 1;
                Assert.Equal(8 + panels * (panelW + 8), png.Width);
                Assert.True(png.Height > panelH + 40, $"{paths[i]}: {png.Height} rows for a {panelH}-row panel plus title and legend");
            }
            // Nothing but the pictures: no temporary files left behind.
            Assert.Equal(3, Directory.GetFiles(Path.Combine(dir.Path, "out"), "*", SearchOption.AllDirectories).Length);
            if (Environment.GetEnvironmentVariable(LookVariable) is { Length: > 0 } look)
            {
                ExplainPictures.Write(maps, image, look, $"tiny-{size}-stage{stage}");
            }
        }
    }

    [Fact]
    public void ANoteIsALineUnderEveryTitle()
    {
        // classify --explain: each picture names its image, the predicted class and, with --random-weights, says so.
        var (model, image) = Tiny("32x32");
        using (model)
        using (image)
        using (var dir = new TempDirectory())
        {
            var maps = HiLoExplainer.Compute(model, image, new ExplainOptions { Stage = 3, Merge = 1 });
            var plain = ExplainPictures.Write(maps, image, dir.Path, "plain");
            var noted = ExplainPictures.Write(maps, image, dir.Path, "noted", note: "random weights");
            for (int i = 0; i < plain.Count; i++)
            {
                using var a = Image.Load<Rgb24>(plain[i]);
                using var b = Image.Load<Rgb24>(noted[i]);
                Assert.Equal(a.Width, b.Width);
                // The note is a line of its own under the title: the picture grows by it, the bottom rows (legend,
                // colour bar) stay the same, and the rows under the title differ.
                Assert.True(b.Height > a.Height, $"{noted[i]}: {b.Height} rows, {a.Height} without the note");
                Assert.True(Row(a, a.Height - 1).SequenceEqual(Row(b, b.Height - 1)), plain[i]);
                Assert.False(Enumerable.Range(0, 60).All(y => Row(a, y).SequenceEqual(Row(b, y))), $"{noted[i]}: the title strip is unchanged");
            }
        }
    }

    [Fact]
    public void ASharedScaleSpansEveryMapAndColoursByIt()
    {
        var (model, a) = Tiny("32x32");
        var (other, b) = Tiny("36x50");
        using (model)
        using (other)
        using (a)
        using (b)
        using (var dir = new TempDirectory())
        {
            var options = new ExplainOptions { Stage = 3, Merge = 1 };
            var first = HiLoExplainer.Compute(model, a, options);
            var second = HiLoExplainer.Compute(model, b, options);
            var shared = ColourScales.Over([first, second]);
            var hi = first.HiFi!.Received.Concat(second.HiFi!.Received).ToList();
            var query = first.LoFi!.QueryAttention.Concat(second.LoFi!.QueryAttention).ToList();
            var mean = first.LoFi!.MeanAttention.Concat(second.LoFi!.MeanAttention).ToList();
            Assert.Equal((hi.Min(), hi.Max()), shared.HiFi);
            Assert.Equal((query.Min(), query.Max()), shared.LoFiQuery);
            Assert.Equal((mean.Min(), mean.Max()), shared.LoFiMean);

            // One image's own range as a fixed scale draws exactly what no scale draws; a wider one does not.
            var own = ExplainPictures.Write(first, a, dir.Path, "own");
            var same = ExplainPictures.Write(first, a, dir.Path, "same", scales: ColourScales.Over([first]));
            var wider = new ColourScales((0, 2 * hi.Max()), (0, 2 * query.Max()), (0, 2 * mean.Max()));
            var wide = ExplainPictures.Write(first, a, dir.Path, "wide", scales: wider);
            for (int i = 0; i < 2; i++) // the Hi-Fi and Lo-Fi pictures; the DTM has no colour scale
            {
                Assert.Equal(File.ReadAllBytes(own[i]), File.ReadAllBytes(same[i]));
                Assert.NotEqual(File.ReadAllBytes(own[i]), File.ReadAllBytes(wide[i]));
            }
        }
    }

    private static Rgb24[] Row(Image<Rgb24> image, int y)
    {
        var row = new Rgb24[image.Width];
        image.ProcessPixelRows(p => p.GetRowSpan(y).CopyTo(row));
        return row;
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var (model, image) = Tiny("32x32");
        using (model)
        using (image)
        using (var dir = new TempDirectory())
        {
            var maps = HiLoExplainer.Compute(model, image, new ExplainOptions());
            var e = Assert.Throws<ArgumentException>(() => ExplainPictures.Write(maps, new float[3 * 32 * 48], dir.Path, "x"));
            Assert.Contains("not the 32×32 RGB image the maps were computed from", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<ArgumentException>(() => ExplainPictures.Write(maps, image, dir.Path, "sub/x"));
            Assert.Contains("must be a plain file name", e.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>LITv2-S with random weights on a real photo (the maps are noise; the drawing is what to check), when <see cref="LookVariable"/> is set.</summary>
    [Fact]
    public void WritesLitv2SmallPicturesToLookAt()
    {
        string? folder = Environment.GetEnvironmentVariable(LookVariable);
        Assert.SkipWhen(string.IsNullOrEmpty(folder), $"set {LookVariable} to a folder to write LITv2-S pictures of a fixture photo");
        var config = Litv2Config.Preset("litv2-s");
        using var model = new Litv2Model(Device, config);
        model.InitializeRandom(1);
        var preprocess = Preprocess.ForModel(config);
        var photo = ImageFile.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Images", "rgb_317x251.png"));
        using var image = new ImagePreprocessor(Device, preprocess).Run([photo]);
        var maps = HiLoExplainer.Compute(model, image, new ExplainOptions { Query = (3, 10) });
        var written = ExplainPictures.Write(maps, image, folder!, "litv2s-stage3", preprocess).ToList();
        maps = HiLoExplainer.Compute(model, image, new ExplainOptions { Stage = 4, Head = 5, Merge = 1 });
        written.AddRange(ExplainPictures.Write(maps, image, folder!, "litv2s-stage4", preprocess));
        // Three pictures per stage, each a PNG with panels at least as wide as the 224-pixel input.
        Assert.Equal(
            ["litv2s-stage3.hifi.png", "litv2s-stage3.lofi.png", "litv2s-stage3.dtm.png", "litv2s-stage4.hifi.png", "litv2s-stage4.lofi.png", "litv2s-stage4.dtm.png"],
            written.Select(Path.GetFileName));
        Assert.All(written, path =>
        {
            using var png = Image.Load<Rgb24>(path, out var format);
            Assert.Equal("PNG", format.Name);
            Assert.True(png.Width >= 224 + 16 && png.Height >= 224, $"{path}: {png.Width}×{png.Height}");
        });
    }
}
