namespace Hilo.Ilgpu.Models;

/// <summary>
/// The bounds <see cref="Litv2Config.Validate"/> and <see cref="Litv2ConfigJson"/> hold a config to, so that a config
/// file can never ask for unbounded time or memory (<c>depths [1, 1, 1000000, 1]</c>, <c>-m /dev/zero</c>). Each is
/// far above every released model (LITv2-B: embed_dim 128, 18 blocks, 32 heads, 87 M parameters).
/// </summary>
public static class Litv2ConfigLimits
{
    /// <summary>Largest CONFIG.json file read, in bytes (a config is a few hundred bytes).</summary>
    public const int MaxFileBytes = 64 * 1024;

    /// <summary>Largest <c>embed_dim</c> (stage 4 then has 8 times as many channels).</summary>
    public const int MaxEmbedDim = 4096;

    /// <summary>Largest entry of <c>depths</c> (blocks in one stage).</summary>
    public const int MaxDepth = 128;

    /// <summary>Largest entry of <c>num_heads</c>.</summary>
    public const int MaxHeads = 1024;

    /// <summary>Largest <c>local_ws</c> entry.</summary>
    public const int MaxWindow = 1024;

    /// <summary>Largest <c>num_classes</c> (ImageNet-22k has 21,841).</summary>
    public const int MaxClasses = 1_000_000;

    /// <summary>Largest <c>img_size</c>.</summary>
    public const int MaxImageSize = 16384;

    /// <summary>Largest <c>mlp_ratio</c>.</summary>
    public const double MaxMlpRatio = 64;

    /// <summary>Most parameters a config may have (<see cref="Litv2Config.ApproximateParameterCount"/>): 4 GiB of float32 weights.</summary>
    public const long MaxParameters = 1L << 30;
}
