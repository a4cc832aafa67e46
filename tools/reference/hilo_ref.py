"""Reference attention layers: HiLo (LITv2), MSA (ViT), SRA (PVT) and local-window attention (Swin).

Every layer takes tokens x of shape B x N x C, N = H*W laid out row-major over an H x W map, plus the
explicit H and W, and returns B x N x C. Submodule names equal the official ones so that official
state-dict keys (e.g. ``h_qkv.weight``) load unchanged.

Padding rule for maps whose H or W is not a multiple of the window (HiLo's s, Swin's 7): the
*layer input* (already LayerNorm-ed in a block) is zero-padded at the bottom and right before any
projection, the layer runs on the padded map, and the output is cropped back to H x W. This is what
ziplab/LITv2 detection/mmdet/models/backbones/litv2.py (HiLo.forward) and Swin's detection backbone
do; see docs/reference-fixtures.md for the consequences (padded tokens are not masked: their keys and
values are the projection biases, and Lo-Fi pooling averages the zeros in).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def split_heads(t, heads):
    """B x M x (heads*d) -> B x heads x M x d (channel = head*d + j)."""
    b, m, c = t.shape
    return t.reshape(b, m, heads, c // heads).transpose(1, 2)


def merge_heads(t):
    """B x heads x M x d -> B x M x (heads*d)."""
    b, h, m, d = t.shape
    return t.transpose(1, 2).reshape(b, m, h * d)


def attend(q, k, v, scale, bias=None):
    """Softmax attention over the last-but-one axis of k/v; q, k, v: ... x M x d."""
    logits = torch.matmul(q, k.transpose(-1, -2)) * scale
    if bias is not None:
        logits = logits + bias
    return torch.matmul(torch.softmax(logits, dim=-1), v)


def pad_map(m, multiple):
    """Zero-pad a B x H x W x C map at the bottom/right to multiples of `multiple`."""
    _, h, w, _ = m.shape
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        m = F.pad(m, (0, 0, 0, pw, 0, ph))
    return m


def to_windows(m, s):
    """B x Hp x Wp x C -> B x (Hp/s * Wp/s) x (s*s) x C, windows row-major, tokens row-major."""
    b, hp, wp, c = m.shape
    m = m.reshape(b, hp // s, s, wp // s, s, c).permute(0, 1, 3, 2, 4, 5)
    return m.reshape(b, (hp // s) * (wp // s), s * s, c)


def from_windows(t, s, hp, wp):
    """Inverse of to_windows."""
    b, _, _, c = t.shape
    t = t.reshape(b, hp // s, wp // s, s, s, c).permute(0, 1, 3, 2, 4, 5)
    return t.reshape(b, hp, wp, c)


def lofi_head_count(num_heads, alpha, window_size):
    """Lo-Fi heads exactly as the official code computes them (Python float product, truncation)."""
    if window_size == 1:
        return num_heads
    return int(num_heads * alpha)


class HiLo(nn.Module):
    """HiLo attention: Hi-Fi heads attend inside s x s windows, Lo-Fi heads attend to the s x s
    average-pooled map. Output channels: Hi-Fi first, then Lo-Fi."""

    def __init__(self, dim, num_heads=8, qkv_bias=False, window_size=2, alpha=0.5):
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"dim {dim} is not a multiple of num_heads {num_heads}")
        self.dim = dim
        self.ws = window_size
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.l_heads = lofi_head_count(num_heads, alpha, window_size)
        self.h_heads = num_heads - self.l_heads
        self.l_dim = self.l_heads * self.head_dim
        self.h_dim = self.h_heads * self.head_dim
        # Same registration order as the official module (Lo-Fi first) so state-dict order matches.
        if self.l_heads > 0:
            self.l_q = nn.Linear(dim, self.l_dim, bias=qkv_bias)
            self.l_kv = nn.Linear(dim, 2 * self.l_dim, bias=qkv_bias)
            self.l_proj = nn.Linear(self.l_dim, self.l_dim)
        if self.h_heads > 0:
            self.h_qkv = nn.Linear(dim, 3 * self.h_dim, bias=qkv_bias)
            self.h_proj = nn.Linear(self.h_dim, self.h_dim)

    def _hifi(self, m):
        b, hp, wp, _ = m.shape
        s, nh = self.ws, self.h_heads
        win = to_windows(m, s)                                   # B x G x T x C
        g, t = win.shape[1], win.shape[2]
        qkv = self.h_qkv(win).reshape(b, g, t, 3, nh, self.head_dim)
        q, k, v = (qkv[:, :, :, i].transpose(2, 3) for i in range(3))   # B x G x nh x T x d
        o = attend(q, k, v, self.scale)
        o = o.transpose(2, 3).reshape(b, g, t, self.h_dim)
        return self.h_proj(from_windows(o, s, hp, wp))

    def _lofi(self, m):
        b, hp, wp, c = m.shape
        q = split_heads(self.l_q(m.reshape(b, hp * wp, c)), self.l_heads)
        if self.ws > 1:
            pooled = F.avg_pool2d(m.permute(0, 3, 1, 2), self.ws, self.ws)   # B x C x Hp/s x Wp/s
            src = pooled.flatten(2).transpose(1, 2)
        else:
            src = m.reshape(b, hp * wp, c)
        kv = self.l_kv(src)
        k = split_heads(kv[..., :self.l_dim], self.l_heads)
        v = split_heads(kv[..., self.l_dim:], self.l_heads)
        o = merge_heads(attend(q, k, v, self.scale))
        return self.l_proj(o).reshape(b, hp, wp, self.l_dim)

    def forward(self, x, H, W):
        b, n, c = x.shape
        if n != H * W:
            raise ValueError(f"{n} tokens for a {H}x{W} map")
        m = pad_map(x.reshape(b, H, W, c), self.ws)
        parts = []
        if self.h_heads > 0:
            parts.append(self._hifi(m))
        if self.l_heads > 0:
            parts.append(self._lofi(m))
        y = torch.cat(parts, dim=-1)[:, :H, :W, :]
        return y.reshape(b, n, c)


class MSA(nn.Module):
    """ViT multi-head self-attention over all N tokens (keys qkv, proj)."""

    def __init__(self, dim, num_heads=8, qkv_bias=False):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, H=None, W=None):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.num_heads, c // self.num_heads)
        q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))
        return self.proj(merge_heads(attend(q, k, v, self.scale)))


class SRA(nn.Module):
    """PVT spatial-reduction attention: queries from every token, keys/values from the map reduced by
    a Conv2d(k = stride = sr_ratio) followed by LayerNorm (keys q, kv, sr, norm, proj).
    H or W not divisible by sr_ratio: the conv floors (no padding), as PyTorch's Conv2d does."""

    def __init__(self, dim, num_heads=8, qkv_bias=False, sr_ratio=1):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.sr_ratio = sr_ratio
        self.q = nn.Linear(dim, dim, bias=qkv_bias)
        self.kv = nn.Linear(dim, 2 * dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)
        if sr_ratio > 1:
            self.sr = nn.Conv2d(dim, dim, kernel_size=sr_ratio, stride=sr_ratio)
            self.norm = nn.LayerNorm(dim)

    def forward(self, x, H, W):
        b, n, c = x.shape
        q = split_heads(self.q(x), self.num_heads)
        src = x
        if self.sr_ratio > 1:
            img = x.transpose(1, 2).reshape(b, c, H, W)
            src = self.norm(self.sr(img).flatten(2).transpose(1, 2))
        kv = self.kv(src)
        k = split_heads(kv[..., :c], self.num_heads)
        v = split_heads(kv[..., c:], self.num_heads)
        return self.proj(merge_heads(attend(q, k, v, self.scale)))


