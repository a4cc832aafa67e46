using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.OpenCL;
using Hilo.Ilgpu.Tests.Infrastructure;

namespace Hilo.Ilgpu.Tests.Backends;

public class OpenCLLaunchTests
{
    private static Accelerator Open() => Devices.Open(DeviceRequirement.RequireDevice(BackendKind.OpenCL));

    [Fact]
    public void VectorAddOverViewsWithOffsetsAndARaggedLastGroup()
    {
        using var accelerator = Open();
        const int n = 1000;
        using var a = accelerator.Allocate<float>([.. Enumerable.Range(0, n + 7).Select(i => (float)i)]);
        using var b = accelerator.Allocate<float>([.. Enumerable.Range(0, n + 3).Select(i => 0.25f * i)]);
        using var c = accelerator.Allocate<float>(n + 11);
        c.Fill(-1f);
        var av = a.View.SubView(7, n);
        var bv = b.View.SubView(3, n);
        var cv = c.View.SubView(11, n);
        accelerator.Launch(TestKernels.VectorAdd, LaunchDims.Create1D(n, 64), av, bv, cv);
        var result = c.ToArray();
        Assert.All(result.Take(11), x => Assert.Equal(-1f, x));
        for (int i = 0; i < n; i++)
        {
            Assert.Equal((i + 7) + 0.25f * (i + 3), result[11 + i]);
        }
    }

