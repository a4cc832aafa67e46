using Hilo.Ilgpu.Compute;
using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Scheduling;

namespace Hilo.Ilgpu;

/// <summary>Which family of kernel variants suits a device (DESIGN.md §6: a 20× factor on CPUs).</summary>
public enum KernelStyle
{
    /// <summary>Wide vector registers, one work-item per group (CPU devices: the managed CPU, PoCL, Intel CPU runtime).</summary>
    Cpu,

    /// <summary>Tiles in shared memory, many work-items per group (GPUs).</summary>
    Gpu,
}

/// <summary>
/// A device to run models on: the accelerator, the stream every layer queues its kernels on, and the kernel
/// style chosen for the device. Tensors and modules are created on one <see cref="ComputeDevice"/>.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    private KernelTuner? tuner;

    private ComputeDevice(Accelerator accelerator)
    {
        Accelerator = accelerator;
        Stream = accelerator.DefaultStream;
        Style = accelerator.Device.Kind == DeviceKind.Gpu ? KernelStyle.Gpu : KernelStyle.Cpu;
    }

    /// <summary>The accelerator (owned: disposed with this device).</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The stream layers queue their kernels on.</summary>
    public AcceleratorStream Stream { get; }

    /// <summary>The kernel variants layers use on this device.</summary>
    public KernelStyle Style { get; }

    /// <summary>
    /// Chooses kernel variants per layer shape on this device by measuring them (docs/scheduler.md). Created on
    /// first use with the mode of <c>HILO_TUNING</c> and the default cache; replace it to change either.
    /// </summary>
    public KernelTuner Tuner
    {
        get => tuner ??= new KernelTuner(this);
        set => tuner = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The device's properties.</summary>
    public DeviceInfo Info => Accelerator.Device;

    /// <summary>Opens a device by device string (<c>cpu</c>, <c>opencl:0</c>, <c>cuda:0</c>, ...).</summary>
    public static ComputeDevice Open(string device) => new(Devices.Open(device));

    /// <summary>
    /// The device expected to be fastest: a CUDA GPU, else an OpenCL GPU, else the managed CPU
    /// (as fast as CPU OpenCL runtimes with CPU-style kernels and needing nothing installed).
    /// </summary>
    public static ComputeDevice OpenFastest() => Open(FastestDeviceId());

    /// <summary>The device string <see cref="OpenFastest"/> opens.</summary>
    public static string FastestDeviceId()
    {
        var all = Devices.All;
        var gpu = all.Where(d => d.Kind == DeviceKind.Gpu)
            .OrderBy(d => d.Backend == BackendKind.Cuda ? 0 : 1)
            .ThenByDescending(d => d.ComputeUnits)
            .FirstOrDefault();
        return gpu?.Id ?? "cpu";
    }

    /// <summary>Allocates an uninitialised tensor.</summary>
    public Tensor Allocate(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = HostTensor.ElementCountOf(shape);
        if (count > int.MaxValue)
        {
            throw new ArgumentException($"A tensor of shape {HostTensor.FormatShape(shape)} has {count} elements; the limit is {int.MaxValue}.", nameof(shape));
        }
        var buffer = Accelerator.Allocate<float>((int)count);
        return new Tensor(this, buffer, buffer.View, (int[])shape.Clone());
    }

    /// <summary>Allocates a tensor holding a copy of <paramref name="host"/>.</summary>
    public Tensor Upload(HostTensor host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return Upload(host.Data, [.. host.Shape]);
    }

    /// <summary>Allocates a tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/>.</summary>
    public Tensor Upload(ReadOnlySpan<float> data, params int[] shape)
    {
        var tensor = Allocate(shape);
        if (tensor.Length != data.Length)
        {
            tensor.Dispose();
            throw new ArgumentException($"{data.Length} values do not fill a tensor of shape {HostTensor.FormatShape(shape)} ({tensor.Length} elements).");
        }
        Stream.CopyFromHost(data, tensor.View);
        return tensor;
    }

    /// <summary>Waits for every queued kernel.</summary>
    public void Synchronize() => Stream.Synchronize();

    /// <summary>Frees the accelerator and everything allocated on it.</summary>
    public void Dispose() => Accelerator.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"{Info.Id} ({Info.Name}, {Style}-style kernels)";
}
