using Hilo.Ilgpu.Kernels.Layers.Conv;

namespace Hilo.Ilgpu.Tests.Layers;

/// <summary>
/// The gather (im2col) kernels on their own: gathered rows times the reordered weight, multiplied on the host in
/// float64, must give the float64 reference convolution. This pins the column order independently of the GEMM.
/// </summary>
public abstract partial class ConvLayerSuite
{
    [Theory]
    [InlineData(1, 4, 4, 3, 5, 2)]
    [InlineData(2, 7, 9, 4, 3, 2)]
    [InlineData(2, 9, 5, 3, 6, 4)]
    [InlineData(1, 5, 5, 2, 3, 5)]
    [InlineData(1, 3, 3, 2, 2, 1)]
    public void TokenPatchGatherMatchesConvReference(int batch, int height, int width, int cin, int cout, int k)
    {
        TokenPatchGather(batch, height, width, cin, cout, k);
    }

    private void TokenPatchGather(int batch, int height, int width, int cin, int cout, int k)
    {
        var rng = new Random(batch + height * 7 + width * 31 + cin * 101 + k * 1009);
        var input = ConvAssert.Normal(rng, batch * height * width * cin);
        var weight = ConvAssert.Normal(rng, cout * cin * k * k, 0.3);
        var bias = ConvAssert.Normal(rng, cout, 0.1);
        int rows = batch * (height / k) * (width / k), kdim = k * k * cin;
        using var x = Upload(input, batch, height * width, cin);
        using var gathered = Device.Allocate(rows, kdim);
        PatchKernels.GatherTokens(Device.Kernels, Device.Family, x.View, gathered.View, batch, height, width, cin, k);
        var got = HostLinear(gathered.ToArray(), PatchKernels.ToTapMajor(weight, cout, cin, k), bias, rows, kdim, cout);
        var expected = ConvReference.PatchConv(input, batch, height, width, cin, weight, bias, cout, k);
        ConvAssert.Close(expected, [.. got.Select(v => (float)v)], "token patch gather", 1e-5);
    }

    [Theory]
    [InlineData(1, 3, 8, 8, 4, 4)]
    [InlineData(2, 3, 30, 42, 5, 4)]
    [InlineData(1, 2, 5, 3, 3, 4)]
    [InlineData(1, 3, 7, 6, 2, 3)]
    public void ImagePatchGatherMatchesConvReference(int batch, int cin, int height, int width, int cout, int k)
    {
        var rng = new Random(batch + height * 7 + width * 31 + cin * 101 + k * 1009);
        var image = ConvAssert.Normal(rng, batch * cin * height * width);
        var weight = ConvAssert.Normal(rng, cout * cin * k * k, 0.3);
        var bias = ConvAssert.Normal(rng, cout, 0.1);
        int rows = batch * ((height + k - 1) / k) * ((width + k - 1) / k), kdim = k * k * cin;
        using var x = Upload(image, batch, cin, height, width);
        using var gathered = Device.Allocate(rows, kdim);
        PatchKernels.GatherImage(Device.Kernels, Device.Family, x.View, gathered.View, batch, cin, height, width, k);
        var got = HostLinear(gathered.ToArray(), PatchKernels.ToTapMajor(weight, cout, cin, k), bias, rows, kdim, cout);
        var expected = ConvReference.ImagePatchConv(image, batch, cin, height, width, weight, bias, cout, k);
        ConvAssert.Close(expected, [.. got.Select(v => (float)v)], "image patch gather", 1e-5);
    }

    [Theory]
    [InlineData(1, 4, 4, 3, 2, 2, 0.0)]
    [InlineData(2, 7, 9, 4, 5, 2, 2.0)]
    [InlineData(1, 8, 6, 3, 3, 2, 6.0)]
    [InlineData(1, 9, 7, 2, 3, 3, 3.0)]
    [InlineData(1, 8, 6, 37, 3, 2, 2.0)]    // ILGPU: 32 lanes stride over C = 37 (a second pass with 5 lanes busy)
    [InlineData(2, 6, 10, 100, 2, 2, 3.0)]  // ILGPU: 4 items a group, 60 items (a partial last group)
    public void DeformGatherMatchesConvReference(int batch, int height, int width, int cin, int cout, int k, double offsetSigma)
    {
        DeformGather(batch, height, width, cin, cout, k, offsetSigma);
    }

    private void DeformGather(int batch, int height, int width, int cin, int cout, int k, double offsetSigma)
    {
        var rng = new Random(batch + height * 7 + width * 31 + cin * 101 + k * 1009 + (int)offsetSigma);
        var input = ConvAssert.Normal(rng, batch * height * width * cin);
        var weight = ConvAssert.Normal(rng, cout * cin * k * k, 0.3);
        var bias = ConvAssert.Normal(rng, cout, 0.1);
        int rows = batch * (height / k) * (width / k), kdim = k * k * cin;
        var offsets = ConvAssert.Normal(rng, rows * 2 * k * k, offsetSigma);
        using var x = Upload(input, batch, height * width, cin);
        using var off = Upload(offsets, rows, 2 * k * k);
        using var cols = Device.Allocate(rows, kdim);
        DeformKernels.Gather(Device.Kernels, Device.Family, x.View, off.View, cols.View, batch, height, width, cin, k);
        var got = HostLinear(cols.ToArray(), PatchKernels.ToTapMajor(weight, cout, cin, k), bias, rows, kdim, cout);
        var expected = ConvReference.DeformConv(input, offsets, batch, height, width, cin, weight, bias, cout, k);
        ConvAssert.Close(expected, [.. got.Select(v => (float)v)], "deformable gather", 2e-5);
    }

    /// <summary>rows [M, K] · weightᵀ ([N, K]) + bias, in float64 on the host.</summary>
    private static double[] HostLinear(float[] rows, float[] weight, float[] bias, int m, int k, int n)
    {
        var y = new double[m * n];
        for (int r = 0; r < m; r++)
        {
            for (int o = 0; o < n; o++)
            {
                double sum = bias[o];
                for (int q = 0; q < k; q++)
                {
                    sum += (double)rows[r * k + q] * weight[o * k + q];
                }
                y[r * n + o] = sum;
            }
        }
        return y;
    }
}