    [Fact]
    public void AutomaticGroupSizeCoversOddSizes()
    {
        using var accelerator = Open();
        foreach (int n in new[] { 1, 7, 100, 4099, 100_003 })
        {
            using var data = accelerator.Allocate<int>(n + 1);
            data.Fill(-5);
            accelerator.Launch(TestKernels.FillIota, new LaunchDims(n), data.View.SubView(0, n), 10);
            var result = data.ToArray();
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(10 + i, result[i]);
            }
            Assert.Equal(-5, result[n]);
        }
    }

    [Fact]
    public void ChosenGroupSizesAreLegal()
    {
        using var accelerator = Open();
        var kernel = accelerator.LoadKernel(TestKernels.FillIota);
        foreach (var global in new[] { new Index3D(1), new Index3D(1 << 24), new Index3D(3, 1000), new Index3D(1000, 3), new Index3D(5, 6, 7), new Index3D(64, 64, 64) })
        {
            var group = accelerator.ChooseGroupSize(kernel, global);
            Assert.True(group.X >= 1 && group.Y >= 1 && group.Z >= 1, $"{global} -> {group}");
            Assert.True(group.Size <= Math.Min(kernel.MaxGroupSize, accelerator.Device.MaxGroupSize), $"{global} -> {group}");
        }
    }

    [Fact]
    public void TwoDimensionalLaunchOverAStridedView()
    {
        using var accelerator = Open();
        const int width = 37, height = 23, stride = 40;
        using var buffer = accelerator.Allocate<int>(5 + stride * height);
        buffer.Fill(-1);
        var view = buffer.View.SubView(5, stride * height).As2D(width, height, stride);
        accelerator.Launch(TestKernels.Index2D, LaunchDims.Create2D(width, height, 8, 8), view);
        var result = buffer.ToArray();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < stride; x++)
            {
                Assert.Equal(x < width ? 1000 * y + x : -1, result[5 + y * stride + x]);
            }
        }
    }

    [Fact]
    public void ThreeDimensionalLaunchWithADefaultViewArgument()
    {
        using var accelerator = Open();
        const int w = 9, h = 5, d = 3;
        using var buffer = accelerator.Allocate<int>(2 + w * h * d);
        buffer.Fill(-1);
        var view = buffer.View.SubView(2, w * h * d).As3D(w, h, d);
        accelerator.Launch(TestKernels.Index3D, new LaunchDims(new Index3D(w, h, d), new Index3D(4, 2, 2)), view, default(ArrayView<int>));
        var result = buffer.ToArray();
        Assert.Equal(-1, result[1]);
        for (int z = 0; z < d; z++)
        {
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    Assert.Equal(10000 * z + 100 * y + x, result[2 + (z * h + y) * w + x]);
                }
            }
        }
        // Automatic group size in 3D, and the extra view's length arrives.
        using var extra = accelerator.Allocate<int>(2);
        accelerator.Launch(TestKernels.Index3D, new LaunchDims(new Index3D(w, h, d)), view, extra.View);
        Assert.Equal(2_000_000 + 10000 * 2 + 100 * 4 + 8, buffer.ToArray()[^1]);
    }

    [Fact]
    public void StructParameterIsPassedByValue()
    {
        using var accelerator = Open();
        using var data = accelerator.Allocate<float>([1f, 2f, 3f, 4f, 5f]);
        accelerator.Launch(TestKernels.ApplyAffine, new LaunchDims(5), data.View, new Affine { Scale = 2f, Shift = 0.5f, Count = 3 });
        Assert.Equal([2.5f, 4.5f, 6.5f, 4f, 5f], data.ToArray());
    }

    [Fact]
    public void LocalMemoryAndBarriers()
    {
        using var accelerator = Open();
        const int groups = 50;
        var input = Enumerable.Range(0, groups * 64).Select(i => i % 97 - 40).ToArray();
        using var inBuffer = accelerator.Allocate<int>(input);
        using var outBuffer = accelerator.Allocate<int>(groups);
        accelerator.Launch(TestKernels.GroupSum, LaunchDims.FromGroups(new Index3D(groups), new Index3D(64)), inBuffer.View, outBuffer.View);
        var expected = Enumerable.Range(0, groups).Select(g => input.Skip(g * 64).Take(64).Sum()).ToArray();
        Assert.Equal(expected, outBuffer.ToArray());
    }

    [Fact]
    public void DoublesRunOrAreRefusedClearly()
    {
        using var accelerator = (OpenCLAccelerator)Open();
        using var data = accelerator.Allocate<double>([1.0, 2.0, 1e300]);
        if (!accelerator.SupportsDoubles)
        {
            var ex = Assert.Throws<KernelCompilationException>(() => accelerator.LoadKernel(TestKernels.ScaleDouble));
            Assert.Contains("cl_khr_fp64", ex.Message, StringComparison.Ordinal);
            return;
        }
        accelerator.Launch(TestKernels.ScaleDouble, new LaunchDims(3), data.View, 1.5);
        Assert.Equal([1.5, 3.0, 1.5e300], data.ToArray());
    }

    [Fact]
    public void ZeroSizeLaunchIsANoOp()
    {
        using var accelerator = Open();
        using var data = accelerator.Allocate<int>([1, 2, 3]);
        accelerator.Launch(TestKernels.FillIota, new LaunchDims(0), data.View, 100);
        accelerator.Launch(TestKernels.Index2D, LaunchDims.Create2D(0, 3), data.View.As2D(3, 1));
        accelerator.Synchronize();
        Assert.Equal([1, 2, 3], data.ToArray());
    }

    [Fact]
    public void WrongArgumentsAreRejectedBeforeLaunch()
    {
        using var accelerator = Open();
        using var ints = accelerator.Allocate<int>([1, 2, 3]);
        using var floats = accelerator.Allocate<float>(3);
        var typeError = Assert.Throws<KernelArgumentException>(() => accelerator.Launch(TestKernels.FillIota, new LaunchDims(3), floats.View, 1));
        Assert.Contains("ArrayView<int>", typeError.Message, StringComparison.Ordinal);
        Assert.Throws<KernelArgumentException>(() => accelerator.Launch(TestKernels.FillIota, new LaunchDims(3), ints.View, 1.0f));
        Assert.Throws<KernelArgumentException>(() => accelerator.Launch(TestKernels.FillIota, new LaunchDims(3), ints.View));
        Assert.Throws<KernelArgumentException>(() => accelerator.Launch(TestKernels.FillIota, LaunchDims.Create1D(3, accelerator.Device.MaxGroupSize + 1), ints.View, 1));
        Assert.Throws<KernelArgumentException>(() => accelerator.Launch(TestKernels.GroupSum, new LaunchDims(64), ints.View, ints.View));
        Assert.Equal([1, 2, 3], ints.ToArray());
    }

    [Fact]
    public void ViewsOfAnotherAcceleratorAreRejected()
    {
        using var first = Open();
        using var second = Open();
        using var foreign = second.Allocate<int>(4);
        Assert.Throws<KernelArgumentException>(() => first.Launch(TestKernels.FillIota, new LaunchDims(4), foreign.View, 1));
    }

    [Fact]
    public void BuildFailureCarriesTheLogAndTheNumberedSource()
    {
        using var accelerator = Open();
        var broken = TestKernels.Broken();
        var ex = Assert.Throws<KernelCompilationException>(() => accelerator.LoadKernel(broken));
        Assert.Equal(broken.Name, ex.KernelName);
        Assert.Equal(accelerator.Device.Id, ex.Device);
        Assert.Equal(broken.OpenCLSource, ex.Source);
        Assert.Contains(":3:", ex.Log, StringComparison.Ordinal); // the driver points at the line missing its semicolon
        Assert.Contains("CL_BUILD_PROGRAM_FAILURE", ex.Log, StringComparison.Ordinal);
        Assert.Contains("   3|     int i = get_global_id(0)", ex.Message, StringComparison.Ordinal);
        // Failures are not cached: asking again reports the error again.
        Assert.Throws<KernelCompilationException>(() => accelerator.LoadKernel(broken));
    }

    [Fact]
    public void SignatureMismatchIsReportedNotLaunched()
    {
        using var accelerator = Open();
        using var data = accelerator.Allocate<int>(4);
        var ex = Assert.Throws<DeviceException>(() => accelerator.Launch(TestKernels.MissingHiddenArguments(), new LaunchDims(4), data.View));
        Assert.Contains("kernel-abi.md", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CompiledKernelReportsItsBuild()
    {
        using var accelerator = Open();
        var kernel = accelerator.LoadKernel(TestKernels.VectorAdd);
        Assert.Same(kernel, accelerator.LoadKernel(TestKernels.VectorAdd));
        Assert.True(kernel.MaxGroupSize > 0);
        Assert.True(kernel.BuildTime > TimeSpan.Zero);
        Assert.Same(TestKernels.VectorAdd, kernel.Descriptor);
    }

    [Fact]
    public void EventsMeasurePositiveDeviceTime()
    {
        using var accelerator = Open();
        const int n = 1 << 20;
        using var a = accelerator.Allocate<float>(n);
        using var c = accelerator.Allocate<float>(n);
        a.Fill(1f);
        var stream = accelerator.DefaultStream;
        stream.Launch(TestKernels.VectorAdd, new LaunchDims(n), a.View, a.View, c.View); // build + warm up
        using var start = stream.RecordEvent();
        for (int i = 0; i < 5; i++)
        {
            stream.Launch(TestKernels.VectorAdd, new LaunchDims(n), a.View, c.View, c.View);
        }
        using var end = stream.RecordEvent();
        double ms = end.ElapsedMillisecondsSince(start);
        Assert.True(ms > 0, $"elapsed {ms} ms");
        Assert.True(ms < 60_000, $"elapsed {ms} ms");
        Assert.Equal(7f, c.ToArray()[n - 1]);
    }

    [Fact]
    public async Task ConcurrentLaunchesFromFourThreads()
    {
        using var accelerator = Open();
        accelerator.LoadKernel(TestKernels.FillIota);
        const int chunk = 8, rounds = 3000;
        var tasks = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            // Threads 0 and 1 share the default stream; 2 and 3 have their own. All share one cl_kernel, so
            // back-to-back launches with different arguments would mix them up without the per-kernel lock.
            using var own = t >= 2 ? accelerator.CreateStream() : null;
            var stream = own ?? accelerator.DefaultStream;
            using var buffer = accelerator.Allocate<int>(chunk * rounds);
            for (int round = 0; round < rounds; round++)
            {
                stream.Launch(TestKernels.FillIota, new LaunchDims(chunk), buffer.View.SubView(round * chunk, chunk), Value(t, round));
            }
            var result = new int[chunk * rounds];
            stream.CopyToHost(buffer.View, result);
            for (int i = 0; i < result.Length; i++)
            {
                int expected = Value(t, i / chunk) + i % chunk;
                if (result[i] != expected)
                {
                    return $"thread {t}: element {i} is {result[i]}, expected {expected}";
                }
            }
            return null;
        }, TestContext.Current.CancellationToken)).ToArray();
        var errors = await Task.WhenAll(tasks);
        Assert.All(errors, Assert.Null);

        static int Value(int thread, int round) => thread * 10_000_000 + round * 1000;
    }

    [Fact]
    public void StreamsSynchronizeAndDisposeIndependently()
    {
        using var accelerator = Open();
        using var buffer = accelerator.Allocate<int>(256);
        using (var stream = accelerator.CreateStream())
        {
            stream.Launch(TestKernels.FillIota, new LaunchDims(256), buffer.View, 3);
            stream.Synchronize();
        }
        Assert.Equal(3 + 255, buffer.ToArray()[255]);
        accelerator.Synchronize();
    }
}
