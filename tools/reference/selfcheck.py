"""Self-checks of the reference: parameter counts, official key names/shapes, and the torch modules
against the loop-based float64 versions in naive.py (including padded maps and large DTM offsets).

Run: /usr/bin/python3 -m reference.selfcheck   (from tools/)
"""
import sys

import numpy as np
import torch
from torchvision.ops import deform_conv2d

from . import naive
from .hilo_ref import HiLo, WindowAttention
from .init_params import randomize, tensor
from .litv2_ref import PRESETS, build, parameter_count, preset_config

EXPECTED_PARAMS = {"litv2-s": 27_844_000}   # issue 3 / DESIGN.md: 27.84M


def official_key_spec(cfg):
    """Key -> shape of the official classification LITv2 state dict, written out from reading
    ziplab/LITv2 classification/models/{litv2,layers,blocks,attentions,patch_embed}.py and
    mm_modules/DCN/modules/deform_conv2d.py (DeformConv2dPack)."""
    e, spec = cfg["embed_dim"], {}
    spec["patch_embed.proj.weight"] = (e, 3, 4, 4)
    spec["patch_embed.proj.bias"] = (e,)
    spec["patch_embed.norm.weight"] = (e,)
    spec["patch_embed.norm.bias"] = (e,)
    n = len(cfg["depths"])
    for i in range(n):
        dim, heads = e * 2 ** i, cfg["num_heads"][i]
        hidden, d, ws = int(dim * cfg["mlp_ratio"]), dim // heads, cfg["local_ws"][i]
        lh = heads if ws == 1 else int(heads * cfg["alpha"])
        ld, hd = lh * d, (heads - lh) * d
        for j in range(cfg["depths"][i]):
            p = f"layers.{i}.blocks.{j}."
            if i >= 2:   # has_msa = [0, 0, 1, 1]
                spec[p + "norm1.weight"] = (dim,)
                spec[p + "norm1.bias"] = (dim,)
                lin = []
                if lh:
                    lin += [("l_q", ld, dim), ("l_kv", 2 * ld, dim), ("l_proj", ld, ld)]
                if hd:
                    lin += [("h_qkv", 3 * hd, dim), ("h_proj", hd, hd)]
                for name, o, k in lin:
                    spec[p + f"attn.{name}.weight"] = (o, k)
                    if cfg["qkv_bias"] or name.endswith("proj"):
                        spec[p + f"attn.{name}.bias"] = (o,)
            spec[p + "norm2.weight"] = (dim,)
            spec[p + "norm2.bias"] = (dim,)
            spec[p + "mlp.fc1.weight"] = (hidden, dim)
            spec[p + "mlp.fc1.bias"] = (hidden,)
            spec[p + "mlp.dwconv.dwconv.weight"] = (hidden, 1, 3, 3)
            spec[p + "mlp.dwconv.dwconv.bias"] = (hidden,)
            spec[p + "mlp.fc2.weight"] = (dim, hidden)
            spec[p + "mlp.fc2.bias"] = (dim,)
        if i < n - 1:
            p = f"layers.{i}.downsample."
            spec[p + "dconv.weight"] = (2 * dim, dim, 2, 2)
            spec[p + "dconv.bias"] = (2 * dim,)
            spec[p + "dconv.conv_offset.weight"] = (8, dim, 2, 2)
            spec[p + "dconv.conv_offset.bias"] = (8,)
            for s in ("weight", "bias", "running_mean", "running_var"):
                spec[p + "norm_layer." + s] = (2 * dim,)
            spec[p + "norm_layer.num_batches_tracked"] = ()
    f = e * 2 ** (n - 1)
    spec["norm.weight"] = (f,)
    spec["norm.bias"] = (f,)
    spec["head.weight"] = (cfg["num_classes"], f)
    spec["head.bias"] = (cfg["num_classes"],)
    return spec


def check_keys(cfg):
    sd = build(cfg).state_dict()
    spec = official_key_spec(cfg)
    got = [(k, tuple(v.shape)) for k, v in sd.items()]
    want = list(spec.items())
    if got != want:
        missing = set(spec) - set(sd)
        extra = set(sd) - set(spec)
        bad = [k for k in spec if k in sd and tuple(sd[k].shape) != spec[k]]
        raise AssertionError(f"key mismatch: missing {missing}, extra {extra}, shapes {bad}")
    return len(want)


def params_of(module):
    return {k: v.detach().numpy().astype(np.float64) for k, v in module.state_dict().items()}


def check_hilo(rng, dim, heads, alpha, s, H, W, b=2):
    m = randomize(HiLo(dim, heads, qkv_bias=True, window_size=s, alpha=alpha), rng).double()
    x = tensor(rng, (b, H * W, dim))
    got = m(x, H, W).detach().numpy()
    want = naive.hilo(x.numpy(), H, W, params_of(m), heads, alpha, s)
    return np.abs(got - want).max()


def check_window(rng, dim, heads, H, W, rpb):
    m = randomize(WindowAttention(dim, heads, 7, rel_pos_bias=rpb), rng).double()
    x = tensor(rng, (1, H * W, dim))
    got = m(x, H, W).detach().numpy()
    want = naive.window_attention(x.numpy(), H, W, params_of(m), heads, 7)
    return np.abs(got - want).max()


def check_deform(rng, H, W):
    img = tensor(rng, (2, 5, H, W))
    off = tensor(rng, (2, 8, H // 2, W // 2), scale=2.0)
    w = tensor(rng, (6, 5, 2, 2), scale=0.3)
    bias = tensor(rng, (6,), scale=0.1)
    got = deform_conv2d(img, off, w, bias, stride=2).numpy()
    want = naive.deform_conv(img.numpy(), off.numpy(), w.numpy(), bias.numpy())
    return np.abs(got - want).max()


def main():
    torch.set_grad_enabled(False)
    rng = np.random.default_rng(1234)
    ok = True
    for name in PRESETS:
        cfg = preset_config(name)
        count = parameter_count(build(cfg))
        nkeys = check_keys(cfg)
        flag = "" if EXPECTED_PARAMS.get(name, count) == count else "  MISMATCH"
        ok &= not flag
        print(f"{name}: {count:,} parameters, {nkeys} state-dict keys match the official spec{flag}")
    cases = [(32, 4, a, s, 8, 8) for a in (0.0, 0.5, 0.9, 1.0) for s in (1, 2, 4)]
    cases += [(32, 4, 0.5, 2, 7, 9), (32, 4, 0.9, 4, 6, 10), (32, 4, 0.0, 4, 5, 7),
              (32, 4, 1.0, 2, 5, 5), (48, 12, 0.9, 2, 6, 10), (32, 4, 0.5, 1, 5, 7)]
    for c in cases:
        err = check_hilo(rng, *c)
        ok &= err < 1e-10
        print(f"hilo dim={c[0]} heads={c[1]} alpha={c[2]} s={c[3]} {c[4]}x{c[5]}: max |torch - naive| = {err:.2e}")
    for H, W, rpb in ((14, 14, False), (14, 14, True), (10, 12, True)):
        err = check_window(rng, 16, 2, H, W, rpb)
        ok &= err < 1e-10
        print(f"window7 {H}x{W} rpb={rpb}: {err:.2e}")
    for H, W in ((8, 8), (7, 9)):
        err = check_deform(rng, H, W)
        ok &= err < 1e-10
        print(f"deform_conv2d {H}x{W} (offsets ~N(0,2)): {err:.2e}")
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
