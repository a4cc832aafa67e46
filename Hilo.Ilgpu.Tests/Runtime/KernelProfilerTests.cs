using System.Diagnostics;
using Hilo.Ilgpu.Kernels.Gemm;
using Hilo.Ilgpu.Kernels.Runtime;

namespace Hilo.Ilgpu.Tests.Runtime;

/// <summary>The kernel profiler's totals: times, shapes kept apart on request, and FLOP rates where ops state FLOPs.</summary>
public sealed class KernelProfilerTests
{
    [Fact]
    public void RatesAreStatedFlopsOverMeasuredTime()
    {
        var profiler = new KernelProfiler { ByLaunchShape = true };
        long second = Stopwatch.Frequency;
        profiler.Record("Gemm", KernelFamily.Cpu, second / 2, "4x5x6", 3e9);
        profiler.Record("Gemm", KernelFamily.Cpu, second / 2, "4x5x6", 1e9);
        profiler.Record("Gemm", KernelFamily.Cpu, second, "7x8x9", 0);
        profiler.Record("Norm", KernelFamily.Cpu, second / 4);

        var gemm = Assert.Single(profiler.Entries, e => e.Kernel == "Gemm 4x5x6");
        Assert.Equal(2, gemm.Launches);
        Assert.Equal(1.0, gemm.TotalSeconds, 9);
        Assert.Equal(4e9, gemm.Flops);
        Assert.Equal(4.0, gemm.GflopsPerSecond!.Value, 9);
        Assert.Null(Assert.Single(profiler.Entries, e => e.Kernel == "Gemm 7x8x9").GflopsPerSecond);
        Assert.Null(Assert.Single(profiler.Entries, e => e.Kernel == "Norm").GflopsPerSecond);
        Assert.Equal(2.25, profiler.TotalSeconds, 9);
    }

    [Fact]
    public void ShapesShareOneEntryUnlessKeptApart()
    {
        var profiler = new KernelProfiler();
        profiler.Record("Gemm", KernelFamily.Cpu, 10, "4x5x6", 100);
        profiler.Record("Gemm", KernelFamily.Cpu, 30, "7x8x9", 200);
        var entry = Assert.Single(profiler.Entries);
        Assert.Equal("Gemm", entry.Kernel);
        Assert.Equal(300, entry.Flops);
        Assert.Equal(40 / (double)Stopwatch.Frequency, entry.TotalSeconds, 12);
    }

    [Theory]
    [InlineData(-1L, 0.0)]
    [InlineData(1L, -1.0)]
    [InlineData(1L, double.NaN)]
    [InlineData(1L, double.PositiveInfinity)]
    public void NegativeOrNonFiniteRecordsAreRefused(long ticks, double flops)
    {
        var profiler = new KernelProfiler();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => profiler.Record("Gemm", KernelFamily.Cpu, ticks, null, flops));
        Assert.Contains("Profiler record for Gemm", e.Message, StringComparison.Ordinal);
        Assert.Empty(profiler.Entries);
    }

    [Fact]
    public void TheCpuGemmStatesItsShapeAndTwoFlopsPerMultiplyAdd()
    {
        using var device = ComputeDevice.Open("cpu");
        const int m = 5, k = 7, n = 33;
        using var a = device.Upload(new float[m * k], m, k);
        using var b = device.Upload(new float[k * n], k, n);
        using var packed = device.Allocate(PanelGemmCpu.PackedLength(k, n));
        using var c = device.Allocate(m, n);
        PanelGemmCpu.Pack(device.Kernels, b.View, packed.View, k, n);
        device.Kernels.Profiler = new KernelProfiler { ByLaunchShape = true };
        PanelGemmCpu.Multiply(device.Kernels, a.View, packed.View, c.View, m, n, k);
        PanelGemmCpu.Multiply(device.Kernels, a.View, packed.View, c.View, m, n, k);
        var entry = Assert.Single(device.Kernels.Profiler.Entries);
        device.Kernels.Profiler = null;
        Assert.Equal("PanelGemmCpu 5x7x33", entry.Kernel);
        Assert.Equal(2, entry.Launches);
        Assert.Equal(2 * (2.0 * 5 * 7 * 33), entry.Flops);
    }
}
