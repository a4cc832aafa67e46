namespace Hilo.Ilgpu.Layers;

/// <summary>Argument checks shared by the attention layers; messages name the layer, the expected and the actual shape.</summary>
internal static class AttentionChecks
{
    /// <summary>Checks dim/heads at construction: positive, and dim a multiple of heads.</summary>
    public static int HeadDim(string layer, int dim, int numHeads)
    {
        if (dim < 1 || numHeads < 1)
        {
            throw new ArgumentException($"{layer}: dim ({dim}) and num_heads ({numHeads}) must be positive.");
        }
        if (dim % numHeads != 0)
        {
            throw new ArgumentException($"{layer}: dim {dim} is not divisible by num_heads {numHeads}.");
        }
        return dim / numHeads;
    }

    /// <summary>Checks a B×N×C token tensor with C = <paramref name="dim"/>; returns B.</summary>
    public static int Tokens(string layer, Tensor x, int dim)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 3 || x.Dim(2) != dim)
        {
            throw new ArgumentException($"{layer}: expected tokens of shape [B, N, {dim}], got {x.ShapeText}.", nameof(x));
        }
        return x.Dim(0);
    }

    /// <summary>Checks a B×N×C token tensor over an H×W map (N = H·W, H, W ≥ 1); returns B.</summary>
    public static int TokenMap(string layer, Tensor x, int dim, int height, int width)
    {
        int batch = Tokens(layer, x, dim);
        if (height < 1 || width < 1)
        {
            throw new ArgumentException($"{layer}: the map size must be positive, got {height}×{width}.");
        }
        if ((long)height * width != x.Dim(1))
        {
            throw new ArgumentException($"{layer}: expected tokens of shape [B, {(long)height * width}, {dim}] for a {height}×{width} map, got {x.ShapeText} (N ≠ H·W).", nameof(x));
        }
        return batch;
    }

    /// <summary>The logit scale <c>head_dim ** -0.5</c> as Python computes it, rounded to float.</summary>
    public static float Scale(int headDim) => (float)Math.Pow(headDim, -0.5);

    /// <summary>The [k bias | v bias] part of a qkv projection's bias (zeros without bias): the k and v of a zero (padded) token.</summary>
    public static float[] PaddedKv(Linear qkv, int dim)
    {
        var kv = new float[2 * dim];
        var bias = qkv.Bias;
        if (bias is not null)
        {
            Array.Copy(bias.Value.Data, dim, kv, 0, 2 * dim);
        }
        return kv;
    }
}
