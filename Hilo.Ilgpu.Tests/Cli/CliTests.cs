using Hilo.Ilgpu.Cli;
using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Tests.Cli;

public class CliTests
{
    [Fact]
    public void DevicesListsEveryDeviceAndWhyBackendsAreMissing()
    {
        var output = new StringWriter();
        DevicesCommand.Print(output);
        string text = output.ToString();
        foreach (var device in Devices.All)
        {
            Assert.Contains(device.Id + "\n", text, StringComparison.Ordinal);
            Assert.Contains(device.Name, text, StringComparison.Ordinal);
        }
        foreach (var backend in Devices.Backends.Where(b => !b.IsAvailable))
        {
            Assert.Contains(backend.Reason!, text, StringComparison.Ordinal);
        }
        Assert.Contains("max group size", text, StringComparison.Ordinal);
    }

    [Fact]
    public void KernelsDumpWritesOpenCLAndCudaForEveryKernel()
    {
        string dir = Path.Combine(Path.GetTempPath(), "hilo-dump-" + Guid.NewGuid().ToString("N"));
        try
        {
            int count = KernelsCommand.Dump(dir);
            Assert.True(count >= 40, $"only {count} kernels found");
            Assert.Contains(KernelCatalog.All, k => k.Name == "Hilo.Ilgpu.Kernels.Gemm.PanelGemmKernels.PanelGemm");
            Assert.Contains(KernelCatalog.All, k => k.Name.StartsWith("Hilo.Ilgpu.Compute.Conformance.", StringComparison.Ordinal));
            foreach (var kernel in KernelCatalog.All)
            {
                Assert.Equal(kernel.OpenCLSource, File.ReadAllText(Path.Combine(dir, kernel.Name + ".cl")));
                Assert.Equal(kernel.CudaSource, File.ReadAllText(Path.Combine(dir, kernel.Name + ".cu")));
            }
            Assert.Equal(2 * count, Directory.GetFiles(dir).Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
