using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Tests.Backends;

/// <summary>
/// Device-independent checks with the hand-written CUDA test kernels. The CUDA tests run them on CUDA devices;
/// <see cref="CudaScenarioHarnessTests"/> runs the same code on the managed CPU backend, so the scenarios
/// themselves (arguments, expected values) are verified on machines without a GPU.
/// </summary>
internal static class CudaScenarios
{
    public static void VectorAddWithOffsets(Accelerator acc)
    {
        const int n = 1000; // not a multiple of any group size the backend picks
        var a = Enumerable.Range(0, n + 7).Select(i => i * 0.5f).ToArray();
        var b = Enumerable.Range(0, n + 3).Select(i => 1000f - i).ToArray();
        using var da = acc.Allocate<float>(a);
        using var db = acc.Allocate<float>(b);
        using var dc = acc.Allocate<float>(n + 11);
        dc.Fill(-5f);
        acc.Launch(CudaTestKernels.VectorAdd, new LaunchDims(n), da.View.SubView(7, n), db.View.SubView(3, n), dc.View.SubView(11, n));
        var c = dc.ToArray();
        for (int i = 0; i < 11; i++)
        {
            Assert.Equal(-5f, c[i]);
        }
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(a[i + 7] + b[i + 3], c[i + 11]);
        }
    }

    public static void StructAndBoolParameters(Accelerator acc)
    {
        const int n = 300;
        using var y = acc.Allocate<float>(n);
        var p = new CudaTestMixed { A = 3, B = 0.25, C = 10f };
        acc.Launch(CudaTestKernels.Affine, new LaunchDims(n), y.View, p, true);
        var got = y.ToArray();
        for (int i = 0; i < n; i++)
        {
            Assert.Equal((float)(3 * i) + 0.25f + 10f, got[i]);
        }
        acc.Launch(CudaTestKernels.Affine, LaunchDims.Create1D(n, 64), y.View, p, false);
        Assert.All(y.ToArray(), v => Assert.Equal(-1f, v));
    }

    public static void TwoDimensionalGridNotMultipleOfGroup(Accelerator acc)
    {
        const int width = 37, height = 23, stride = 40;
        using var m = acc.Allocate<int>(5 + stride * height);
        m.Fill(-1);
        var view = m.View.SubView(5, stride * height).As2D(width, height, stride);
        acc.Launch(CudaTestKernels.Grid2D, LaunchDims.Create2D(width, height, 16, 8), view);
        var got = m.ToArray();
        for (int i = 0; i < got.Length; i++)
        {
            int rel = i - 5;
            int x = rel % stride, y = rel / stride;
            int expected = rel >= 0 && x < width ? x + 1000 * y : -1;
            Assert.Equal(expected, got[i]);
        }
    }

    public static void SharedMemoryReduction(Accelerator acc)
    {
        const int groups = 40, size = 256;
        var input = Enumerable.Range(0, groups * size).Select(i => (float)(i % 17)).ToArray();
        using var din = acc.Allocate<float>(input);
        using var dout = acc.Allocate<float>(groups + 1);
        dout.Fill(0f);
        acc.Launch(CudaTestKernels.BlockSum, LaunchDims.Create1D(groups * size, size), din.View, dout.View.SubView(1, groups));
        var got = dout.ToArray();
        Assert.Equal(0f, got[0]);
        for (int g = 0; g < groups; g++)
        {
            float expected = input.Skip(g * size).Take(size).Sum();
            Assert.Equal(expected, got[g + 1]);
        }
    }

    public static void AtomicsUnderContention(Accelerator acc, int n)
    {
        using var counter = acc.Allocate<int>(2);
        counter.Fill(0);
        acc.Launch(CudaTestKernels.Count, new LaunchDims(n), counter.View.SubView(1, 1));
        Assert.Equal([0, n], counter.ToArray());
    }

    public static void CopiesWithOffsets(Accelerator acc)
    {
        var data = Enumerable.Range(0, 500).ToArray();
        using var x = acc.Allocate<int>(600);
        using var y = acc.Allocate<int>(600);
        x.Fill(7);
        y.Fill(9);
        var stream = acc.DefaultStream;
        stream.CopyFromHost<int>(data, x.View.SubView(50, 500));
        stream.Copy(x.View.SubView(60, 400), y.View.SubView(100, 400));
        var back = new int[400];
        stream.CopyToHost(y.View.SubView(100, 400), back);
        Assert.Equal(data.Skip(10).Take(400), back);
        var all = y.ToArray();
        Assert.All(all.Take(100), v => Assert.Equal(9, v));
        Assert.All(all.Skip(500), v => Assert.Equal(9, v));
    }

    public static void FillPatterns(Accelerator acc)
    {
        CheckFill(acc, (byte)0xA5);
        CheckFill(acc, (short)-12345);
        CheckFill(acc, 0x01020304);
        CheckFill(acc, 3.5f);
        CheckFill(acc, 0.0);        // 8 equal bytes: one memset
        CheckFill(acc, 1.0 / 3.0);  // 8 distinct bytes: staged
        CheckFill(acc, 0x0102030405060708L);
        CheckFill(acc, new CudaTestMixed { A = -2, B = 2.5, C = 7f }); // 24-byte pattern with padding
        // Larger than the staging chunk: exercises the on-device doubling.
        using var big = acc.Allocate<double>(100_003);
        big.Fill(0.0);
        acc.DefaultStream.Fill(big.View.SubView(1, 100_001), Math.PI);
        var got = big.ToArray();
        Assert.Equal(0.0, got[0]);
        Assert.Equal(0.0, got[^1]);
        Assert.All(got.Skip(1).Take(100_001), v => Assert.Equal(Math.PI, v));
    }

    public static void ZeroSizes(Accelerator acc)
    {
        using var empty = acc.Allocate<float>(0);
        Assert.Empty(empty.ToArray());
        empty.Fill(1f);
        acc.Launch(CudaTestKernels.VectorAdd, new LaunchDims(0), empty.View, empty.View, empty.View);
        acc.Synchronize();
    }

    public static void ConcurrentUse(Accelerator acc)
    {
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            try
            {
                using var stream = t % 2 == 0 ? acc.CreateStream() : null;
                var s = stream ?? acc.DefaultStream;
                for (int round = 0; round < 10; round++)
                {
                    int n = 1000 + t * 37 + round;
                    var a = Enumerable.Range(0, n).Select(i => (float)(i + t)).ToArray();
                    using var da = acc.Allocate<float>(n);
                    using var dc = acc.Allocate<float>(n);
                    s.CopyFromHost<float>(a, da.View);
                    s.Launch(CudaTestKernels.VectorAdd, new LaunchDims(n), da.View, da.View, dc.View);
                    var c = new float[n];
                    s.CopyToHost(dc.View, c);
                    for (int i = 0; i < n; i++)
                    {
                        if (c[i] != 2 * a[i])
                        {
                            throw new InvalidOperationException($"thread {t} round {round}: c[{i}] = {c[i]}, expected {2 * a[i]}");
                        }
                    }
                }
            }
#pragma warning disable CA1031 // collected and rethrown on the test thread
            catch (Exception ex)
#pragma warning restore CA1031
            {
                errors.Enqueue(ex);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(errors);
    }

    private static void CheckFill<T>(Accelerator acc, T value) where T : unmanaged, IEquatable<T>
    {
        using var buffer = acc.Allocate<T>(1037);
        buffer.Fill(default);
        acc.DefaultStream.Fill(buffer.View.SubView(3, 1030), value);
        var got = buffer.ToArray();
        for (int i = 0; i < got.Length; i++)
        {
            Assert.True((i is >= 3 and < 1033 ? value : default).Equals(got[i]), $"{typeof(T).Name} fill: element {i} is {got[i]}");
        }
    }
}
