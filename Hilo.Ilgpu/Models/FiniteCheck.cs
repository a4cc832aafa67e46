namespace Hilo.Ilgpu.Models;

/// <summary>
/// A forward pass produced a NaN or an infinity (<see cref="Litv2Model.CheckFinite"/>): names the first layer whose
/// output held one, by its official name (e.g. <c>layers.2.blocks.3</c>), or <c>input</c> when the images did.
/// Extreme but finite weights (an overflow in float32) or a non-finite input are the usual causes.
/// </summary>
public sealed class NonFiniteActivationsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NonFiniteActivationsException(string architecture, string layer)
        : base(layer == FiniteCheckNames.Input
            ? $"LITv2 ({architecture}): the input images hold a NaN or an infinity"
            : $"LITv2 ({architecture}): the output of layer '{layer}' holds a NaN or an infinity, the first layer of the forward pass to produce one (weights too large for float32?)")
    {
        Layer = layer;
    }

    /// <summary>The first layer whose output held a non-finite value (<c>input</c> for the images themselves).</summary>
    public string Layer { get; }
}

/// <summary>Names the finite check gives what is not a layer.</summary>
internal static class FiniteCheckNames
{
    public const string Input = "input";
}
