using System.Diagnostics;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>Times HiLo layers and whole models on a device for <see cref="ModelPlanner"/>: random weights and inputs, warm-up, median of runs.</summary>
public static class ModelPlannerTiming
{
    /// <summary>A timer that measures on <paramref name="device"/>: <paramref name="warmup"/> untimed passes, then the median of <paramref name="runs"/> timed ones (each waited for).</summary>
    public static ModelPlanTimer OnDevice(ComputeDevice device, int runs, int warmup, int seed)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        return new ModelPlanTimer
        {
            DeviceId = device.Info.Id,
            DeviceName = device.Info.Name,
            IsGpu = device.Style == KernelStyle.Gpu,
            LayerMilliseconds = c => Layer(device, c, runs, warmup, seed),
            ModelMilliseconds = c => Model(device, c, runs, warmup, seed),
        };
    }

    private static double Layer(ComputeDevice device, PlanLayerCase c, int runs, int warmup, int seed)
    {
        using var layer = new HiLoAttention(device, c.Dim, c.Heads, c.Window, c.Alpha, c.QkvBias);
        layer.InitializeRandom(seed);
        using var input = device.Upload(RandomValues((long)c.Batch * c.Height * c.Width * c.Dim, seed), c.Batch, c.Height * c.Width, c.Dim);
        return Median(device, () => layer.Forward(input, c.Height, c.Width), runs, warmup);
    }

    private static double Model(ComputeDevice device, PlanModelCase c, int runs, int warmup, int seed)
    {
        using var model = new Litv2Model(device, c.Config);
        model.InitializeRandom(seed);
        int[] shape = [c.Batch, Litv2Config.InChannels, c.ImageSize, c.ImageSize];
        using var images = device.Upload(RandomValues((long)c.Batch * Litv2Config.InChannels * c.ImageSize * c.ImageSize, seed), shape);
        return Median(device, () => model.Forward(images), runs, warmup);
    }

    // Each run waits for the device, so the time includes what a caller waits for (launches and host work).
    private static double Median(ComputeDevice device, Func<Tensor> forward, int runs, int warmup)
    {
        for (int i = 0; i < warmup; i++)
        {
            forward().Dispose();
        }
        device.Synchronize();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using (forward())
            {
                device.Synchronize();
            }
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return Median(times);
    }

    /// <summary>The median (mean of the middle two for an even count).</summary>
    internal static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }

    private static float[] RandomValues(long count, int seed)
    {
        var random = new Random(seed + 1);
        var data = new float[count];
        for (long i = 0; i < count; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return data;
    }
}