def relative_position_index(ws):
    """Swin's (ws*ws) x (ws*ws) index into the (2ws-1)^2 bias table:
    (dy + ws - 1) * (2ws - 1) + (dx + ws - 1), with dy = yi - yj, dx = xi - xj."""
    ys, xs = torch.meshgrid(torch.arange(ws), torch.arange(ws), indexing="ij")
    ys, xs = ys.flatten(), xs.flatten()
    dy = ys[:, None] - ys[None, :] + ws - 1
    dx = xs[:, None] - xs[None, :] + ws - 1
    return dy * (2 * ws - 1) + dx


class WindowAttention(nn.Module):
    """Swin W-MSA without shift: attention inside non-overlapping ws x ws windows, optional relative
    position bias (keys qkv, proj, relative_position_bias_table; relative_position_index is a buffer).
    Maps not divisible by ws are zero-padded bottom/right and cropped, as Swin's detection backbone."""

    def __init__(self, dim, num_heads, window_size=7, qkv_bias=True, rel_pos_bias=True):
        super().__init__()
        self.ws = window_size
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        if rel_pos_bias:
            self.relative_position_bias_table = nn.Parameter(
                torch.zeros((2 * window_size - 1) ** 2, num_heads))
            self.register_buffer("relative_position_index", relative_position_index(window_size))
        else:
            self.relative_position_bias_table = None
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, H, W):
        b, n, c = x.shape
        s, nh = self.ws, self.num_heads
        m = pad_map(x.reshape(b, H, W, c), s)
        hp, wp = m.shape[1], m.shape[2]
        win = to_windows(m, s)
        g, t = win.shape[1], win.shape[2]
        qkv = self.qkv(win).reshape(b, g, t, 3, nh, c // nh)
        q, k, v = (qkv[:, :, :, i].transpose(2, 3) for i in range(3))
        bias = None
        if self.relative_position_bias_table is not None:
            idx = self.relative_position_index.reshape(-1)
            bias = self.relative_position_bias_table[idx].reshape(t, t, nh).permute(2, 0, 1)
        o = attend(q, k, v, self.scale, bias).transpose(2, 3).reshape(b, g, t, c)
        o = self.proj(o)
        return from_windows(o, s, hp, wp)[:, :H, :W, :].reshape(b, n, c)
