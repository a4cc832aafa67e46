using Hilo.Ilgpu.Analysis;
using Hilo.Ilgpu.Layers;
using Hilo.Ilgpu.Models;
using Hilo.Ilgpu.Modules;

namespace Hilo.Ilgpu.Benchmarks;

/// <summary>A layer or model built on a device for timing: its module, its input shape and its forward pass.</summary>
internal sealed class BenchmarkSubject : IDisposable
{
    private readonly Func<Tensor, Tensor> forward;

    private BenchmarkSubject(string name, Module module, int[] inputShape, Func<Tensor, Tensor> forward, int countHeight, int countWidth)
    {
        Name = name;
        Module = module;
        InputShape = inputShape;
        this.forward = forward;
        Complexity = Complexity.Of(module, countHeight, countWidth);
    }

    public string Name { get; }

    public Module Module { get; }

    public int[] InputShape { get; }

    public Complexity Complexity { get; }

    public Tensor Forward(Tensor input) => forward(input);

    /// <summary>Builds subject <paramref name="name"/> of <paramref name="settings"/>' protocol with random weights.</summary>
    public static BenchmarkSubject Create(ComputeDevice device, CompareSettings settings, string name)
    {
        BenchmarkSubject subject = settings.Protocol == CompareProtocol.Attention ? Attention(device, settings, name) : Model(device, settings, name);
        try
        {
            subject.Module.InitializeRandom(settings.Seed);
            return subject;
        }
        catch
        {
            subject.Dispose();
            throw;
        }
    }

    private static BenchmarkSubject Attention(ComputeDevice device, CompareSettings s, string name)
    {
        int side = s.MapSide;
        int[] shape = [s.Batch, side * side, s.Dim];
        string key = name.ToLowerInvariant();
        return key switch
        {
            "hilo" => Make(new HiLoAttention(device, s.Dim, s.Heads, s.HiLoWindow, s.Alpha, qkvBias: true), (m, x) => m.Forward(x, side, side)),
            "sra" => Make(new SpatialReductionAttention(device, s.Dim, s.Heads, qkvBias: true, srRatio: s.HiLoWindow), (m, x) => m.Forward(x, side, side)),
            "local-window" => Make(new WindowAttention(device, s.Dim, s.Heads, s.LocalWindow, qkvBias: true), (m, x) => m.Forward(x, side, side)),
            "msa" => Make(new MultiHeadAttention(device, s.Dim, s.Heads, qkvBias: true), (m, x) => m.Forward(x, side, side)),
            _ => throw new ArgumentException($"Unknown attention '{name}': use {string.Join(", ", CompareSettings.AttentionNames)}."),
        };

        BenchmarkSubject Make<T>(T module, Func<T, Tensor, Tensor> run) where T : Module =>
            new(key, module, shape, x => run(module, x), side, side);
    }

    private static BenchmarkSubject Model(ComputeDevice device, CompareSettings s, string name)
    {
        var config = Litv2Config.Preset(name);
        var model = new Litv2Model(device, config);
        return new BenchmarkSubject(config.Name, model, [s.Batch, Litv2Config.InChannels, s.ImageSize, s.ImageSize], model.Forward, s.ImageSize, s.ImageSize);
    }

    public void Dispose() => Module.Dispose();
}
