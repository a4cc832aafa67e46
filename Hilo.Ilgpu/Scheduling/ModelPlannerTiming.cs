using System.Diagnostics;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>
/// Times HiLo layers and whole models on a device for <see cref="ModelPlanner"/>: random weights and inputs, warm-up,
/// then rounds in which every case runs once in turn (every other round in reverse order), so that a change of machine
/// load (other processes on a shared CPU) hits every candidate alike; each case's time is the median of its rounds.
/// </summary>
public static class ModelPlannerTiming
{
    /// <summary>A timer that measures on <paramref name="device"/>: <paramref name="warmup"/> untimed passes per case, then <paramref name="runs"/> rounds.</summary>
    /// <param name="device">The device.</param>
    /// <param name="runs">Timed rounds (the median is used).</param>
    /// <param name="warmup">Untimed passes of each case first (the first builds its kernels).</param>
    /// <param name="seed">Seed of the random weights and inputs.</param>
    /// <param name="progress">Receives a line per round; may be null.</param>
    public static ModelPlanTimer OnDevice(ComputeDevice device, int runs, int warmup, int seed, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        return new ModelPlanTimer
        {
            DeviceId = device.Info.Id,
            DeviceName = device.Info.Name,
            IsGpu = device.Family == KernelFamily.Ilgpu,
            FreeMemoryBytes = device.Kernels.FreeBytes,
            LayerMilliseconds = cases => Rounds(device, Build(cases, c => LayerSubject(device, c, seed)), runs, warmup, "layers", progress),
            ModelMilliseconds = cases => Rounds(device, Build(cases, c => ModelSubject(device, c, seed)), runs, warmup, "models", progress),
        };
    }

    // A built module with its input: the forward pass to time, and what to free afterwards.
    private sealed record Subject(Func<Tensor> Forward, IDisposable Module, Tensor Input);

    private static List<Subject> Build<T>(IReadOnlyList<T> cases, Func<T, Subject> build)
    {
        var subjects = new List<Subject>();
        try
        {
            foreach (var c in cases)
            {
                subjects.Add(build(c));
            }
            return subjects;
        }
        catch
        {
            Free(subjects);
            throw;
        }
    }

    private static void Free(List<Subject> subjects)
    {
        foreach (var subject in subjects)
        {
            subject.Input.Dispose();
            subject.Module.Dispose();
        }
    }

    private static Subject LayerSubject(ComputeDevice device, PlanLayerCase c, int seed)
    {
        var layer = new HiLoAttention(device, c.Dim, c.Heads, c.Window, c.Alpha, c.QkvBias);
        try
        {
            layer.InitializeRandom(seed);
            var input = device.Upload(RandomValues((long)c.Batch * c.Height * c.Width * c.Dim, seed), c.Batch, c.Height * c.Width, c.Dim);
            return new Subject(() => layer.Forward(input, c.Height, c.Width), layer, input);
        }
        catch
        {
            layer.Dispose();
            throw;
        }
    }

    private static Subject ModelSubject(ComputeDevice device, PlanModelCase c, int seed)
    {
        var model = new Litv2Model(device, c.Config);
        try
        {
            model.InitializeRandom(seed);
            int[] shape = [c.Batch, Litv2Config.InChannels, c.ImageSize, c.ImageSize];
            var images = device.Upload(RandomValues((long)c.Batch * Litv2Config.InChannels * c.ImageSize * c.ImageSize, seed), shape);
            return new Subject(() => model.Forward(images), model, images);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    // Each pass waits for the device, so a time includes what a caller waits for (launches and host work).
    private static double[] Rounds(ComputeDevice device, List<Subject> subjects, int runs, int warmup, string what, IProgress<string>? progress)
    {
        try
        {
            progress?.Report($"warming up {subjects.Count} {what} ({warmup} pass(es) each)");
            foreach (var subject in subjects)
            {
                for (int i = 0; i < warmup; i++)
                {
                    subject.Forward().Dispose();
                }
            }
            device.Synchronize();
            var times = new double[subjects.Count][];
            for (int k = 0; k < subjects.Count; k++)
            {
                times[k] = new double[runs];
            }
            for (int r = 0; r < runs; r++)
            {
                progress?.Report($"round {r + 1}/{runs}: every one of {subjects.Count} {what} once");
                // Every other round in reverse order, so that no case always follows the same one (or runs first).
                for (int j = 0; j < subjects.Count; j++)
                {
                    int k = r % 2 == 0 ? j : subjects.Count - 1 - j;
                    long start = Stopwatch.GetTimestamp();
                    using (subjects[k].Forward())
                    {
                        device.Synchronize();
                    }
                    times[k][r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }
            return times.Select(Median).ToArray();
        }
        finally
        {
            Free(subjects);
        }
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
