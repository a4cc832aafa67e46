using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Cpu;
using Hilo.Ilgpu.Compute.OpenCL;
using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Runtime;

/// <summary>The managed CPU backend's reuse of freed large blocks (<see cref="MemoryBlockPool"/>).</summary>
public sealed class MemoryBlockPoolTests
{
    private const int Large = 1 << 20; // floats: 4 MiB, above the pool's minimum

    [Fact]
    public void AFreedLargeBlockIsReusedForTheSameSizeAndNotCountedAsLive()
    {
        using var accelerator = Devices.Open("cpu");
        nint first;
        using (var a = accelerator.Allocate<float>(Large))
        {
            first = a.View.Pointer;
            Assert.Equal(4L * Large, accelerator.AllocatedBytes);
        }
        Assert.Equal(0, accelerator.AllocatedBytes);
        Assert.Equal(4L * Large, ((CpuAccelerator)accelerator).Pool.KeptBytes);
        using var b = accelerator.Allocate<float>(Large);
        Assert.Equal(first, b.View.Pointer);
        Assert.Equal(0, ((CpuAccelerator)accelerator).Pool.KeptBytes);
        using var c = accelerator.Allocate<float>(Large + 16);
        Assert.NotEqual(first, c.View.Pointer);
    }

    [Fact]
    public void SmallBlocksAreNotKeptAndReusedMemoryStillWorks()
    {
        using var accelerator = Devices.Open("cpu");
        accelerator.Allocate<float>(1000).Dispose();
        Assert.Equal(0, ((CpuAccelerator)accelerator).Pool.KeptBytes);
        accelerator.Allocate<float>(Large).Dispose();
        using var reused = accelerator.Allocate<float>(Large);
        var data = Enumerable.Range(0, Large).Select(i => (float)i).ToArray();
        reused.CopyFromHost(data);
        var back = new float[Large];
        reused.CopyToHost(back);
        Assert.Equal(data, back);
    }

    [Fact]
    public void DisposingTheAcceleratorReleasesKeptBlocks()
    {
        var accelerator = Devices.Open("cpu");
        var pool = ((CpuAccelerator)accelerator).Pool;
        accelerator.Allocate<float>(Large).Dispose();
        using (accelerator.Allocate<float>(2 * Large))
        {
            accelerator.Dispose(); // frees the live buffer into a closed pool, and the kept one
        }
        Assert.Equal(0, pool.KeptBytes);
    }

    [Fact]
    public void OpenCLReusesBuffersOnOneQueueOnlyAndKeepsTheirContentsUsable()
    {
        using var accelerator = Devices.Open(DeviceRequirement.RequireDevice(BackendKind.OpenCL).Id);
        var pool = ((OpenCLAccelerator)accelerator).Pool;
        var data = Enumerable.Range(0, Large).Select(i => (float)i).ToArray();
        accelerator.Allocate<float>(data).Dispose();
        Assert.Equal(4L * Large, pool.KeptBytes);
        using (var reused = accelerator.Allocate<float>(Large))
        {
            Assert.Equal(0, pool.KeptBytes);
            reused.CopyFromHost(data.Reverse().ToArray());
            Assert.Equal(data.Reverse().ToArray(), reused.ToArray());
        }
        Assert.Equal(4L * Large, pool.KeptBytes);
        // A second queue could run a kept buffer's next user before its last one: reuse stops for good.
        using var second = accelerator.CreateStream();
        Assert.Equal(0, pool.KeptBytes);
        accelerator.Allocate<float>(Large).Dispose();
        Assert.Equal(0, pool.KeptBytes);
    }
}
