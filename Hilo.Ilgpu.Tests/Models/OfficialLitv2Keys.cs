using Hilo.Ilgpu.Models;

namespace Hilo.Ilgpu.Tests.Models;

/// <summary>
/// The official classification LITv2 state dict (key → shape), written out independently of the model code from
/// ziplab/LITv2 classification/models/{litv2,layers,blocks,attentions,patch_embed}.py and DeformConv2dPack, as
/// tools/reference/selfcheck.py <c>official_key_spec</c> does. Includes BatchNorm's <c>num_batches_tracked</c> (shape []).
/// </summary>
internal static class OfficialLitv2Keys
{
    public static List<(string Key, int[] Shape)> Spec(Litv2Config cfg)
    {
        int e = cfg.EmbedDim;
        var spec = new List<(string, int[])>
        {
            ("patch_embed.proj.weight", [e, 3, 4, 4]),
            ("patch_embed.proj.bias", [e]),
            ("patch_embed.norm.weight", [e]),
            ("patch_embed.norm.bias", [e]),
        };
        for (int i = 0; i < 4; i++)
        {
            int dim = e << i, heads = cfg.NumHeads[i], hidden = (int)(dim * cfg.MlpRatio), d = dim / heads, ws = cfg.LocalWs[i];
            int lh = ws == 1 ? heads : (int)(heads * cfg.Alpha);
            int ld = lh * d, hd = (heads - lh) * d;
            for (int j = 0; j < cfg.Depths[i]; j++)
            {
                string p = $"layers.{i}.blocks.{j}.";
                if (i >= 2)
                {
                    spec.Add((p + "norm1.weight", [dim]));
                    spec.Add((p + "norm1.bias", [dim]));
                    var linears = new List<(string Name, int Out, int In)>();
                    if (lh > 0)
                    {
                        linears.AddRange([("l_q", ld, dim), ("l_kv", 2 * ld, dim), ("l_proj", ld, ld)]);
                    }
                    if (hd > 0)
                    {
                        linears.AddRange([("h_qkv", 3 * hd, dim), ("h_proj", hd, hd)]);
                    }
                    foreach (var (name, o, k) in linears)
                    {
                        spec.Add((p + $"attn.{name}.weight", [o, k]));
                        if (cfg.QkvBias || name.EndsWith("proj", StringComparison.Ordinal))
                        {
                            spec.Add((p + $"attn.{name}.bias", [o]));
                        }
                    }
                }
                spec.Add((p + "norm2.weight", [dim]));
                spec.Add((p + "norm2.bias", [dim]));
                spec.Add((p + "mlp.fc1.weight", [hidden, dim]));
                spec.Add((p + "mlp.fc1.bias", [hidden]));
                spec.Add((p + "mlp.dwconv.dwconv.weight", [hidden, 1, 3, 3]));
                spec.Add((p + "mlp.dwconv.dwconv.bias", [hidden]));
                spec.Add((p + "mlp.fc2.weight", [dim, hidden]));
                spec.Add((p + "mlp.fc2.bias", [dim]));
            }
            if (i < 3)
            {
                string p = $"layers.{i}.downsample.";
                spec.Add((p + "dconv.weight", [2 * dim, dim, 2, 2]));
                spec.Add((p + "dconv.bias", [2 * dim]));
                spec.Add((p + "dconv.conv_offset.weight", [8, dim, 2, 2]));
                spec.Add((p + "dconv.conv_offset.bias", [8]));
                foreach (string s in new[] { "weight", "bias", "running_mean", "running_var" })
                {
                    spec.Add((p + "norm_layer." + s, [2 * dim]));
                }
                spec.Add((p + "norm_layer.num_batches_tracked", []));
            }
        }
        int f = e * 8;
        spec.Add(("norm.weight", [f]));
        spec.Add(("norm.bias", [f]));
        spec.Add(("head.weight", [cfg.NumClasses, f]));
        spec.Add(("head.bias", [cfg.NumClasses]));
        return spec;
    }
}
