using Hilo.Ilgpu.IO;
using Hilo.Ilgpu.Kernels.Runtime;
using Hilo.Ilgpu.Scheduling;
using ILGPU.Runtime;

namespace Hilo.Ilgpu;

/// <summary>
/// A device to run models on: an ILGPU accelerator (owned) with the stream every layer queues its work on, and the
/// kernel family its layers use. Tensors and modules are created on one <see cref="ComputeDevice"/>.
/// </summary>
/// <remarks>
/// On <c>cpu</c> (ILGPU's CPU accelerator) the layers use the CPU kernel family by default, and the tuner may pick
/// ILGPU kernels where it measures them faster; <see cref="PinnedFamily"/> = <see cref="KernelFamily.Ilgpu"/> makes
/// every layer run ILGPU kernels there (how a kernel author steps through one with a debugger). Elsewhere only
/// ILGPU kernels run.
/// </remarks>
public sealed class ComputeDevice : IDisposable
{
    private KernelTuner? tuner;

    private ComputeDevice(KernelDevice kernels, KernelFamily? pinned)
    {
        Kernels = kernels;
        if (pinned == KernelFamily.Cpu && !kernels.IsCpuAccelerator)
        {
            kernels.Dispose();
            throw new ArgumentException($"The CPU kernel family runs only on the CPU accelerator ('cpu'); {kernels.Info.Id} ({kernels.Info.Name}) runs ILGPU kernels.", nameof(pinned));
        }
        PinnedFamily = pinned;
        Family = pinned ?? (kernels.IsCpuAccelerator ? KernelFamily.Cpu : KernelFamily.Ilgpu);
    }

    /// <summary>The device's kernel runtime: the ILGPU accelerator, stream, loaded kernels and buffer pool.</summary>
    public KernelDevice Kernels { get; }

    /// <summary>The ILGPU accelerator (for your own kernels: <c>Accelerator.LoadAutoGroupedStreamKernel(...)</c>).</summary>
    public Accelerator Accelerator => Kernels.Accelerator;

    /// <summary>The ILGPU stream every layer of this device queues its work on.</summary>
    public AcceleratorStream Stream => Kernels.Stream;

    /// <summary>The family layers use when nothing is measured: the CPU family on the CPU accelerator, else ILGPU kernels (or the pinned one).</summary>
    public KernelFamily Family { get; }

    /// <summary>The one family every layer must use on this device, or null to let the tuner choose per layer and shape.</summary>
    public KernelFamily? PinnedFamily { get; }

    /// <summary>Families layers may choose from here: the pinned one, or every family the accelerator runs.</summary>
    public IReadOnlyList<KernelFamily> Families => PinnedFamily is { } p ? [p] : Kernels.Families;

    /// <summary>Whether variants of <paramref name="family"/> may run on this device.</summary>
    public bool Allows(KernelFamily family) => Families.Contains(family);

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
    public DeviceInfo Info => Kernels.Info;

    /// <summary>Opens a device by device string (<c>cpu</c>, <c>opencl:0</c>, <c>cuda:0</c>, ...); <paramref name="family"/> pins a kernel family.</summary>
    /// <exception cref="DeviceNotFoundException">No such device; the message lists the devices there are.</exception>
    public static ComputeDevice Open(string device, KernelFamily? family = null) => new(Devices.Open(device), family);

    /// <summary>
    /// The device expected to be fastest: a CUDA GPU, else an OpenCL GPU, else the CPU accelerator with the CPU kernel
    /// family (faster than CPU OpenCL runtimes and needing nothing installed).
    /// </summary>
    public static ComputeDevice OpenFastest() => Open(FastestDeviceId());

    /// <summary>The device string <see cref="OpenFastest"/> opens.</summary>
    public static string FastestDeviceId()
    {
        var gpu = Devices.All.Where(d => d.Kind == DeviceKind.Gpu)
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
        var buffer = Kernels.Allocate(count);
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
        try
        {
            Kernels.CopyFromHost(data, tensor.View);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
        return tensor;
    }

    /// <summary>Waits for every queued kernel.</summary>
    public void Synchronize() => Kernels.Synchronize();

    /// <summary>Frees the accelerator and everything allocated on it.</summary>
    public void Dispose() => Kernels.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"{Info.Id} ({Info.Name}, {(PinnedFamily is null ? "" : "pinned ")}{Family} kernels)";
}
