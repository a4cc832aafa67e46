"""Deformable convolution written with torch's own ops (grid_sample + matmul), for LibTorch.

LibTorch without torchvision's C++ ops (TorchSharp-cpu ships none) cannot run a TorchScript graph that calls
`torchvision::deform_conv2d`: loading it fails with "Unknown builtin op: torchvision::deform_conv2d". This module
samples the same points with `F.grid_sample` and applies the weights as one matmul, so the traced LITv2-S runs in any
LibTorch. It computes what torchvision computes (tests/test_peers.py checks it, float64, against torchvision):

- tap k = i*kw + j of output (oy, ox) reads the input at (oy*stride + i*dilation - pad + dy, ox*stride + j*dilation - pad + dx),
  dy = offset[:, 2k], dx = offset[:, 2k+1];
- bilinear interpolation, each of the four neighbours outside the map contributes zero. `grid_sample` with
  `align_corners=True` maps -1..1 onto pixel centres 0..size-1 and with `padding_mode="zeros"` zeroes out-of-map
  neighbours one by one, which is that rule.

Only one weight group and one offset group, no mask (what LITv2's DTM uses); the map must be at least 2x2.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def deform_conv2d(img, offset, weight, bias, stride=1, padding=0, dilation=1):
    b, c, h, w = img.shape
    c_out, c_in, kh, kw = weight.shape
    if c_in != c:
        raise ValueError(f"weight takes {c_in} input channels, the image has {c}")
    if h < 2 or w < 2:
        raise ValueError(f"map {h}x{w}: grid_sample's corner alignment needs at least 2x2")
    oh, ow = offset.shape[2], offset.shape[3]
    ys = torch.arange(oh, dtype=img.dtype, device=img.device) * stride - padding
    xs = torch.arange(ow, dtype=img.dtype, device=img.device) * stride - padding
    taps = []
    for i in range(kh):
        for j in range(kw):
            k = i * kw + j
            py = ys.view(1, oh, 1) + i * dilation + offset[:, 2 * k]          # B x oh x ow
            px = xs.view(1, 1, ow) + j * dilation + offset[:, 2 * k + 1]
            grid = torch.stack((px * (2.0 / (w - 1)) - 1.0, py * (2.0 / (h - 1)) - 1.0), dim=-1)
            taps.append(F.grid_sample(img, grid, mode="bilinear", padding_mode="zeros", align_corners=True))
    cols = torch.stack(taps, dim=2).reshape(b, c * kh * kw, oh * ow)             # channel-major, tap-minor: weight's layout
    y = torch.matmul(weight.reshape(c_out, c * kh * kw), cols)
    if bias is not None:
        y = y + bias.view(1, c_out, 1)
    return y.reshape(b, c_out, oh, ow)


class GridSampleDeformConv(nn.Module):
    """Drop-in for tools/reference/litv2_ref.DeformConv (same parameters, same names) computing with deform_conv2d above."""

    def __init__(self, ref):
        super().__init__()
        self.k = ref.k
        self.weight = ref.weight
        self.bias = ref.bias
        self.conv_offset = ref.conv_offset

    def forward(self, img, return_offset: bool = False):
        offset = self.conv_offset(img)
        y = deform_conv2d(img, offset, self.weight, self.bias, stride=self.k, padding=0)
        return (y, offset) if return_offset else y


def replace_deform_convs(model):
    """Swaps every reference DeformConv of `model` for a GridSampleDeformConv sharing its parameters; returns model."""
    from reference.litv2_ref import DeformConv
    for name, child in list(model.named_children()):
        if isinstance(child, DeformConv):
            setattr(model, name, GridSampleDeformConv(child))
        else:
            replace_deform_convs(child)
    return model
