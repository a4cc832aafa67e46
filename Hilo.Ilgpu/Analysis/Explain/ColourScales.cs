namespace Hilo.Ilgpu.Analysis;

/// <summary>
/// Fixed colour ranges for the explanation maps, so that pictures of several images share one scale and their colours
/// compare (by default each map is scaled from its own minimum to its own maximum). A null range keeps that default.
/// </summary>
/// <param name="HiFi">The Hi-Fi map's range (attention each token gets from its window).</param>
/// <param name="LoFiQuery">The Lo-Fi map's range from the chosen query.</param>
/// <param name="LoFiMean">The Lo-Fi map's range averaged over all queries.</param>
public sealed record ColourScales((double Low, double High)? HiFi, (double Low, double High)? LoFiQuery, (double Low, double High)? LoFiMean)
{
    /// <summary>The ranges that cover every map of <paramref name="maps"/> (one shared scale per kind of map).</summary>
    public static ColourScales Over(IEnumerable<HiLoMaps> maps)
    {
        ArgumentNullException.ThrowIfNull(maps);
        var list = maps.ToList();
        return new ColourScales(
            Span(list.Where(m => m.HiFi is not null).SelectMany(m => m.HiFi!.Received)),
            Span(list.Where(m => m.LoFi is not null).SelectMany(m => m.LoFi!.QueryAttention)),
            Span(list.Where(m => m.LoFi is not null).SelectMany(m => m.LoFi!.MeanAttention)));
    }

    private static (double, double)? Span(IEnumerable<double> values)
    {
        var all = values.ToList();
        return all.Count == 0 ? null : (all.Min(), all.Max());
    }
}
