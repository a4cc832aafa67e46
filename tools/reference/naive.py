"""Slow, loop-based float64 NumPy versions of the trickiest layers, written from the definitions
rather than from tensor reshapes. selfcheck.py compares them with the torch reference modules.
Parameters are passed as {official_key: ndarray}."""
import math

import numpy as np


def linear(x, p, name):
    y = x @ p[name + ".weight"].T
    if name + ".bias" in p:
        y = y + p[name + ".bias"]
    return y


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def padded(m, s):
    """m: H x W x C -> zero-padded to multiples of s at the bottom/right."""
    h, w, c = m.shape
    hp, wp = -(-h // s) * s, -(-w // s) * s
    out = np.zeros((hp, wp, c))
    out[:h, :w] = m
    return out


def hilo(x, H, W, p, num_heads, alpha, s):
    """x: B x N x C. Follows the HiLo definition token by token."""
    b, n, c = x.shape
    d = c // num_heads
    lh = num_heads if s == 1 else int(num_heads * alpha)
    hh = num_heads - lh
    scale = d ** -0.5
    out = np.zeros((b, H, W, c))
    for bi in range(b):
        m = padded(x[bi].reshape(H, W, c), s)
        hp, wp = m.shape[:2]
        hi = np.zeros((hp, wp, hh * d))
        if hh:
            qkv = linear(m, p, "h_qkv")                       # Hp x Wp x 3*hh*d
            heads_out = np.zeros((hp, wp, hh * d))
            for wy in range(0, hp, s):
                for wx in range(0, wp, s):
                    blk = qkv[wy:wy + s, wx:wx + s].reshape(s * s, -1)
                    for h in range(hh):
                        q = blk[:, h * d:(h + 1) * d]
                        k = blk[:, hh * d + h * d: hh * d + (h + 1) * d]
                        v = blk[:, 2 * hh * d + h * d: 2 * hh * d + (h + 1) * d]
                        o = softmax(q @ k.T * scale) @ v
                        heads_out[wy:wy + s, wx:wx + s, h * d:(h + 1) * d] = o.reshape(s, s, d)
            hi = linear(heads_out, p, "h_proj")
        lo = np.zeros((hp, wp, lh * d))
        if lh:
            pooled = np.zeros((hp // s, wp // s, c))
            for i in range(hp // s):
                for j in range(wp // s):
                    pooled[i, j] = m[i * s:(i + 1) * s, j * s:(j + 1) * s].reshape(-1, c).sum(0) / (s * s)
            kv = linear(pooled.reshape(-1, c), p, "l_kv")
            q = linear(m.reshape(-1, c), p, "l_q")
            heads_out = np.zeros((hp * wp, lh * d))
            for h in range(lh):
                qh = q[:, h * d:(h + 1) * d]
                kh = kv[:, h * d:(h + 1) * d]
                vh = kv[:, lh * d + h * d: lh * d + (h + 1) * d]
                heads_out[:, h * d:(h + 1) * d] = softmax(qh @ kh.T * scale) @ vh
            lo = linear(heads_out, p, "l_proj").reshape(hp, wp, lh * d)
        out[bi] = np.concatenate([hi, lo], axis=-1)[:H, :W]
    return out.reshape(b, n, c)


def window_attention(x, H, W, p, num_heads, ws):
    b, n, c = x.shape
    d = c // num_heads
    table = p.get("relative_position_bias_table")
    out = np.zeros((b, H, W, c))
    for bi in range(b):
        m = padded(x[bi].reshape(H, W, c), ws)
        hp, wp = m.shape[:2]
        qkv = linear(m, p, "qkv")
        o = np.zeros((hp, wp, c))
        for wy in range(0, hp, ws):
            for wx in range(0, wp, ws):
                blk = qkv[wy:wy + ws, wx:wx + ws].reshape(ws * ws, -1)
                for h in range(num_heads):
                    q = blk[:, h * d:(h + 1) * d]
                    k = blk[:, c + h * d: c + (h + 1) * d]
                    v = blk[:, 2 * c + h * d: 2 * c + (h + 1) * d]
                    logits = q @ k.T * d ** -0.5
                    if table is not None:
                        for ti in range(ws * ws):
                            for tj in range(ws * ws):
                                dy = ti // ws - tj // ws + ws - 1
                                dx = ti % ws - tj % ws + ws - 1
                                logits[ti, tj] += table[dy * (2 * ws - 1) + dx, h]
                    o[wy:wy + ws, wx:wx + ws, h * d:(h + 1) * d] = (softmax(logits) @ v).reshape(ws, ws, d)
        out[bi] = linear(o, p, "proj")[:H, :W]
    return out.reshape(b, n, c)


def bilinear_zero(img, y, x):
    """img: C x H x W; sample at (y, x) with zeros outside (per-corner validity)."""
    c, h, w = img.shape
    if y <= -1 or y >= h or x <= -1 or x >= w:
        return np.zeros(c)
    y0, x0 = math.floor(y), math.floor(x)
    ly, lx = y - y0, x - x0
    acc = np.zeros(c)
    for yy, wy in ((y0, 1 - ly), (y0 + 1, ly)):
        for xx, wx in ((x0, 1 - lx), (x0 + 1, lx)):
            if 0 <= yy < h and 0 <= xx < w:
                acc += wy * wx * img[:, yy, xx]
    return acc


def deform_conv(img, offset, weight, bias, stride=2):
    """img B x C x H x W, offset B x 2*kh*kw x Ho x Wo (channel 2k = dy, 2k+1 = dx, k = i*kw + j)."""
    b, c, h, w = img.shape
    co, _, kh, kw = weight.shape
    ho, wo = offset.shape[2], offset.shape[3]
    out = np.zeros((b, co, ho, wo))
    for bi in range(b):
        for oy in range(ho):
            for ox in range(wo):
                acc = bias.astype(np.float64).copy()
                for i in range(kh):
                    for j in range(kw):
                        k = i * kw + j
                        y = oy * stride + i + offset[bi, 2 * k, oy, ox]
                        x = ox * stride + j + offset[bi, 2 * k + 1, oy, ox]
                        acc += weight[:, :, i, j] @ bilinear_zero(img[bi], y, x)
                out[bi, :, oy, ox] = acc
    return out
