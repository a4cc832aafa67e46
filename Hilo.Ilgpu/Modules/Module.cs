using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Modules;

/// <summary>A named tensor of a module: a learned parameter or a buffer (e.g. BatchNorm running statistics).</summary>
public sealed class Parameter
{
    internal Parameter(string name, int[] shape, bool isBuffer)
    {
        Name = name;
        Shape = shape;
        IsBuffer = isBuffer;
    }

    /// <summary>Name relative to its module (the official PyTorch name, e.g. <c>weight</c>).</summary>
    public string Name { get; }

    /// <summary>Shape as stored in checkpoints (PyTorch layout).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>True for buffers (in checkpoints but not counted as parameters, like PyTorch's <c>register_buffer</c>).</summary>
    public bool IsBuffer { get; }

    /// <summary>
    /// True for buffers whose value is fixed by the architecture (e.g. Swin's <c>relative_position_index</c>):
    /// loaded from checkpoints like any buffer, but kept as constructed by <see cref="Module.InitializeRandom"/>.
    /// </summary>
    public bool IsConstant { get; internal init; }

    /// <summary>Whether every value must be ≥ 0 (a variance): a checkpoint with a negative one is refused on load.</summary>
    public bool MustBeNonNegative { get; internal set; }

    /// <summary>The host value (PyTorch layout): zeros until loaded or initialised.</summary>
    public HostTensor Value { get; internal set; } = null!;

    /// <summary>Number of elements.</summary>
    public long ElementCount => HostTensor.ElementCountOf(Shape);
}

