using System.Globalization;
using Hilo.Ilgpu.Benchmarks;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Scheduling;

/// <summary>What <see cref="TuneRunner.Run"/> did: every choice per device, and the devices it could not use.</summary>
/// <param name="Decisions">Each key once per device, in the order the forward passes met them.</param>
/// <param name="Skipped">Devices that could not be opened or ran out of memory, with the reason.</param>
public sealed record TuneReport(IReadOnlyList<TuningDecision> Decisions, IReadOnlyList<SkippedDevice> Skipped);

/// <summary>
/// Tunes ahead of time (<c>hilo tune</c>): builds the subjects of the compare protocols (<see cref="CompareRunner"/>)
/// with random weights on each device and runs one forward pass with the device's tuner in
/// <see cref="TuningMode.Measure"/>, so every layer shape those protocols meet is measured and cached.
/// </summary>
public static class TuneRunner
{
    /// <summary>Tunes every subject of every protocol in <paramref name="protocols"/> on every device of <paramref name="devices"/>.</summary>
    /// <param name="devices">Device strings.</param>
    /// <param name="protocols">The protocols (with their subjects and batch) to run.</param>
    /// <param name="cache">Where the choices go.</param>
    /// <param name="progress">Receives one line per step and per measured key; may be null.</param>
    /// <param name="allFamilies">Measure every kernel family's variants at every shape (no family screen: <see cref="KernelTuner.ScreenFamilies"/>).</param>
    public static TuneReport Run(IReadOnlyList<string> devices, IReadOnlyList<CompareSettings> protocols, TuningCache cache, Action<string>? progress = null, bool allFamilies = false)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(protocols);
        ArgumentNullException.ThrowIfNull(cache);
        foreach (var p in protocols)
        {
            p.Validate();
        }
        var decisions = new List<TuningDecision>();
        var skipped = new List<SkippedDevice>();
        int total = devices.Count * protocols.Sum(p => p.EffectiveNames.Count), step = 0;
        foreach (var settings in protocols)
        {
            settings.EnsureFits("any device", long.MaxValue); // 32-bit indexing: no device can run it
        }
        foreach (string id in devices)
        {
            ComputeDevice device;
            try
            {
                device = ComputeDevice.Open(id, protocols.Count > 0 ? protocols[0].Family : null);
            }
            catch (Exception e) when (e is DeviceNotFoundException or ILGPU.Runtime.AcceleratorException or DllNotFoundException)
            {
                skipped.Add(new SkippedDevice(id, e.Message));
                progress?.Invoke($"{id}: skipped — {e.Message}");
                step += protocols.Sum(p => p.EffectiveNames.Count);
                continue;
            }
            using (device)
            {
                foreach (var settings in protocols)
                {
                    settings.EnsureFits(id, device.Kernels.FreeBytes);
                }
                var tuner = new KernelTuner(device, TuningMode.Measure, cache) { ScreenFamilies = !allFamilies };
                device.Tuner = tuner;
                foreach (var settings in protocols)
                {
                    foreach (string name in settings.EffectiveNames)
                    {
                        step++;
                        string prefix = string.Create(CultureInfo.InvariantCulture, $"[{step}/{total}] {id} {name}");
                        progress?.Invoke($"{prefix}: one forward pass of batch {settings.Batch.ToString(CultureInfo.InvariantCulture)}");
                        tuner.Measured = entry => progress?.Invoke($"{prefix}: {Describe(entry)}");
                        try
                        {
                            using var subject = BenchmarkSubject.Create(device, settings, name);
                            using var input = device.Upload(new float[subject.InputShape.Aggregate(1, (a, b) => a * b)], subject.InputShape);
                            subject.Forward(input).Dispose();
                            device.Synchronize();
                        }
                        catch (DeviceOutOfMemoryException e)
                        {
                            progress?.Invoke($"{prefix}: skipped — {e.Message}");
                            skipped.Add(new SkippedDevice(id, $"{name}: {e.Message}"));
                        }
                    }
                }
                if (tuner.FamilyScreen is { } screen)
                {
                    decisions.Add(screen);
                }
                decisions.AddRange(tuner.Decisions);
            }
        }
        return new TuneReport(decisions, skipped);
    }

    /// <summary>One line for a measurement: <c>linear m=…,k=…,n=…: panel 12.3 ms, tiled 250 ms (stopped) → panel</c>.</summary>
    public static string Describe(TuningEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var times = entry.Milliseconds.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.Key} {p.Value:0.00} ms{(entry.Stopped.Contains(p.Key) ? " (stopped)" : "")}"));
        return $"{entry.Key.Operation} {entry.Key.Shape}: {string.Join(", ", times)} → {entry.Choice}";
    }
}
