using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>The geometry checks every attention launcher of both families runs before anything is queued.</summary>
internal static class AttentionChecks
{
    /// <summary>Checks a window attention's geometry against its views; false when there is nothing to compute.</summary>
    public static bool Window(ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, WindowAttentionArgs args)
    {
        long dim = (long)args.Heads * args.HeadDim;
        long tokens = (long)args.Batch * args.Height * args.Width;
        long area = (long)args.Window * args.Window;
        Require(args.Batch >= 0 && args.Height >= 0 && args.Width >= 0 && args.Window >= 1 && args.Heads >= 0 && args.HeadDim >= 0,
            $"window attention: bad geometry (B {args.Batch}, H {args.Height}, W {args.Width}, window {args.Window}, heads {args.Heads}, head dim {args.HeadDim})");
        Require(args.QkvStride >= 3 * dim && qkv.Length >= tokens * args.QkvStride,
            $"window attention: qkv view of {qkv.Length} elements with row stride {args.QkvStride} cannot hold {tokens} rows of 3·{dim}");
        Require(padKv.Length >= 2 * dim, $"window attention: the padding k/v view needs {2 * dim} values, has {padKv.Length}");
        Require(args.HasBias == 0 || bias.Length >= args.Heads * area * area,
            $"window attention: the relative position bias needs {args.Heads * area * area} values, has {bias.Length}");
        Require(args.OutOffset >= 0 && args.OutOffset + dim <= args.OutStride && output.Length >= tokens * args.OutStride,
            $"window attention: output view of {output.Length} elements with row stride {args.OutStride} cannot take columns {args.OutOffset}..{args.OutOffset + dim} of {tokens} rows");
        Require(tokens * Math.Max(args.QkvStride, args.OutStride) <= int.MaxValue, "window attention: tensors over 2^31 elements are not supported");
        return tokens != 0 && dim != 0;
    }

    /// <summary>Checks a global attention's geometry against its views; false when there is nothing to compute.</summary>
    public static bool Global(ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs args)
    {
        long dim = (long)args.Heads * args.HeadDim;
        long queries = (long)args.Batch * args.Queries;
        long keys = (long)args.Batch * args.Keys;
        Require(args.Batch >= 0 && args.Queries >= 0 && args.Keys >= 1 && args.Heads >= 0 && args.HeadDim >= 0,
            $"global attention: bad geometry (B {args.Batch}, N {args.Queries}, M {args.Keys}, heads {args.Heads}, head dim {args.HeadDim})");
        Require(args.QOffset >= 0 && args.QOffset + dim <= args.QStride && q.Length >= queries * args.QStride,
            $"global attention: q view of {q.Length} elements with row stride {args.QStride} cannot hold columns {args.QOffset}..{args.QOffset + dim} of {queries} rows");
        Require(args.KOffset >= 0 && args.VOffset >= 0 && args.KOffset + dim <= args.KvStride && args.VOffset + dim <= args.KvStride && kv.Length >= keys * args.KvStride,
            $"global attention: kv view of {kv.Length} elements with row stride {args.KvStride} cannot hold k at {args.KOffset} and v at {args.VOffset} ({dim} wide) for {keys} rows");
        Require(args.OutOffset >= 0 && args.OutOffset + dim <= args.OutStride && output.Length >= queries * args.OutStride,
            $"global attention: output view of {output.Length} elements with row stride {args.OutStride} cannot take columns {args.OutOffset}..{args.OutOffset + dim} of {queries} rows");
        Require(Math.Max(queries * Math.Max(args.QStride, args.OutStride), keys * args.KvStride) <= int.MaxValue, "global attention: tensors over 2^31 elements are not supported");
        return queries != 0 && dim != 0;
    }

    /// <summary>Windows of the map padded to multiples of s.</summary>
    public static int WindowCount(WindowAttentionArgs args) =>
        args.Window < 1 ? 0 : (args.Height + args.Window - 1) / args.Window * ((args.Width + args.Window - 1) / args.Window);

    /// <summary>Throws <see cref="ArgumentException"/> with <paramref name="message"/> unless <paramref name="condition"/>.</summary>
    public static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
