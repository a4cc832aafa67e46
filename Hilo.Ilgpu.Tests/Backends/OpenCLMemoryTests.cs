using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.OpenCL;
using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Backends;

public class OpenCLMemoryTests
{
    private static Accelerator Open() => Devices.Open(DeviceRequirement.RequireDevice(BackendKind.OpenCL));

    [Fact]
    public void IndexingADeviceViewOnTheHostIsAClearError()
    {
        using var accelerator = Open();
        using var buffer = accelerator.Allocate<float>(8);
        var view = buffer.View.SubView(2, 4);
        var e = Assert.Throws<InvalidOperationException>(() => view[1]);
        Assert.Contains("not addressable from the host", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostRoundTrip()
    {
        using var accelerator = Open();
        var data = Enumerable.Range(0, 1000).Select(i => i * 0.5f).ToArray();
        using var buffer = accelerator.Allocate<float>(data);
        Assert.Equal(data, buffer.ToArray());
        Assert.Equal(4000, accelerator.AllocatedBytes);
    }

    [Fact]
    public void HostCopiesRespectViewOffsets()
    {
        using var accelerator = Open();
        using var buffer = accelerator.Allocate<int>(100);
        buffer.Fill(-1);
        var stream = accelerator.DefaultStream;
        stream.CopyFromHost<int>([1, 2, 3, 4, 5], buffer.View.SubView(10, 5));
        var back = new int[7];
        stream.CopyToHost(buffer.View.SubView(9, 7), back);
        Assert.Equal([-1, 1, 2, 3, 4, 5, -1], back);
    }

    [Fact]
    public void DeviceToDeviceCopiesWithOffsets()
    {
        using var accelerator = Open();
        using var source = accelerator.Allocate<int>([.. Enumerable.Range(0, 64)]);
        using var destination = accelerator.Allocate<int>(64);
        destination.Fill(0);
        accelerator.DefaultStream.Copy(source.View.SubView(8, 16), destination.View.SubView(40, 16));
        var result = destination.ToArray();
        for (int i = 0; i < 64; i++)
        {
            Assert.Equal(i is >= 40 and < 56 ? i - 32 : 0, result[i]);
        }
    }

    [Fact]
    public void OverlappingCopyWithinOneBufferActsLikeMemmove()
    {
        using var accelerator = Open();
        using var buffer = accelerator.Allocate<int>([.. Enumerable.Range(0, 32)]);
        accelerator.DefaultStream.Copy(buffer.View.SubView(0, 20), buffer.View.SubView(4, 20));
        var result = buffer.ToArray();
        int[] expected = [.. Enumerable.Range(0, 4), .. Enumerable.Range(0, 20), .. Enumerable.Range(24, 8)];
        Assert.Equal(expected, result);
    }

    [Fact]
    public void CopiesBetweenAcceleratorsGoThroughTheHost()
    {
        using var a = Open();
        using var b = Open();
        using var source = a.Allocate<float>([1f, 2f, 3f]);
        using var destination = b.Allocate<float>(3);
        a.DefaultStream.Copy(source.View, destination.View);
        Assert.Equal([1f, 2f, 3f], destination.ToArray());
    }

    [Fact]
    public void FillsEveryPatternSize()
    {
        using var accelerator = Open();
        CheckFill(accelerator, (byte)0xAB);
        CheckFill(accelerator, (short)-12345);
        CheckFill(accelerator, 0x12345678);
        CheckFill(accelerator, 0x0123456789ABCDEFL);
        CheckFill(accelerator, new Triple(1, -2, 3));
        CheckFill(accelerator, new KiloByte { First = 9 });
    }

    private static void CheckFill<T>(Accelerator accelerator, T value) where T : unmanaged
    {
        // Large enough that the staged path for odd pattern sizes doubles its prefix several times.
        int length = 1 << 16;
        if (System.Runtime.CompilerServices.Unsafe.SizeOf<T>() > 64)
        {
            length = 300;
        }
        using var buffer = accelerator.Allocate<T>(length);
        buffer.Fill(default);
        accelerator.DefaultStream.Fill(buffer.View.SubView(3, length - 5), value);
        var result = buffer.ToArray();
        for (int i = 0; i < length; i++)
        {
            var expected = i >= 3 && i < length - 2 ? value : default;
            if (!EqualityComparer<T>.Default.Equals(expected, result[i]))
            {
                Assert.Fail($"Fill of {typeof(T).Name}: element {i} is {result[i]}, expected {expected}.");
            }
        }
    }

    [Fact]
    public void ZeroLengthBuffersAndCopiesWork()
    {
        using var accelerator = Open();
        using var empty = accelerator.Allocate<int>(0);
        empty.Fill(5);
        Assert.Empty(empty.ToArray());
        accelerator.DefaultStream.Copy(empty.View, empty.View);
    }

    [Fact]
    public void AskingForMoreThanTheLargestAllocationNamesSizeAndDevice()
    {
        using var accelerator = (OpenCLAccelerator)Open();
        long limit = accelerator.MaxAllocationBytes;
        int length = (int)Math.Min(limit / 1024 + 1, int.MaxValue);
        long bytes = length * 1024L;
        if (bytes <= limit)
        {
            Assert.Skip($"the device allows allocations of {limit} bytes, more than an int length of 1 KiB elements reaches");
        }
        var ex = Assert.Throws<DeviceOutOfMemoryException>(() => accelerator.Allocate<KiloByte>(length));
        Assert.Equal(bytes, ex.RequestedBytes);
        Assert.Contains(accelerator.Device.Id, ex.Message, StringComparison.Ordinal);
        Assert.Contains(accelerator.Device.Name, ex.Message, StringComparison.Ordinal);
        Assert.Contains(bytes.ToString("N0", System.Globalization.CultureInfo.CurrentCulture), ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, accelerator.AllocatedBytes);
    }

    [Fact]
    public void UseAfterDisposeThrowsObjectDisposed()
    {
        var accelerator = Open();
        var buffer = accelerator.Allocate<int>(16);
        var survivor = accelerator.Allocate<int>(16);
        var stream = accelerator.CreateStream();
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => buffer.ToArray());
        Assert.Throws<ObjectDisposedException>(() => buffer.View);
        accelerator.Dispose();
        Assert.True(survivor.Memory.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => survivor.ToArray());
        Assert.Throws<ObjectDisposedException>(() => accelerator.Allocate<int>(4));
        Assert.Throws<ObjectDisposedException>(() => accelerator.CreateStream());
        Assert.Throws<ObjectDisposedException>(() => accelerator.LoadKernel(TestKernels.FillIota));
        Assert.Throws<ObjectDisposedException>(() => stream.Synchronize());
        Assert.Throws<ObjectDisposedException>(() => stream.RecordEvent());
        accelerator.Dispose(); // idempotent
        survivor.Dispose();
    }
}
