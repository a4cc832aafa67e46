using BenchmarkDotNet.Attributes;
using Hilo.Ilgpu.Kernels.Runtime;

namespace Hilo.Ilgpu.Bench.Suites;

/// <summary>
/// Base of every suite: the device string is a benchmark parameter listing every device found
/// (<c>cpu</c>, <c>opencl:0</c>, <c>cuda:0</c>, ...), or those in the environment variable
/// <c>HILO_BENCH_DEVICES</c> (comma-separated) when it is set. Global setup opens the device and calls
/// <see cref="Setup"/>; global cleanup calls <see cref="Cleanup"/> and disposes the device.
/// Every benchmark method must end with <see cref="Sync"/> so the queued kernels are inside the measurement.
/// </summary>
public abstract class DeviceBenchmark
{
    private ComputeDevice? device;

    /// <summary>Device strings to run on.</summary>
    public static IEnumerable<string> AvailableDevices()
    {
        string? only = Environment.GetEnvironmentVariable("HILO_BENCH_DEVICES");
        if (!string.IsNullOrWhiteSpace(only))
        {
            return only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        return Devices.All.Select(d => d.Id);
    }

    /// <summary>The device string of this case.</summary>
    [ParamsSource(nameof(AvailableDevices))]
    public string Device { get; set; } = "cpu";

    /// <summary>The open device.</summary>
    protected ComputeDevice Dev => device ?? throw new InvalidOperationException("GlobalSetup has not run");

    /// <summary>Opens the device and builds the inputs.</summary>
    [GlobalSetup]
    public void GlobalSetup()
    {
        device = ComputeDevice.Open(Device);
        Setup();
        Sync();
    }

    /// <summary>Frees what <see cref="Setup"/> built and closes the device.</summary>
    [GlobalCleanup]
    public void GlobalCleanup()
    {
        Cleanup();
        device?.Dispose();
        device = null;
    }

    /// <summary>Builds layers and inputs on <see cref="Dev"/>.</summary>
    protected abstract void Setup();

    /// <summary>Disposes what <see cref="Setup"/> built (the device frees its buffers anyway).</summary>
    protected virtual void Cleanup()
    {
    }

    /// <summary>Waits for every kernel queued on the device's stream.</summary>
    protected void Sync() => Dev.Synchronize();

    /// <summary>A device tensor of uniform random values in [-scale, scale].</summary>
    protected Tensor RandomTensor(int seed, float scale, params int[] shape)
    {
        var rng = new Random(seed);
        long n = 1;
        foreach (int d in shape)
        {
            n *= d;
        }
        var data = new float[n];
        for (long i = 0; i < n; i++)
        {
            data[i] = scale * (float)(rng.NextDouble() * 2 - 1);
        }
        return Dev.Upload(data, shape);
    }
}
