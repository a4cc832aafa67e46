using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Scheduling;
using Hilo.Samples.CustomKernel;

namespace Hilo.Ilgpu.Tests.Docs;

/// <summary>
/// samples/CustomKernel: a user's ILGPU GEMM registered as a <see cref="Linear"/> variant gives the float64
/// reference's result when pinned, is listed by the kernel catalog, and is one of the tuner's candidates.
/// </summary>
public sealed class CustomKernelSampleTests
{
    public CustomKernelSampleTests() => RowGemm.Register();

    [Theory]
    [InlineData(BackendKind.Cpu)]
    [InlineData(BackendKind.OpenCL)]
    [InlineData(BackendKind.Cuda)]
    public void PinnedCustomVariantMatchesTheReference(BackendKind backend)
    {
        using var device = ComputeDevice.Open(DeviceRequirement.RequireDevice(backend).Id);
        const int Rows = 13, In = 20, Out = 9, Stride = 12;
        using var layer = new Linear(device, In, Out) { Variant = RowGemm.Name };
        layer.InitializeRandom(4);
        var rng = new Random(5);
        float[] x = [.. Enumerable.Range(0, Rows * In).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
        using var input = device.Upload(x, Rows, In);
        float[] start = [.. Enumerable.Range(0, Rows * Stride).Select(i => i * 0.01f)];
        using var output = device.Upload(start, Rows, Stride);
        layer.ForwardInto(input, output.View, Stride, 2, accumulate: true);
        float[] got = output.ToArray();
        float[] w = layer.Weight.Value.Data, b = layer.Bias!.Value.Data;
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Stride; c++)
            {
                double want = start[r * Stride + c];
                if (c >= 2 && c < 2 + Out)
                {
                    int o = c - 2;
                    want += b[o];
                    for (int i = 0; i < In; i++)
                    {
                        want += (double)x[r * In + i] * w[o * In + i];
                    }
                }
                Assert.True(Math.Abs(got[r * Stride + c] - want) <= 1e-5, $"[{r}, {c}]: {got[r * Stride + c]} vs {want}");
            }
        }
    }

    [Fact]
    public void TheTunerTimesTheCustomVariantAndTheCatalogListsItsKernel()
    {
        Assert.Contains(KernelCatalog.All, k => k.Name == "RowGemm.Kernel" && k.Family == KernelFamily.Ilgpu);
        Assert.Contains(RowGemm.Name, Linear.Variants);
        Assert.Equal(KernelFamily.Ilgpu, Linear.FamilyOf(RowGemm.Name));
        string dir = Directory.CreateTempSubdirectory("hilo-custom-").FullName;
        try
        {
            using var device = ComputeDevice.Open("cpu");
            device.Tuner = new KernelTuner(device, TuningMode.Measure, new TuningCache(Path.Combine(dir, "tuning.json")));
            using var layer = new Linear(device, 16, 16);
            layer.InitializeRandom(1);
            layer.VariantFor(32);
            var entry = Assert.Single(device.Tuner.Decisions).Entry!;
            Assert.True(entry.Milliseconds.ContainsKey(RowGemm.Name), string.Join(", ", entry.Milliseconds.Keys));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ABuiltInNameOrATakenNameIsRefused()
    {
        Assert.Throws<ArgumentException>(() => Linear.RegisterVariant(Linear.TiledVariant, KernelFamily.Ilgpu, RowGemm.Run));
        Assert.Throws<ArgumentException>(() => Linear.RegisterVariant(RowGemm.Name, KernelFamily.Ilgpu, RowGemm.Run));
    }
}
