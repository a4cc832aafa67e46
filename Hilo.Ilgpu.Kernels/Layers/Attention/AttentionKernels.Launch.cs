using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Layers.Attention;

/// <summary>Host-side launchers of the attention kernels: check the geometry against the views, then queue.</summary>
public static partial class AttentionKernels
{
    /// <summary>
    /// Queues <see cref="WindowAttention"/>. <paramref name="bias"/> is read only when <c>HasBias</c> is 1 (any
    /// non-empty view otherwise); the output columns <c>[OutOffset, OutOffset + Heads·HeadDim)</c> of every real
    /// token row are written, nothing else.
    /// </summary>
    public static void Window(AcceleratorStream stream, ArrayView<float> qkv, ArrayView<float> padKv, ArrayView<float> bias, ArrayView<float> output, WindowAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(stream);
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
        if (tokens == 0 || dim == 0)
        {
            return;
        }
        stream.Launch(WindowAttentionKernel, new LaunchDims(new Index3D(args.Height * args.Width, args.Heads, args.Batch)), qkv, padKv, bias, output, args);
    }

    /// <summary>
    /// Queues <see cref="GlobalAttention"/>; writes output columns <c>[OutOffset, OutOffset + Heads·HeadDim)</c>
    /// of every query row, nothing else.
    /// </summary>
    public static void Global(AcceleratorStream stream, ArrayView<float> q, ArrayView<float> kv, ArrayView<float> output, GlobalAttentionArgs args)
    {
        ArgumentNullException.ThrowIfNull(stream);
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
        if (queries == 0 || dim == 0)
        {
            return;
        }
        stream.Launch(GlobalAttentionKernel, new LaunchDims(new Index3D(args.Queries, args.Heads, args.Batch)), q, kv, output, args);
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
