using Hilo.Ilgpu.Kernels.Layers.Image;

namespace Hilo.Ilgpu.Imaging;

/// <summary>
/// Runs a <see cref="Preprocess"/> on the device: decoded RGB images in, a B × 3 × S × S NCHW float tensor out, equal
/// to torchvision's evaluation transform of the same images (Pillow's fixed-point bicubic resize, the crop, ÷255,
/// mean/std). Per image: the filter tables are computed on the host in double precision and rounded to Pillow's
/// fixed point, only the source pixels the crop needs are uploaded, a horizontal pass resizes the rows the crop
/// needs to the crop's columns, and a vertical pass makes the crop's rows; one normalisation launch ends the batch.
/// </summary>
public sealed class ImagePreprocessor
{
    private readonly ComputeDevice device;

    /// <summary>A preprocessor running <paramref name="preprocess"/> on <paramref name="device"/>.</summary>
    public ImagePreprocessor(ComputeDevice device, Preprocess preprocess)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(preprocess);
        if (preprocess.Mean.Count != 3 || preprocess.Std.Count != 3 || preprocess.Std.Any(s => !(s > 0f) || float.IsInfinity(s)))
        {
            throw new ArgumentException($"Preprocess {preprocess}: mean and std need 3 values each, std positive and finite.", nameof(preprocess));
        }
        this.device = device;
        Preprocess = preprocess;
    }

    /// <summary>The transform run.</summary>
    public Preprocess Preprocess { get; }

    /// <summary>Preprocesses <paramref name="images"/> into a new B × 3 × S × S tensor (S = the crop size) on the device.</summary>
    public Tensor Run(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            throw new ArgumentException("Preprocessing needs at least one image.", nameof(images));
        }
        using var batch = Begin(images.Count);
        for (int b = 0; b < images.Count; b++)
        {
            batch.Add(images[b] ?? throw new ArgumentException($"Image {b} of the batch is null.", nameof(images)));
        }
        return batch.Finish();
    }

    /// <summary>
    /// Starts a batch of up to <paramref name="capacity"/> images that are added one at a time
    /// (<see cref="ImageBatch.Add"/>): each image is resized on the device as it is added, so its decoded pixels can be
    /// dropped before the next image is decoded, and host memory holds one decoded image, not a batch of them.
    /// </summary>
    public ImageBatch Begin(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        int side = Preprocess.CropSize;
        return new ImageBatch(this, device.Allocate(capacity, side * side), capacity);
    }

    // Normalises the first `count` resized images of `packed` into a new count × 3 × S × S tensor.
    internal Tensor Normalize(Tensor packed, int count)
    {
        int side = Preprocess.CropSize;
        int pixels = side * side;
        var output = device.Allocate(count, 3, side, side);
        try
        {
            float[] mean = [.. Preprocess.Mean], std = [.. Preprocess.Std];
            ResampleKernels.NormalizeImages(device.Kernels, device.Family, packed.View.SubView(0, (long)count * pixels), output.View, pixels, count, mean, std);
        }
        catch
        {
            output.Dispose();
            throw;
        }
        return output;
    }

    // Source rows packed and uploaded per strip: a strip of at most this many pixels is the only float copy of the
    // source (host and device), so a 40-megapixel image costs two 4 MiB strips, not two 160 MB copies of its window.
    internal const int StripPixels = 1 << 20;

    // Resizes the pixels of one image that the crop keeps into `target` (S × S packed pixels). The horizontal pass runs
    // strip by strip over the source rows the crop needs; its output (those rows × the crop's columns) is small.
    internal void ResizeInto(RgbImage image, ILGPU.ArrayView<float> target)
    {
        var plan = Preprocess.Plan(image.Width, image.Height);
        var columns = ResampleTable.Bicubic(image.Width, plan.ResizedWidth, plan.Left, plan.CropWidth);
        var rows = ResampleTable.Bicubic(image.Height, plan.ResizedHeight, plan.Top, plan.CropHeight);
        int x0 = columns.SourceBegin, x1 = columns.SourceEnd, y0 = rows.SourceBegin, y1 = rows.SourceEnd;
        int width = x1 - x0, height = y1 - y0;
        int stripRows = Math.Clamp(StripPixels / width, 1, height);
        var strip = new float[stripRows * width];
        using var source = device.Allocate(stripRows, width);
        using var columnTable = device.Upload(columns.Pack(x0), columns.Count, columns.KernelSize + 2);
        using var rowTable = device.Upload(rows.Pack(y0), rows.Count, rows.KernelSize + 2);
        using var temp = device.Allocate(height, plan.CropWidth);
        for (int y = 0; y < height; y += stripRows)
        {
            int count = Math.Min(stripRows, height - y);
            PackWindow(image, x0, y0 + y, width, count, strip);
            var part = source.View.SubView(0, (long)count * width);
            device.Kernels.CopyFromHost(strip.AsSpan(0, count * width), part);
            ResampleKernels.Rows(device.Kernels, device.Family, part, columnTable.View, temp.View.SubView((long)y * plan.CropWidth, (long)count * plan.CropWidth), width, plan.CropWidth, count, columns.KernelSize + 2);
            if (y + count < height)
            {
                // The strip's host array and device buffer are refilled next: the pass reading them must be done.
                device.Synchronize();
            }
        }
        ResampleKernels.Columns(device.Kernels, device.Family, temp.View, rowTable.View, target, plan.CropWidth, height, plan.CropHeight, rows.KernelSize + 2);
    }

    // The source pixels inside [x0, x0 + width) × [y0, y0 + height), one packed float each, into `packed`.
    private static void PackWindow(RgbImage image, int x0, int y0, int width, int height, float[] packed)
    {
        byte[] rgb = image.Pixels;
        for (int y = 0; y < height; y++)
        {
            int from = ((y0 + y) * image.Width + x0) * 3;
            for (int x = 0; x < width; x++, from += 3)
            {
                packed[y * width + x] = ResampleKernels.Pack(rgb[from], rgb[from + 1], rgb[from + 2]);
            }
        }
    }
}
