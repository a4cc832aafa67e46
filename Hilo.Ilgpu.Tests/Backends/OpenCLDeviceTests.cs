using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.OpenCL;
using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Backends;

public class OpenCLDeviceTests
{
    [Fact]
    public void DevicesHaveSaneProperties()
    {
        DeviceRequirement.RequireDevice(BackendKind.OpenCL);
        var devices = Devices.All.Where(d => d.Backend == BackendKind.OpenCL).ToList();
        Assert.Contains(Devices.Backends, b => b.Backend == BackendKind.OpenCL && b.IsAvailable);
        for (int i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            Assert.Equal($"opencl:{i}", d.Id);
            Assert.False(string.IsNullOrWhiteSpace(d.Name));
            Assert.False(string.IsNullOrWhiteSpace(d.Vendor));
            Assert.True(d.GlobalMemoryBytes > 0);
            Assert.True(d.ComputeUnits > 0);
            Assert.True(d.MaxGroupSize > 0);
            Assert.True(d.LocalMemoryBytes > 0);
            Assert.Contains("OpenCL", d.DriverVersion, StringComparison.Ordinal);
            Assert.Contains("driver", d.DriverVersion, StringComparison.Ordinal);
            Assert.Equal(i, d.BackendIndex);
        }
    }

    [Fact]
    public void PoclReportsACpuDevice()
    {
        DeviceRequirement.RequireDevice(BackendKind.OpenCL);
        var pocl = Devices.All.FirstOrDefault(d => d.Backend == BackendKind.OpenCL && d.Name.Contains("pthread", StringComparison.Ordinal));
        if (pocl is null)
        {
            Assert.Skip("no PoCL pthread device on this machine");
        }
        Assert.Equal(DeviceKind.Cpu, pocl.Kind);
        Assert.Contains("PoCL", pocl.DriverVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void OpensByIndexAndByNameSubstring()
    {
        var first = DeviceRequirement.RequireDevice(BackendKind.OpenCL);
        using (var byIndex = Devices.Open("opencl:0"))
        {
            Assert.Equal(first, byIndex.Device);
            Assert.IsType<OpenCLAccelerator>(byIndex);
        }
        // PoCL's pthread device where present (CI), else a distinctive piece of the first device's name.
        string selector = first.Name.Contains("pthread", StringComparison.Ordinal) ? "pthread" : first.Name;
        var found = Devices.Find("opencl:" + selector);
        using var byName = Devices.Open(found);
        Assert.Equal(BackendKind.OpenCL, byName.Device.Backend);
        Assert.Contains(selector, byName.Device.Name, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MissingLibraryMakesTheBackendUnavailableWithAReason()
    {
        var backend = new OpenCLBackend(["libHiloDoesNotExist.so.7", "/nonexistent/libOpenCL.so.1"]);
        var (status, devices) = backend.Probe();
        Assert.False(status.IsAvailable);
        Assert.Empty(devices);
        Assert.Contains("libHiloDoesNotExist.so.7", status.Reason, StringComparison.Ordinal);
        Assert.Contains("no OpenCL ICD loader", status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ALibraryThatIsNotOpenCLIsRejected()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("uses libc.so.6");
        }
        var (status, devices) = new OpenCLBackend(["libc.so.6"]).Probe();
        Assert.False(status.IsAvailable);
        Assert.Empty(devices);
        Assert.Contains("does not export clGetPlatformIDs", status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorNamesCoverTheCommonCodes()
    {
        Assert.Equal("CL_MEM_OBJECT_ALLOCATION_FAILURE", OpenCLLibrary.ErrorName(-4));
        Assert.Equal("CL_INVALID_KERNEL_ARGS", OpenCLLibrary.ErrorName(-52));
        Assert.Equal("CL_PLATFORM_NOT_FOUND_KHR", OpenCLLibrary.ErrorName(-1001));
        var ex = OpenCLLibrary.Failure(-54, "clEnqueueNDRangeKernel");
        Assert.Contains("clEnqueueNDRangeKernel", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CL_INVALID_WORK_GROUP_SIZE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildOptionsFollowTheAbi()
    {
        var device = DeviceRequirement.RequireDevice(BackendKind.OpenCL);
        using var accelerator = (OpenCLAccelerator)Devices.Open(device);
        Assert.Contains("-cl-std=CL1.2", accelerator.BuildOptions, StringComparison.Ordinal);
        Assert.True(accelerator.MaxAllocationBytes > 0);
        Assert.All(accelerator.MaxWorkItemSizes, s => Assert.True(s > 0));
    }
}
