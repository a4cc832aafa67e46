using Hilo.Ilgpu.Compute;

namespace Hilo.Ilgpu.Kernels.Layers.Conv;

/// <summary>
/// Sampling step of a deformable convolution with kernel = stride = k, no padding, dilation 1 (DTM's
/// <c>DeformConv2dPack</c>): every tap of every output position is read bilinearly at a learned offset into a
/// column matrix, which a GEMM with the weight then turns into the output.
/// </summary>
public static partial class DeformKernels
{
    /// <summary>
    /// cols[b·Ho·Wo + cell, t·Cin + c] = bilinear sample of channel c at (oy·k + i + Δy, ox·k + j + Δx), tap
    /// t = i·k + j, with Δy, Δx = offsets[b·Ho·Wo + cell, 2t], [.., 2t + 1] (channels-last offsets as the offset
    /// conv outputs them). Sampling is DCN's/torchvision's: 0 when the point is at or beyond −1 or the map size,
    /// else the four neighbours weighted, each neighbour outside the map counted as 0.
    /// x = channel, y = cell·k² + tap, z = batch; launch over (Cin, Ho·Wo·k², B).
    /// </summary>
    [Kernel]
    public static void DeformGather(ArrayView<float> x, ArrayView<float> offsets, ArrayView<float> cols, int height, int width, int cin, int k, int outH, int outW)
    {
        int c = Grid.GlobalIndex.X;
        int item = Grid.GlobalIndex.Y;
        int b = Grid.GlobalIndex.Z;
        int taps = k * k;
        int cell = item / taps;
        int t = item - cell * taps;
        int i = t / k;
        int j = t - i * k;
        int oy = cell / outW;
        int ox = cell - oy * outW;
        int row = b * outH * outW + cell;
        float h = (float)(oy * k + i) + offsets[row * 2 * taps + 2 * t];
        float w = (float)(ox * k + j) + offsets[row * 2 * taps + 2 * t + 1];
        float v = 0f;
        if (h > -1f && w > -1f && h < (float)height && w < (float)width)
        {
            float hFloor = MathF.Floor(h);
            float wFloor = MathF.Floor(w);
            int hLow = (int)hFloor;
            int wLow = (int)wFloor;
            float lh = h - hFloor;
            float lw = w - wFloor;
            float hh = 1f - lh;
            float hw = 1f - lw;
            int plane = b * height * width;
            float v1 = hLow >= 0 && wLow >= 0 ? x[(plane + hLow * width + wLow) * cin + c] : 0f;
            float v2 = hLow >= 0 && wLow + 1 < width ? x[(plane + hLow * width + wLow + 1) * cin + c] : 0f;
            float v3 = hLow + 1 < height && wLow >= 0 ? x[(plane + (hLow + 1) * width + wLow) * cin + c] : 0f;
            float v4 = hLow + 1 < height && wLow + 1 < width ? x[(plane + (hLow + 1) * width + wLow + 1) * cin + c] : 0f;
            v = hh * hw * v1 + hh * lw * v2 + lh * hw * v3 + lh * lw * v4;
        }
        cols[row * taps * cin + t * cin + c] = v;
    }

    /// <summary>
    /// CPU-style variant of <see cref="DeformGather"/> with the same arithmetic: one work-item per (tap, output
    /// cell) computes the sampling point and corner weights once and loops over the channels.
    /// x = tap, y = cell, z = batch; launch over (k², Ho·Wo, B) with group size 1.
    /// </summary>
    [Kernel]
    public static void DeformGatherRows(ArrayView<float> x, ArrayView<float> offsets, ArrayView<float> cols, int height, int width, int cin, int k, int outH, int outW)
    {
        int t = Grid.GlobalIndex.X;
        int cell = Grid.GlobalIndex.Y;
        int b = Grid.GlobalIndex.Z;
        int taps = k * k;
        int i = t / k;
        int j = t - i * k;
        int oy = cell / outW;
        int ox = cell - oy * outW;
        int row = b * outH * outW + cell;
        int target = row * taps * cin + t * cin;
        float h = (float)(oy * k + i) + offsets[row * 2 * taps + 2 * t];
        float w = (float)(ox * k + j) + offsets[row * 2 * taps + 2 * t + 1];
        if (!(h > -1f && w > -1f && h < (float)height && w < (float)width))
        {
            for (int c = 0; c < cin; c++)
            {
                cols[target + c] = 0f;
            }
            return;
        }
        float hFloor = MathF.Floor(h);
        float wFloor = MathF.Floor(w);
        int hLow = (int)hFloor;
        int wLow = (int)wFloor;
        float lh = h - hFloor;
        float lw = w - wFloor;
        float hh = 1f - lh;
        float hw = 1f - lw;
        int plane = b * height * width;
        bool ok1 = hLow >= 0 && wLow >= 0;
        bool ok2 = hLow >= 0 && wLow + 1 < width;
        bool ok3 = hLow + 1 < height && wLow >= 0;
        bool ok4 = hLow + 1 < height && wLow + 1 < width;
        int i1 = (plane + hLow * width + wLow) * cin;
        int i2 = i1 + cin;
        int i3 = i1 + width * cin;
        int i4 = i3 + cin;
        for (int c = 0; c < cin; c++)
        {
            float v1 = ok1 ? x[i1 + c] : 0f;
            float v2 = ok2 ? x[i2 + c] : 0f;
            float v3 = ok3 ? x[i3 + c] : 0f;
            float v4 = ok4 ? x[i4 + c] : 0f;
            cols[target + c] = hh * hw * v1 + hh * lw * v2 + lh * hw * v3 + lh * lw * v4;
        }
    }

    /// <summary>
    /// Queues the sampling of <paramref name="x"/> (B × H·W × Cin) at <paramref name="offsets"/>
    /// (B × Ho·Wo × 2k²) into <paramref name="cols"/> ([B·Ho·Wo, k²·Cin]), Ho = ⌊H/k⌋, Wo = ⌊W/k⌋.
    /// With <c>cpuStyle</c>, <see cref="DeformGatherRows"/> (CPU devices) instead of one work-item per element.</summary>
    public static void Gather(AcceleratorStream stream, ArrayView<float> x, ArrayView<float> offsets, ArrayView<float> cols, int batch, int height, int width, int cin, int k, bool cpuStyle = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (batch < 0 || height < 0 || width < 0 || cin < 0 || k < 1)
        {
            throw new ArgumentException($"Deformable gather: invalid sizes batch {batch}, map {height}x{width}, channels {cin}, kernel {k}.");
        }
        int outH = height / k, outW = width / k;
        long cells = (long)batch * outH * outW;
        if (x.Length < (long)batch * height * width * cin || offsets.Length < cells * 2 * k * k || cols.Length < cells * k * k * cin)
        {
            throw new ArgumentException($"Deformable gather {batch}x{height}x{width}x{cin} (k = {k}): views too short (x {x.Length}, offsets {offsets.Length}, cols {cols.Length}).");
        }
        if (cpuStyle)
        {
            stream.Launch(DeformGatherRowsKernel, new LaunchDims(new Index3D(k * k, outH * outW, batch), new Index3D(1, 1, 1)), x, offsets, cols, height, width, cin, k, outH, outW);
            return;
        }
        stream.Launch(DeformGatherKernel, new LaunchDims(new Index3D(cin, outH * outW * k * k, batch)), x, offsets, cols, height, width, cin, k, outH, outW);
    }
}
