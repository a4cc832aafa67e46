using Hilo.Ilgpu.Kernels.Layers.Attention;
using Hilo.Ilgpu.Kernels.Layers.Conv;
using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Analysis;

/// <summary>
/// <c>attn(norm1(x))</c> of one HiLo block recomputed in float64 on the host from the block's weights by the
/// library's own references (<see cref="ConvReference.LayerNorm"/>, <see cref="AttentionReference.HiLo"/>: the official
/// HiLo module with this repo's zero padding to multiples of s), keeping the chosen heads' probabilities, so the maps
/// and the output come from the same numbers.
/// </summary>
internal sealed class HiLoReplay
{
    private HiLoReplay(double[] output) => Output = output;

    /// <summary>tokens × C: Hi-Fi projection's channels, then Lo-Fi projection's.</summary>
    public double[] Output { get; }

    /// <summary>The chosen Hi-Fi head's probabilities [window, s², s²] over the padded map, or null without Hi-Fi heads.</summary>
    public double[]? HiFi { get; private init; }

    /// <summary>The chosen Lo-Fi head's probabilities [token, key], or null without Lo-Fi heads.</summary>
    public double[]? LoFi { get; private init; }

    /// <summary>Rows of the Lo-Fi key grid.</summary>
    public int KeyRows { get; private init; }

    /// <summary>Columns of the Lo-Fi key grid.</summary>
    public int KeyColumns { get; private init; }

    public static HiLoReplay Run(HiLoBlock block, IReadOnlyList<float> x, int height, int width, int hiFiHead, int loFiHead)
    {
        var attn = block.Attn;
        int n = height * width, dim = attn.Dim, s = attn.WindowSize;
        var norm = block.Norm1;
        double[] normed = ConvReference.LayerNorm([.. x.Select(v => (double)v)], n, dim, norm.Weight.Value.Data, norm.Bias.Value.Data, norm.Eps);
        var weights = attn.NamedParameters().ToDictionary(e => e.Name, e => e.Parameter.Value.Data.Select(v => (double)v).ToArray(), StringComparer.Ordinal);
        int hp = (height + s - 1) / s * s, wp = (width + s - 1) / s * s, keyRows = hp / s, keyColumns = wp / s, area = s * s;
        double[]? hiFi = attn.HiFiHeads > 0 ? new double[keyRows * keyColumns * area * area] : null;
        double[]? loFi = attn.LoFiHeads > 0 ? new double[n * keyRows * keyColumns] : null;
        // Rows arrive per head and query token of the padded map; keep the chosen heads', in the maps' layouts.
        void Keep(bool isHiFi, int head, int query, IReadOnlyList<int> keys, double[] row)
        {
            int qy = query / wp, qx = query % wp;
            if (isHiFi && head == hiFiHead)
            {
                int window = qy / s * keyColumns + qx / s, local = qy % s * s + qx % s;
                row.CopyTo(hiFi!, (window * area + local) * area);
            }
            else if (!isHiFi && head == loFiHead && qy < height && qx < width)
            {
                row.CopyTo(loFi!, (qy * width + qx) * keys.Count);
            }
        }
        double[] output = AttentionReference.HiLo(normed, 1, height, width, dim, attn.NumHeads, s, attn.Alpha, name => weights.GetValueOrDefault(name), Keep);
        return new HiLoReplay(output) { HiFi = hiFi, LoFi = loFi, KeyRows = keyRows, KeyColumns = keyColumns };
    }
}
