using Hilo.Ilgpu.IO;

namespace Hilo.Ilgpu.Models;

/// <summary>
/// One stage's output map for dense-prediction users: the tokens after the stage's blocks, before its deformable
/// token merging and before any norm (the official detection backbone adds its own norms on top), channels-last.
/// </summary>
/// <param name="Tokens">B × H·W × C tokens, row-major over the H×W map (token index y·W + x).</param>
/// <param name="Height">Map height H.</param>
/// <param name="Width">Map width W.</param>
public sealed record FeatureMap(Tensor Tokens, int Height, int Width)
{
    /// <summary>Channels C.</summary>
    public int Channels => Tokens.Dim(2);

    /// <summary>Batch size B.</summary>
    public int Batch => Tokens.Dim(0);

    /// <summary>Copies the map to the host as NCHW (B × C × H × W), PyTorch's layout for feature maps.</summary>
    public HostTensor ToHostNchw()
    {
        float[] tokens = Tokens.ToArray();
        int b = Batch, c = Channels, n = Height * Width;
        var nchw = new float[tokens.Length];
        for (int i = 0; i < b; i++)
        {
            for (int t = 0; t < n; t++)
            {
                for (int k = 0; k < c; k++)
                {
                    nchw[((long)i * c + k) * n + t] = tokens[((long)i * n + t) * c + k];
                }
            }
        }
        return new HostTensor([b, c, Height, Width], nchw);
    }
}

/// <summary>
/// What <see cref="Litv2Model.ForwardFeatures"/> returns: the four stage maps, the pooled features and the logits,
/// all device tensors owned by this object (dispose it to free them).
/// </summary>
public sealed class Litv2Features : IDisposable
{
    internal Litv2Features(IReadOnlyList<FeatureMap> stages, Tensor pooled, Tensor logits)
    {
        Stages = stages;
        Pooled = pooled;
        Logits = logits;
    }

    /// <summary>Stage i's map (i = 0 … 3): C = embed_dim·2^i channels at about 1/(4·2^i) of the image size.</summary>
    public IReadOnlyList<FeatureMap> Stages { get; }

    /// <summary>B × embed_dim·8: the final LayerNorm, then the mean over tokens (the head's input).</summary>
    public Tensor Pooled { get; }

    /// <summary>B × num_classes logits.</summary>
    public Tensor Logits { get; }

    /// <summary>Frees every tensor.</summary>
    public void Dispose()
    {
        foreach (var stage in Stages)
        {
            stage.Tokens.Dispose();
        }
        Pooled.Dispose();
        Logits.Dispose();
    }
}