/// <summary>
/// Base of every layer and model: a tree of named children and named parameters whose full names
/// (<c>stage.0.attn.h_qkv.weight</c>) are the official PyTorch state-dict keys, so checkpoints load by name.
/// Parameters live on the host in PyTorch layout; <see cref="Prepare"/> turns them into the device tensors
/// (transposed, packed, folded) that the module's kernels want.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Module Child)> children = [];
    private readonly List<Parameter> parameters = [];
    private readonly List<Tensor> deviceTensors = [];
    private bool prepared;

    /// <summary>Creates a module on <paramref name="device"/>.</summary>
    protected Module(ComputeDevice device) => Device = device ?? throw new ArgumentNullException(nameof(device));

    /// <summary>The device the module runs on.</summary>
    public ComputeDevice Device { get; }

    /// <summary>Registers a child under its official name and returns it.</summary>
    protected T AddChild<T>(string name, T child) where T : Module
    {
        children.Add((name, child));
        return child;
    }

    /// <summary>Registers a parameter (zero-initialised) under its official name.</summary>
    protected Parameter AddParameter(string name, params int[] shape) => Add(name, shape, isBuffer: false);

    /// <summary>Registers a buffer (zero-initialised) under its official name.</summary>
    protected Parameter AddBuffer(string name, params int[] shape) => Add(name, shape, isBuffer: true);

    /// <summary>
    /// Registers a buffer whose value is fixed by the architecture (<paramref name="value"/>): checkpoints still
    /// carry and load it, but <see cref="InitializeRandom"/> leaves it alone.
    /// </summary>
    protected Parameter AddConstantBuffer(string name, HostTensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var p = new Parameter(name, [.. value.Shape], isBuffer: true) { Value = value, IsConstant = true };
        parameters.Add(p);
        return p;
    }

    private Parameter Add(string name, int[] shape, bool isBuffer)
    {
        var p = new Parameter(name, shape, isBuffer) { Value = HostTensor.Zeros(shape) };
        parameters.Add(p);
        return p;
    }

    /// <summary>Every parameter and buffer with its full official name, in registration order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var p in parameters)
        {
            yield return (prefix + p.Name, p);
        }
        foreach (var (name, child) in children)
        {
            foreach (var item in child.NamedParameters(prefix + name + "."))
            {
                yield return item;
            }
        }
    }

    /// <summary>Number of learned parameters (buffers excluded), as PyTorch's <c>sum(p.numel())</c>.</summary>
    public long ParameterCount => NamedParameters().Where(p => !p.Parameter.IsBuffer).Sum(p => p.Parameter.ElementCount);

    /// <summary>
    /// Loads every parameter and buffer from <paramref name="state"/>, strictly: every missing, unexpected or
    /// mis-shaped key is reported at once (<see cref="CheckpointMismatchException"/>), and non-finite values are
    /// reported with their key, as are negative values where a variance is expected. Nothing is changed unless the whole
    /// state dict fits.
    /// </summary>
    public void LoadStateDict(StateDict state, string architecture)
    {
        ArgumentNullException.ThrowIfNull(state);
        var named = NamedParameters().ToList();
        Schema(architecture).Check(state);
        state.CheckFinite(named.Select(p => p.Name));
        foreach (var (name, p) in named.Where(p => p.Parameter.MustBeNonNegative))
        {
            float[] data = state[name].Data;
            int bad = Array.FindIndex(data, v => v < 0);
            if (bad >= 0)
            {
                throw new InvalidWeightsException(name, bad, data[bad], "a variance cannot be negative (is this a running_var from a corrupt or hand-made checkpoint?)");
            }
        }
        foreach (var (name, p) in named)
        {
            p.Value = state[name];
        }
        Prepare();
    }

    /// <summary>
    /// What this module expects of a state dict (every parameter and buffer with its shape): give it to
    /// <see cref="CheckpointLoader.Load(string, CheckpointLimits?, StateDictSchema?)"/> so that a file is checked
    /// before any tensor is read, and only this module's tensors are read.
    /// </summary>
    public StateDictSchema Schema(string architecture) =>
        new(architecture, [.. NamedParameters().Select(p => (p.Name, p.Parameter.Shape.ToArray()))]);

    /// <summary>Fills every parameter with deterministic pseudo-random values (for tests and benchmarks without a checkpoint).</summary>
    public void InitializeRandom(int seed)
    {
        var random = new Random(seed);
        foreach (var (name, p) in NamedParameters())
        {
            if (p.IsConstant)
            {
                continue;
            }
            var data = new float[p.ElementCount];
            // Rank-1 weights are norm scales and running_var a variance: keep them near 1.
            bool isScale = (p.Shape.Count == 1 && name.EndsWith(".weight", StringComparison.Ordinal)) || name.EndsWith("running_var", StringComparison.Ordinal);
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = isScale ? 1f + 0.1f * (float)(random.NextDouble() - 0.5) : 0.05f * (float)(random.NextDouble() * 2 - 1);
            }
            p.Value = new HostTensor([.. p.Shape], data);
        }
        Prepare();
    }

    /// <summary>(Re)builds the device tensors of this module and its children from the host parameters.</summary>
    public void Prepare()
    {
        foreach (var (_, child) in children)
        {
            child.Prepare();
        }
        // Not prepared until PrepareCore succeeds: a failure (e.g. an invalid buffer) must not leave a usable-looking
        // module whose device tensors were just released.
        prepared = false;
        ReleaseDeviceTensors();
        PrepareCore();
        prepared = true;
    }

    /// <summary>Builds this module's device tensors (use the Upload methods so they are freed on re-prepare and dispose).</summary>
    protected abstract void PrepareCore();

    /// <summary>Uploads a host array as a device tensor owned by this module.</summary>
    protected Tensor Upload(ReadOnlySpan<float> data, params int[] shape)
    {
        var t = Device.Upload(data, shape);
        deviceTensors.Add(t);
        return t;
    }

    /// <summary>Uploads a parameter's value unchanged (PyTorch layout).</summary>
    protected Tensor Upload(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return Upload(parameter.Value.Data, [.. parameter.Shape]);
    }

    /// <summary>Throws unless <see cref="Prepare"/> ran (weights loaded or initialised).</summary>
    protected void EnsurePrepared()
    {
        if (!prepared)
        {
            throw new InvalidOperationException($"{GetType().Name} has no weights yet: call LoadStateDict or InitializeRandom first.");
        }
    }

    private void ReleaseDeviceTensors()
    {
        foreach (var t in deviceTensors)
        {
            t.Dispose();
        }
        deviceTensors.Clear();
    }

    /// <summary>Frees the device tensors of this module and its children.</summary>
    public void Dispose()
    {
        foreach (var (_, child) in children)
        {
            child.Dispose();
        }
        ReleaseDeviceTensors();
        DisposeCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees what a subclass holds besides its uploaded tensors (e.g. work buffers cached across calls); called by <see cref="Dispose"/>.</summary>
    protected virtual void DisposeCore()
    {
    }
}
