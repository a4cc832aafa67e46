using Hilo.Ilgpu.Kernels.Cpu;
using Hilo.Ilgpu.Kernels.Runtime;
using ILGPU;

namespace Hilo.Ilgpu.Kernels.Layers.Conv;

/// <summary>
/// Sampling step of a deformable convolution with kernel = stride = k, no padding, dilation 1 (DTM's
/// <c>DeformConv2dPack</c>): every tap of every output position is read bilinearly at a learned offset into a column
/// matrix, which a GEMM with the weight then turns into the output. Sampling is DCN's/torchvision's: 0 when the point
/// is at or beyond −1 or the map size, else the four neighbours weighted, each neighbour outside the map counted as 0.
/// </summary>
public static class DeformKernels
{
    /// <summary>Lanes per (cell, tap) item of <see cref="DeformGather"/>: a warp, striding over the channels.</summary>
    public const int ItemLanes = 32;

    /// <summary>(cell, tap) items a <see cref="DeformGather"/> group samples (one warp each).</summary>
    public const int ItemsPerGroup = 4;

    /// <summary>
    /// cols[b·Ho·Wo + cell, t·Cin + c] = bilinear sample of channel c at (oy·k + i + Δy, ox·k + j + Δx), tap
    /// t = i·k + j, with Δy, Δx = offsets[b·Ho·Wo + cell, 2t], [.., 2t + 1]. One warp per (image, cell, tap) item,
    /// <see cref="ItemsPerGroup"/> a group (the group's y): the warp computes the sampling point and the corner weights
    /// once, then its 32 lanes stride over the channels, so that a warp's four corner reads and its write each cover 32
    /// consecutive floats (128 bytes) and every lane is busy for any C that is a multiple of 32 (LITv2's 96, 192, 384).
    /// </summary>
    [IlgpuKernel("deform-gather")]
    public static void DeformGather(ArrayView<float> x, ArrayView<float> offsets, ArrayView<float> cols, int items, int height, int width, int cin, int k, int outH, int outW)
    {
        int item = Grid.IdxX * ItemsPerGroup + Group.IdxY;
        if (item >= items)
        {
            return;
        }
        int taps = k * k;
        int row = item / taps;
        int t = item - row * taps;
        int b = row / (outH * outW);
        int cell = row - b * outH * outW;
        int i = t / k;
        int j = t - i * k;
        int oy = cell / outW;
        int ox = cell - oy * outW;
        int target = item * cin;
        float h = (float)(oy * k + i) + offsets[row * 2 * taps + 2 * t];
        float w = (float)(ox * k + j) + offsets[row * 2 * taps + 2 * t + 1];
        if (!(h > -1f && w > -1f && h < (float)height && w < (float)width))
        {
            for (int c = Group.IdxX; c < cin; c += ItemLanes)
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
        bool ok1 = hLow >= 0 && wLow >= 0;
        bool ok2 = hLow >= 0 && wLow + 1 < width;
        bool ok3 = hLow + 1 < height && wLow >= 0;
        bool ok4 = hLow + 1 < height && wLow + 1 < width;
        // Corner indices are formed only for corners inside the map (hLow may be −1: no negative index is read).
        int i1 = (b * height * width + hLow * width + wLow) * cin;
        int i2 = i1 + cin;
        int i3 = i1 + width * cin;
        int i4 = i3 + cin;
        for (int c = Group.IdxX; c < cin; c += ItemLanes)
        {
            float v1 = ok1 ? x[i1 + c] : 0f;
            float v2 = ok2 ? x[i2 + c] : 0f;
            float v3 = ok3 ? x[i3 + c] : 0f;
            float v4 = ok4 ? x[i4 + c] : 0f;
            cols[target + c] = hh * hw * v1 + hh * lw * v2 + lh * hw * v3 + lh * lw * v4;
        }
    }

    /// <summary>
    /// The CPU family's <see cref="DeformGather"/>, same arithmetic: one work item per (output cell, tap) computes the
    /// sampling point and corner weights once and loops over the channels.
    /// </summary>
    [CpuKernel("deform-gather")]
    public static void DeformGatherCpu(HostView x, HostView offsets, HostView cols, int batch, int height, int width, int cin, int k, int outH, int outW) =>
        CpuParallel.For(batch * outH * outW * k * k, item =>
        {
            int taps = k * k;
            int row = item / taps;
            int t = item - row * taps;
            int b = row / (outH * outW);
            int cell = row - b * outH * outW;
            int i = t / k;
            int j = t - i * k;
            int oy = cell / outW;
            int ox = cell - oy * outW;
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
        });

    /// <summary>The launch of <see cref="DeformGather"/> over <paramref name="items"/> (image, cell, tap) items: groups of 32 × <see cref="ItemsPerGroup"/> threads.</summary>
    internal static KernelConfig LaunchShape(int items) =>
        new(new Index3D((items + ItemsPerGroup - 1) / ItemsPerGroup, 1, 1), new Index3D(ItemLanes, ItemsPerGroup, 1));

    /// <summary>
    /// Samples <paramref name="x"/> (B × H·W × Cin) at <paramref name="offsets"/> (B × Ho·Wo × 2k²) into
    /// <paramref name="cols"/> ([B·Ho·Wo, k²·Cin]), Ho = ⌊H/k⌋, Wo = ⌊W/k⌋.
    /// </summary>
    public static void Gather(KernelDevice device, KernelFamily family, ArrayView<float> x, ArrayView<float> offsets, ArrayView<float> cols, int batch, int height, int width, int cin, int k)
    {
        ArgumentNullException.ThrowIfNull(device);
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
        if (cells * cin == 0)
        {
            return;
        }
        if (family == KernelFamily.Cpu)
        {
            device.RunCpu(nameof(DeformGatherCpu), () => DeformGatherCpu(HostView.Of(x), HostView.Of(offsets), HostView.Of(cols), batch, height, width, cin, k, outH, outW));
        }
        else
        {
            int items = (int)(cells * k * k);
            device.Launch(DeformGather, LaunchShape(items), x, offsets, cols, items, height, width, cin, k, outH, outW);
        }
    }
}
