using System.Globalization;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Benchmarks;

/// <summary>
/// Runs the paper's protocols (DESIGN.md §1) on devices: for each device and subject, random weights and inputs,
/// one untimed pass that builds kernels and tunes them (docs/scheduler.md), <see cref="CompareSettings.Warmup"/> more
/// untimed forward passes, then <see cref="CompareSettings.Runs"/> passes timed
/// with device events (recorded on the device's stream around the timed passes, read after synchronising), with the
/// device's peak memory over the timed passes. A device that cannot be opened, or runs out of memory, is skipped with
/// the reason; other devices still run.
/// </summary>
public static class CompareRunner
{
    /// <summary>Every device present, as device strings (<see cref="Devices.All"/>).</summary>
    public static IReadOnlyList<string> AllDevices() => Devices.All.Select(d => d.Id).ToList();

    /// <summary>Measures every subject of <paramref name="settings"/> on every device of <paramref name="devices"/>.</summary>
    /// <param name="devices">Device strings, in table order.</param>
    /// <param name="settings">Protocol, subjects, batch, runs.</param>
    /// <param name="progress">Receives one line per step (for a progress display); may be null.</param>
    public static CompareReport Run(IReadOnlyList<string> devices, CompareSettings settings, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var names = settings.EffectiveNames;
        // A tensor past 32-bit indexing fits no device: one error before any device is opened.
        settings.EnsureFits("any device", long.MaxValue);
        var results = new List<CompareResult>();
        var skipped = new List<SkippedDevice>();
        int total = devices.Count * names.Count, step = 0;
        foreach (string id in devices)
        {
            ComputeDevice device;
            try
            {
                device = ComputeDevice.Open(id, settings.Family);
            }
            catch (Exception e) when (e is DeviceNotFoundException or ILGPU.Runtime.AcceleratorException or DllNotFoundException)
            {
                skipped.Add(new SkippedDevice(id, e.Message));
                progress?.Invoke($"{id}: skipped — {e.Message}");
                step += names.Count;
                continue;
            }
            using (device)
            {
                // Memory is checked before anything is built: a device too small for the batch is skipped with the reason.
                try
                {
                    settings.EnsureFits(id, device.Kernels.FreeBytes);
                }
                catch (InputTooLargeException e)
                {
                    skipped.Add(new SkippedDevice(id, e.Message));
                    progress?.Invoke($"{id}: skipped — {e.Message}");
                    step += names.Count;
                    continue;
                }
                var rows = new List<CompareResult>();
                foreach (string name in names)
                {
                    step++;
                    string prefix = string.Create(CultureInfo.InvariantCulture, $"[{step}/{total}] {id} {name}");
                    try
                    {
                        rows.Add(Measure(device, id, settings, name, line => progress?.Invoke($"{prefix}: {line}")));
                    }
                    catch (DeviceOutOfMemoryException e)
                    {
                        progress?.Invoke($"{prefix}: skipped — {e.Message}");
                        skipped.Add(new SkippedDevice(id, $"{name}: {e.Message}"));
                    }
                }
                results.AddRange(WithSpeedUps(rows, settings.Protocol));
            }
        }
        return new CompareReport(results, skipped);
    }

    private static CompareResult Measure(ComputeDevice device, string id, CompareSettings settings, string name, Action<string> progress)
    {
        progress($"building with random weights");
        using var subject = BenchmarkSubject.Create(device, settings, name);
        using var input = device.Upload(RandomInput(subject.InputShape, settings.Seed), subject.InputShape);
        // One untimed pass even with --warmup 0: it builds the kernels and, in the scheduler's measure mode, times
        // the kernel variants of shapes not in the tuning cache — neither belongs in the timed runs.
        progress("first pass (builds kernels; tunes shapes not in the tuning cache)");
        subject.Forward(input).Dispose();
        device.Synchronize();
        progress(string.Create(CultureInfo.InvariantCulture, $"{settings.Warmup} warm-up pass(es)"));
        for (int i = 0; i < settings.Warmup; i++)
        {
            subject.Forward(input).Dispose();
        }
        device.Synchronize();
        BenchmarkSettle.Now();
        progress(string.Create(CultureInfo.InvariantCulture, $"{settings.Runs} timed pass(es) of batch {settings.Batch}"));
        device.Kernels.ResetPeakMemory();
        // Wall clock between two synchronisations: the same measure on every accelerator (the queue is drained at both ends).
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < settings.Runs; i++)
        {
            subject.Forward(input).Dispose();
        }
        device.Synchronize();
        double ms = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var result = new CompareResult
        {
            Device = id,
            DeviceName = device.Info.Name,
            DeviceKind = device.Info.Kind == DeviceKind.Gpu ? "gpu" : "cpu",
            Protocol = settings.Protocol == CompareProtocol.Attention ? "attention" : "model",
            Name = subject.Name,
            Batch = settings.Batch,
            Runs = settings.Runs,
            TotalMilliseconds = ms,
            Parameters = subject.Complexity.Parameters,
            Flops = subject.Complexity.Flops,
            PeakMemoryBytes = device.Kernels.PeakAllocatedBytes,
        };
        progress(string.Create(CultureInfo.InvariantCulture, $"{result.ImagesPerSecond:0.0} images/s, {result.MillisecondsPerBatch:0.0} ms/batch"));
        return result;
    }

    // The reference of each device's rows: MSA in the attention protocol, the first model in the model protocol.
    private static IEnumerable<CompareResult> WithSpeedUps(List<CompareResult> rows, CompareProtocol protocol)
    {
        var reference = protocol == CompareProtocol.Attention ? rows.FirstOrDefault(r => r.Name == "msa") : rows.FirstOrDefault();
        return rows.Select(r => reference is null ? r : r with { SpeedUp = r.ImagesPerSecond / reference.ImagesPerSecond });
    }

    private static float[] RandomInput(int[] shape, int seed)
    {
        var random = new Random(seed + 1);
        var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return data;
    }
}
