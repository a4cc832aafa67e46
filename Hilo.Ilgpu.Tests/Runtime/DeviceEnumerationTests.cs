
namespace Hilo.Ilgpu.Tests.Runtime;

public class DeviceEnumerationTests
{
    [Fact]
    public void ManagedCpuIsAlwaysFirstAndAvailable()
    {
        Assert.Equal("cpu", Devices.All[0].Id);
        Assert.Contains(Devices.Backends, b => b.Backend == BackendKind.Cpu && b.IsAvailable);
    }

    [Fact]
    public void UnknownDeviceStringNamesTheChoices()
    {
        var ex = Assert.Throws<DeviceNotFoundException>(() => Devices.Find("tpu:0"));
        Assert.Contains("cpu", ex.Message, StringComparison.Ordinal);
    }
}
