"""Reference LITv2 (classification model) with explicit map sizes, so any input size works.

State-dict keys equal the official classification model's (ziplab/LITv2
classification/models/litv2.py, layers.py, blocks.py, patch_embed.py), e.g.
``layers.2.blocks.0.attn.h_qkv.weight``, ``layers.0.downsample.dconv.conv_offset.weight``,
``layers.0.downsample.norm_layer.running_var``. Sizes that the classification code cannot take
(not multiples of 4 / 32) follow its detection backbone: image zero-padded bottom/right to a multiple
of 4, HiLo maps padded to multiples of s (see hilo_ref), DTM on odd sizes gives floor(H/2) x floor(W/2).
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.ops import deform_conv2d

from .hilo_ref import HiLo

PRESETS = {
    "litv2-s": dict(embed_dim=96, depths=[2, 2, 6, 2], num_heads=[3, 6, 12, 24], img_size=224),
    "litv2-m": dict(embed_dim=96, depths=[2, 2, 18, 2], num_heads=[3, 6, 12, 24], img_size=224),
    "litv2-b": dict(embed_dim=128, depths=[2, 2, 18, 2], num_heads=[4, 8, 16, 32], img_size=224),
    "litv2-b-384": dict(embed_dim=128, depths=[2, 2, 18, 2], num_heads=[4, 8, 16, 32], img_size=384),
}
DEFAULTS = dict(alpha=0.9, local_ws=[0, 0, 2, 1], num_classes=1000, mlp_ratio=4.0, qkv_bias=True)


def preset_config(name):
    cfg = dict(DEFAULTS)
    cfg.update(PRESETS[name])
    return cfg


def tokens_to_nchw(x, H, W):
    b, n, c = x.shape
    return x.transpose(1, 2).reshape(b, c, H, W)


def nchw_to_tokens(x):
    return x.flatten(2).transpose(1, 2)


class PatchEmbed(nn.Module):
    """Conv2d(in -> C, k = s = 4), flatten, LayerNorm. Image padded bottom/right to a multiple of 4."""

    def __init__(self, in_chans=3, embed_dim=96, patch_size=4):
        super().__init__()
        self.patch = patch_size
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)
        self.norm = nn.LayerNorm(embed_dim)

    def forward(self, img):
        _, _, h, w = img.shape
        ph, pw = (-h) % self.patch, (-w) % self.patch
        if ph or pw:
            img = F.pad(img, (0, pw, 0, ph))
        y = self.proj(img)
        H, W = y.shape[2], y.shape[3]
        return self.norm(nchw_to_tokens(y)), H, W


class DWConv(nn.Module):
    """Depthwise 3x3 conv, pad 1, with bias, over the H x W map of B x N x C tokens."""

    def __init__(self, dim):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 3, 1, 1, bias=True, groups=dim)

    def forward(self, x, H, W):
        return nchw_to_tokens(self.dwconv(tokens_to_nchw(x, H, W)))


class DWMlp(nn.Module):
    """ConvFFN: fc1 -> depthwise 3x3 -> GELU (erf) -> fc2."""

    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.dwconv = DWConv(hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x, H, W):
        return self.fc2(self.act(self.dwconv(self.fc1(x), H, W)))


class ConvFFNBlock(nn.Module):
    """x + DWMlp(LN(x)) (stages without attention)."""

    def __init__(self, dim, mlp_ratio=4.0):
        super().__init__()
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = DWMlp(dim, int(dim * mlp_ratio))

    def forward(self, x, H, W):
        return x + self.mlp(self.norm2(x), H, W)


class Block(nn.Module):
    """x + HiLo(LN(x)), then x + DWMlp(LN(x))."""

    def __init__(self, dim, num_heads, mlp_ratio=4.0, qkv_bias=True, local_ws=2, alpha=0.5):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = HiLo(dim, num_heads, qkv_bias=qkv_bias, window_size=local_ws, alpha=alpha)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = DWMlp(dim, int(dim * mlp_ratio))

    def forward(self, x, H, W):
        x = x + self.attn(self.norm1(x), H, W)
        return x + self.mlp(self.norm2(x), H, W)


class DeformConv(nn.Module):
    """Deformable Conv2d k = s = 2, pad 0, with its offset conv (official DeformConv2dPack names:
    weight, bias, conv_offset.{weight,bias}). Offset channel 2k = dy, 2k+1 = dx for tap k = i*kw + j;
    bilinear sampling, zero outside the map (torchvision's deform_conv2d, same rule as DCNv2)."""

    def __init__(self, c_in, c_out, k=2):
        super().__init__()
        self.k = k
        self.weight = nn.Parameter(torch.zeros(c_out, c_in, k, k))
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.conv_offset = nn.Conv2d(c_in, 2 * k * k, kernel_size=k, stride=k, padding=0, bias=True)

    def forward(self, img, return_offset=False):
        offset = self.conv_offset(img)
        y = deform_conv2d(img, offset, self.weight, self.bias, stride=self.k, padding=0)
        return (y, offset) if return_offset else y


class DTM(nn.Module):
    """Deformable token merging: DeformConv(C -> 2C) -> BatchNorm2d (eval) -> GELU.
    Output map floor(H/2) x floor(W/2) (a k = s = 2 conv without padding drops an odd last row/col)."""

    def __init__(self, dim):
        super().__init__()
        self.dconv = DeformConv(dim, 2 * dim)
        self.norm_layer = nn.BatchNorm2d(2 * dim)
        self.act_layer = nn.GELU()

    def forward(self, x, H, W, return_offset=False):
        y, offset = self.dconv(tokens_to_nchw(x, H, W), return_offset=True)
        nh, nw = y.shape[2], y.shape[3]
        y = nchw_to_tokens(self.act_layer(self.norm_layer(y)))
        return (y, nh, nw, offset) if return_offset else (y, nh, nw)


class LITLayer(nn.Module):
    def __init__(self, dim, depth, num_heads, mlp_ratio, qkv_bias, has_msa, local_ws, alpha, downsample):
        super().__init__()
        if has_msa:
            blocks = [Block(dim, num_heads, mlp_ratio, qkv_bias, local_ws, alpha) for _ in range(depth)]
        else:
            blocks = [ConvFFNBlock(dim, mlp_ratio) for _ in range(depth)]
        self.blocks = nn.ModuleList(blocks)
        self.downsample = DTM(dim) if downsample else None

    def forward(self, x, H, W):
        for blk in self.blocks:
            x = blk(x, H, W)
        return x


class LITv2(nn.Module):
    """LITv2 classifier. forward(img) -> logits; forward_stages(img) also returns per-stage maps."""

    def __init__(self, embed_dim=96, depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24), alpha=0.9,
                 local_ws=(0, 0, 2, 1), num_classes=1000, mlp_ratio=4.0, qkv_bias=True,
                 has_msa=(0, 0, 1, 1), in_chans=3, img_size=224):
        super().__init__()
        self.img_size = img_size
        n = len(depths)
        self.patch_embed = PatchEmbed(in_chans, embed_dim)
        self.layers = nn.ModuleList(
            LITLayer(embed_dim * 2 ** i, depths[i], num_heads[i], mlp_ratio, qkv_bias,
                     has_msa[i] == 1, local_ws[i], alpha, downsample=i < n - 1)
            for i in range(n))
        self.num_features = embed_dim * 2 ** (n - 1)
        self.norm = nn.LayerNorm(self.num_features)
        self.head = nn.Linear(self.num_features, num_classes)

    def forward_stages(self, img):
        """Returns (logits, pooled features B x C, [stage maps B x C_i x H_i x W_i]); a stage map is
        the token map after the stage's blocks, before its DTM (and before the final norm)."""
        x, H, W = self.patch_embed(img)
        stages = []
        for layer in self.layers:
            x = layer(x, H, W)
            stages.append(tokens_to_nchw(x, H, W))
            if layer.downsample is not None:
                x, H, W = layer.downsample(x, H, W)
        pooled = self.norm(x).mean(dim=1)
        return self.head(pooled), pooled, stages

    def forward(self, img):
        return self.forward_stages(img)[0]


def build(cfg):
    """Build from a CONFIG.json-style dict (keys as in issue 3 item 5)."""
    return LITv2(embed_dim=cfg["embed_dim"], depths=cfg["depths"], num_heads=cfg["num_heads"],
                 alpha=cfg["alpha"], local_ws=cfg["local_ws"], num_classes=cfg["num_classes"],
                 mlp_ratio=cfg["mlp_ratio"], qkv_bias=cfg["qkv_bias"], img_size=cfg["img_size"])


def parameter_count(model):
    """Learnable parameters (BatchNorm running statistics are buffers and not counted)."""
    return sum(p.numel() for p in model.parameters())


def save_config(cfg, path):
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
