using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.Compute.Conformance;
using static Hilo.Ilgpu.Compute.Conformance.GridKernels;

namespace Hilo.Ilgpu.Tests.Conformance;

public abstract partial class ConformanceSuite
{
    [Fact]
    public void WrongArgumentsFailBeforeLaunch()
    {
        using var a = Filled(16, 1f);
        using var r = Filled(16, 0f);
        using var ints = Filled(16, 0);
        Assert.Throws<KernelArgumentException>(() => Launch(AddScalarKernel, 16, a.View, r.View));
        Assert.Throws<KernelArgumentException>(() => Launch(AddScalarKernel, 16, a.View, r.View, 1f, 2f));
        Assert.Throws<KernelArgumentException>(() => Launch(AddScalarKernel, 16, a.View, r.View, 1));
        Assert.Throws<KernelArgumentException>(() => Launch(AddScalarKernel, 16, a.View, r.View, 1.0));
        Assert.Throws<KernelArgumentException>(() => Launch(AddScalarKernel, 16, a.View, ints.View, 1f));
        Assert.Throws<KernelArgumentException>(() => Launch(AddScalarKernel, 16, a.View, null, 1f));
        Assert.Throws<KernelArgumentException>(() => Launch(AddScalarKernel, 16, a, r.View, 1f));
        var tooBig = LaunchDims.Create1D(Acc.Device.MaxGroupSize * 2, Acc.Device.MaxGroupSize * 2);
        Assert.Throws<KernelArgumentException>(() => Acc.Launch(AddScalarKernel, tooBig, a.View, r.View, 1f));
        Acc.Synchronize();
        Assert.All(r.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void BarrierKernelNeedsWholeGroups()
    {
        using var input = Filled(300, 1);
        using var sums = Filled(3, 0);
        int group = SharedMemoryKernels.ReduceGroup;
        var ex = Assert.Throws<KernelArgumentException>(() =>
            Acc.Launch(SharedMemoryKernels.GroupReduceKernel, LaunchDims.Create1D(group + 2, group), input.View, sums.View));
        Assert.Contains("multiple", ex.Message, StringComparison.Ordinal);
        Assert.Throws<KernelArgumentException>(() =>
            Acc.Launch(SharedMemoryKernels.GroupReduceKernel, new LaunchDims(group * 2), input.View, sums.View));
        Assert.All(sums.ToArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void ViewOfAnotherAcceleratorIsRejected()
    {
        using var other = Fixture.OpenAnother();
        using var foreign = other.Allocate<float>(16);
        using var r = Filled(16, 0f);
        Assert.Throws<KernelArgumentException>(() => Launch(AddScalarKernel, 16, foreign.View, r.View, 1f));
    }

    [Fact]
    public void UseAfterDisposeThrowsObjectDisposed()
    {
        using var r = Filled(16, 0f);
        var doomed = Acc.Allocate<float>(16);
        var view = doomed.View;
        doomed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Launch(AddScalarKernel, 16, view, r.View, 1f));
        Assert.Throws<ObjectDisposedException>(() => doomed.View);
        Assert.Throws<ObjectDisposedException>(() => doomed.ToArray());

        var accelerator = Fixture.OpenAnother();
        var buffer = accelerator.Allocate<float>(16);
        var stream = accelerator.CreateStream();
        accelerator.Launch(AddScalarKernel, new LaunchDims(16), buffer.View, buffer.View, 1f);
        accelerator.Dispose();
        Assert.Throws<ObjectDisposedException>(() => accelerator.Allocate<float>(4));
        Assert.Throws<ObjectDisposedException>(() => accelerator.LoadKernel(AddScalarKernel));
        Assert.Throws<ObjectDisposedException>(() => accelerator.DefaultStream);
        Assert.Throws<ObjectDisposedException>(() => accelerator.Synchronize());
        Assert.Throws<ObjectDisposedException>(() => buffer.ToArray());
        Assert.Throws<ObjectDisposedException>(() => stream.Synchronize());
        Assert.True(buffer.Memory.IsDisposed);
        accelerator.Dispose();
    }

    [Fact]
    public void KernelsAreBuiltOncePerAccelerator()
    {
        var first = Acc.LoadKernel(AddScalarKernel);
        Assert.Same(first, Acc.LoadKernel(AddScalarKernel));
        Assert.Same(AddScalarKernel, first.Descriptor);
    }

    [Fact]
    public void ConcurrentLaunchesFromSeveralThreads()
    {
        const int Threads = 4;
        const int Launches = 20;
        const int N = 1000;
        var accelerator = Acc;
        accelerator.LoadKernel(AddScalarKernel);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                // Half the threads share the default stream, half use their own.
                using var own = t % 2 == 0 ? null : accelerator.CreateStream();
                var stream = own ?? accelerator.DefaultStream;
                for (int l = 0; l < Launches; l++)
                {
                    float[] input = [.. Enumerable.Range(0, N).Select(i => (float)(i + t * 10000))];
                    using var a = accelerator.Allocate<float>(N);
                    using var r = accelerator.Allocate<float>(N);
                    stream.CopyFromHost<float>(input, a.View);
                    float s = l * 0.5f;
                    stream.Launch(AddScalarKernel, new LaunchDims(N), a.View, r.View, s);
                    var got = new float[N];
                    stream.CopyToHost(r.View, got);
                    for (int i = 0; i < N; i++)
                    {
                        if (got[i] != input[i] + s)
                        {
                            errors.Enqueue($"thread {t} launch {l} element {i}: {got[i]} != {input[i] + s}");
                            break;
                        }
                    }
                }
            }
#pragma warning disable CA1031 // collected and reported by the test
            catch (Exception ex)
#pragma warning restore CA1031
            {
                errors.Enqueue($"thread {t}: {ex}");
            }
        })).ToList();
        threads.ForEach(th => th.Start());
        threads.ForEach(th => th.Join());
        Assert.True(errors.IsEmpty, string.Join("\n", errors.Take(5)));
    }
}
