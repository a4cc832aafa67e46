#!/usr/bin/python3
"""Writes the parity fixtures of Hilo.Ilgpu.Tests from our own PyTorch reference (tools/reference).

    /usr/bin/python3 tools/make_fixtures.py            # (re)writes Hilo.Ilgpu.Tests/Fixtures/{Layers,Litv2}
    /usr/bin/python3 tools/make_fixtures.py --check    # regenerates in a temp dir, compares with committed

Deterministic: every case draws from numpy PCG64 seeded with crc32(case name). References are
computed in float64 from the float32-rounded parameters and inputs, then stored as float32.
Cases, tensor names, layouts and metadata keys: docs/reference-fixtures.md.
"""
import argparse
import filecmp
import json
import os
import sys
import tempfile
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import safetensors_io as st                      # noqa: E402
from reference.hilo_ref import HiLo, MSA, SRA, WindowAttention   # noqa: E402
from reference.init_params import randomize, tensor              # noqa: E402
from reference.litv2_ref import (DTM, Block, ConvFFNBlock, DeformConv, DWMlp,  # noqa: E402
                                 PatchEmbed, nchw_to_tokens, tokens_to_nchw)
from reference import litv2_fixtures                            # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO, "Hilo.Ilgpu.Tests", "Fixtures")
ATOL = "1e-4"


def seed_of(name):
    return zlib.crc32(name.encode("utf-8"))


def f32(t):
    return t.detach().to(torch.float32).contiguous().numpy()


class Writer:
    def __init__(self, root):
        self.dir = os.path.join(root, "Layers")
        os.makedirs(self.dir, exist_ok=True)
        self.index = {}

    def case(self, name, kind, params, inputs, output, f32_output=None, meta=None, extra=None):
        """params: {official key: tensor}; inputs: {name: float64 tensor}; output: float64 tensor.
        f32_output: the same forward run in float32 torch (reported, not stored)."""
        for k, v in inputs.items():
            assert torch.equal(v.float().double(), v.double()), f"{name}: {k} not float32-exact"
        tensors = {k: f32(v) for k, v in params.items()}
        tensors.update({k: f32(v) for k, v in inputs.items()})
        tensors["output"] = f32(output)
        for k, v in (extra or {}).items():
            tensors[k] = v if isinstance(v, np.ndarray) else f32(v)
        md = {"case": name, "kind": kind, "seed": seed_of(name), "atol": ATOL,
              "reference": "torch float64 on float32-rounded parameters/inputs, stored as float32",
              "output_shape": "x".join(map(str, output.shape)),
              "output_max_abs": f"{output.abs().max().item():.4g}"}
        for k, v in inputs.items():
            md[f"{k}_shape"] = "x".join(map(str, v.shape))
        if f32_output is not None:
            md["torch_f32_max_abs_diff"] = f"{(f32_output.double() - output).abs().max().item():.3g}"
        md.update({k: _text(v) for k, v in meta.items()})
        st.save_file(tensors, os.path.join(self.dir, name + ".safetensors"), md)
        self.index[name] = {"file": name + ".safetensors", "kind": kind, "metadata": md}

    def finish(self):
        with open(os.path.join(self.dir, "index.json"), "w") as f:
            json.dump(self.index, f, indent=1, sort_keys=True)
            f.write("\n")


def _text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ",".join(map(str, v))
    return str(v)


def run(fn, *args, mods=()):
    """Forward in float64 and in float32 on identical (float32-valued) parameters. `mods`: modules
    the callable uses (cast with it); an nn.Module `fn` is cast itself."""
    mods = list(mods) + ([fn] if isinstance(fn, nn.Module) else [])
    with torch.no_grad():
        for m in mods:
            m.double()
        y64 = fn(*args)
        for m in mods:
            m.float()
        y32 = fn(*(a.float() if torch.is_tensor(a) else a for a in args))
        for m in mods:
            m.double()
    return y64, y32


def params(module):
    return {k: v for k, v in module.state_dict().items() if v.is_floating_point()}


# ----------------------------------------------------------------------------------- basic layers

def basic_layers(w):
    name = "linear"
    rng = np.random.default_rng(seed_of(name))
    m = randomize(nn.Linear(24, 40), rng)
    x = tensor(rng, (2, 12, 24))
    w.case(name, "linear", params(m), {"input": x}, *run(m, x), meta=dict(in_features=24, out_features=40, bias=True))

    name = "linear_nobias"
    rng = np.random.default_rng(seed_of(name))
    m = randomize(nn.Linear(24, 16, bias=False), rng)
    x = tensor(rng, (2, 12, 24))
    w.case(name, "linear", params(m), {"input": x}, *run(m, x), meta=dict(in_features=24, out_features=16, bias=False))

    name = "layernorm"
    rng = np.random.default_rng(seed_of(name))
    m = randomize(nn.LayerNorm(48), rng)
    x = tensor(rng, (2, 10, 48), scale=2.0, mean=0.5)
    x[1, 3] += 30.0          # a token with a large mean: one-pass E[x^2]-E[x]^2 in float32 fails here
    x = x.float().double()
    w.case(name, "layernorm", params(m), {"input": x}, *run(m, x), meta=dict(dim=48, eps="1e-05"))

    name = "gelu"
    rng = np.random.default_rng(seed_of(name))
    x = torch.cat([torch.linspace(-8, 8, 96, dtype=torch.float64).reshape(1, 96),
                   tensor(rng, (3, 96), scale=2.5)]).float().double()
    w.case(name, "gelu", {}, {"input": x}, *run(nn.GELU(), x), meta=dict(form="exact erf: 0.5*x*(1+erf(x/sqrt(2)))"))

    name = "softmax"
    rng = np.random.default_rng(seed_of(name))
    x = tensor(rng, (2, 3, 5, 17), scale=4.0)
    x[1, 2, 4] += 80.0       # large logits: needs max subtraction
    x = x.float().double()
    w.case(name, "softmax", {}, {"input": x}, *run(nn.Softmax(dim=-1), x), meta=dict(axis=-1))

    name = "dwconv3x3"
    rng = np.random.default_rng(seed_of(name))
    m = randomize(nn.Conv2d(24, 24, 3, 1, 1, groups=24), rng)
    x = tensor(rng, (2, 60, 24))
    y64, y32 = run(lambda t: nchw_to_tokens(m(tokens_to_nchw(t, 6, 10))), x, mods=[m])
    w.case(name, "dwconv3x3", params(m), {"input": x}, y64, meta=dict(channels=24, H=6, W=10, batch=2, padding=1),
           f32_output=y32)

    name = "dwmlp_7x9"
    rng = np.random.default_rng(seed_of(name))
    m = randomize(DWMlp(16, 64), rng)
    x = tensor(rng, (2, 63, 16))
    w.case(name, "dwmlp", params(m), {"input": x}, *run(lambda t: m(t, 7, 9), x, mods=[m]),
           meta=dict(dim=16, hidden=64, H=7, W=9, batch=2))

    for name, (h, wd) in (("patch_embed_32x32", (32, 32)), ("patch_embed_30x42", (30, 42))):
        rng = np.random.default_rng(seed_of(name))
        m = randomize(PatchEmbed(3, 16), rng)
        x = tensor(rng, (2, 3, h, wd))
        with torch.no_grad():
            _, oh, ow = m(x.float())
        y64, y32 = run(lambda t: m(t)[0], x, mods=[m])
        w.case(name, "patch_embed", params(m), {"input": x}, y64, f32_output=y32,
               meta=dict(in_chans=3, embed_dim=16, patch=4, image_H=h, image_W=wd, out_H=oh, out_W=ow,
                         batch=2, padding="image zero-padded bottom/right to a multiple of 4"))

    for name, s, h, wd in (("avgpool_s2_8x8", 2, 8, 8), ("avgpool_s4_8x8", 4, 8, 8),
                           ("avgpool_s4_7x10", 4, 7, 10), ("avgpool_s2_5x7", 2, 5, 7)):
        rng = np.random.default_rng(seed_of(name))
        x = tensor(rng, (2, h * wd, 16))

        def pool(t, s=s, h=h, wd=wd):
            m = F.pad(t.reshape(2, h, wd, 16), (0, 0, 0, (-wd) % s, 0, (-h) % s))
            return nchw_to_tokens(F.avg_pool2d(m.permute(0, 3, 1, 2), s, s))
        y64, y32 = run(pool, x)
        w.case(name, "avgpool", {}, {"input": x}, y64, f32_output=y32,
               meta=dict(channels=16, window_size=s, H=h, W=wd, batch=2, out_H=-(-h // s), out_W=-(-wd // s),
                         padding="zero-pad bottom/right to multiples of s; zeros counted (sum / s^2)"))

    name = "batchnorm_eval"
    rng = np.random.default_rng(seed_of(name))
    m = randomize(nn.BatchNorm2d(24), rng).eval()
    x = tensor(rng, (2, 20, 24))
    y64, y32 = run(lambda t: nchw_to_tokens(m(tokens_to_nchw(t, 4, 5))), x, mods=[m])
    with torch.no_grad():
        scale = m.weight / torch.sqrt(m.running_var + m.eps)
        shift = m.bias - m.running_mean * scale
    w.case(name, "batchnorm_eval", params(m), {"input": x}, y64, f32_output=y32,
           meta=dict(channels=24, H=4, W=5, batch=2, eps="1e-05"),
           extra={"fold_scale": scale, "fold_shift": shift})

    name = "mean_tokens"
    rng = np.random.default_rng(seed_of(name))
    x = tensor(rng, (2, 20, 24), mean=0.3)
    w.case(name, "mean_tokens", {}, {"input": x}, *run(lambda t: t.mean(dim=1), x), meta=dict(dim=24, batch=2))

    name = "head"
    rng = np.random.default_rng(seed_of(name))
    m = nn.ModuleDict({"norm": nn.LayerNorm(64), "head": nn.Linear(64, 10)})
    randomize(m, rng)
    x = tensor(rng, (2, 12, 64))
    y64, y32 = run(lambda t: m["head"](m["norm"](t).mean(dim=1)), x, mods=[m])
    w.case(name, "head", params(m), {"input": x}, y64, f32_output=y32,
           meta=dict(dim=64, num_classes=10, tokens=12, batch=2, order="LayerNorm -> mean over tokens -> Linear"))


def deformable(w):
    for name, h, wd in (("deform_conv_8x8", 8, 8), ("deform_conv_7x9", 7, 9)):
        rng = np.random.default_rng(seed_of(name))
        m = randomize(DeformConv(8, 16), rng)
        x = tensor(rng, (2, h * wd, 8))
        off = tensor(rng, (2, 8, h // 2, wd // 2), scale=1.5)
        from torchvision.ops import deform_conv2d

        def f(t, o, m=m, h=h, wd=wd):
            y = deform_conv2d(tokens_to_nchw(t, h, wd), o, m.weight.to(t.dtype), m.bias.to(t.dtype), stride=2)
            return nchw_to_tokens(y)
        y64, y32 = run(f, x, off)
        p = {"weight": m.weight, "bias": m.bias}
        w.case(name, "deform_conv", p, {"input": x, "offset": off}, y64, f32_output=y32,
               meta=dict(c_in=8, c_out=16, kernel=2, stride=2, H=h, W=wd, batch=2, out_H=h // 2, out_W=wd // 2,
                         **_offset_stats(off, h, wd)))

    for name, h, wd in (("dtm_8x8", 8, 8), ("dtm_7x9", 7, 9)):
        rng = np.random.default_rng(seed_of(name))
        m = randomize(DTM(16), rng, offset_std=0.25).eval()
        x = tensor(rng, (2, h * wd, 16))
        with torch.no_grad():
            m.double()
            _, oh, ow, off = m(x, h, wd, return_offset=True)
        y64, y32 = run(lambda t: m(t, h, wd)[0], x, mods=[m])
        w.case(name, "dtm", params(m), {"input": x}, y64, f32_output=y32, extra={"offset": off},
               meta=dict(dim=16, out_dim=32, H=h, W=wd, batch=2, out_H=oh, out_W=ow, bn_eps="1e-05",
                         **_offset_stats(off, h, wd)))


def _offset_stats(off, h, wd):
    """How much of the sampling the fixture exercises: fractional offsets, samples outside."""
    b, _, oh, ow = off.shape
    ys = torch.arange(oh).double().reshape(1, 1, oh, 1) * 2
    xs = torch.arange(ow).double().reshape(1, 1, 1, ow) * 2
    outside = total = 0
    for k in range(4):
        i, j = divmod(k, 2)
        y = ys + i + off[:, 2 * k:2 * k + 1]
        x = xs + j + off[:, 2 * k + 1:2 * k + 2]
        # a sample contributes nothing only beyond -1 / size; partially outside otherwise
        out = (y < 0) | (y > h - 1) | (x < 0) | (x > wd - 1)
        outside += int(out.sum())
        total += out.numel()
    return {"offset_max_abs": f"{off.abs().max().item():.3g}",
            "samples_touching_outside": f"{outside}/{total}"}


# ------------------------------------------------------------------------------------- attention

def hilo_case(w, name, dim, heads, alpha, s, h, wd, batch=2, qkv_bias=True, note=""):
    rng = np.random.default_rng(seed_of(name))
    m = randomize(HiLo(dim, heads, qkv_bias=qkv_bias, window_size=s, alpha=alpha), rng)
    x = tensor(rng, (batch, h * wd, dim))
    meta = dict(dim=dim, num_heads=heads, alpha=alpha, window_size=s, H=h, W=wd, batch=batch,
                qkv_bias=qkv_bias, head_dim=dim // heads, l_heads=m.l_heads, h_heads=m.h_heads,
                padded=(h % s != 0) or (wd % s != 0))
    if note:
        meta["note"] = note
    w.case(name, "hilo", params(m), {"input": x}, *run(lambda t: m(t, h, wd), x, mods=[m]), meta=meta)


def attention(w):
    for a, at in ((0.0, "0"), (0.5, "0.5"), (0.9, "0.9"), (1.0, "1")):
        for s in (1, 2, 4):
            hilo_case(w, f"hilo_a{at}_s{s}_8x8", 16, 4, a, s, 8, 8)
    hilo_case(w, "hilo_pad_a0.5_s2_7x9", 32, 4, 0.5, 2, 7, 9)
    hilo_case(w, "hilo_pad_a0.9_s4_6x10", 32, 4, 0.9, 4, 6, 10)
    hilo_case(w, "hilo_pad_a0_s4_5x7", 32, 4, 0.0, 4, 5, 7, note="Hi-Fi only, padded")
    hilo_case(w, "hilo_pad_a1_s2_5x5", 32, 4, 1.0, 2, 5, 5, note="Lo-Fi only, padded")
    hilo_case(w, "hilo_a0.5_s2_6x10", 32, 4, 0.5, 2, 6, 10, note="non-square, divisible")
    hilo_case(w, "hilo_a0.5_s1_5x7", 32, 4, 0.5, 1, 5, 7, note="s=1: plain MSA, non-square")
    hilo_case(w, "hilo_h12_a0.9_s2_6x10", 48, 12, 0.9, 2, 6, 10, note="LITv2 stage-3 split: 10 Lo-Fi / 2 Hi-Fi")
    hilo_case(w, "hilo_nobias_a0.5_s2_8x8", 32, 4, 0.5, 2, 8, 8, qkv_bias=False)
    hilo_case(w, "hilo_h50_a0.58_s2_4x4", 50, 50, 0.58, 2, 4, 4, batch=1,
              note="int(50*0.58) = int(28.999999999999996) = 28 in float64 (float32 math or exact decimal give 29)")

    for name, bias in (("msa_7x7", True), ("msa_nobias_7x7", False)):
        rng = np.random.default_rng(seed_of(name))
        m = randomize(MSA(32, 4, qkv_bias=bias), rng)
        x = tensor(rng, (2, 49, 32))
        w.case(name, "msa", params(m), {"input": x}, *run(m, x),
               meta=dict(dim=32, num_heads=4, H=7, W=7, batch=2, qkv_bias=bias))

    for name, h, wd in (("sra_sr2_8x8", 8, 8), ("sra_sr2_6x10", 6, 10), ("sra_sr2_7x9", 7, 9)):
        rng = np.random.default_rng(seed_of(name))
        m = randomize(SRA(32, 2, qkv_bias=True, sr_ratio=2), rng)
        x = tensor(rng, (2, h * wd, 32))
        w.case(name, "sra", params(m), {"input": x}, *run(lambda t: m(t, h, wd), x, mods=[m]),
               meta=dict(dim=32, num_heads=2, sr_ratio=2, H=h, W=wd, batch=2, qkv_bias=True, norm_eps="1e-05",
                         kv_H=h // 2, kv_W=wd // 2, note="sr conv floors odd sizes (no padding), as PVT"))

    for name, h, wd, rpb in (("window7_14x14", 14, 14, False), ("window7_rpb_14x14", 14, 14, True),
                             ("window7_rpb_10x12", 10, 12, True), ("window7_9x9", 9, 9, False)):
        rng = np.random.default_rng(seed_of(name))
        m = randomize(WindowAttention(16, 2, 7, qkv_bias=True, rel_pos_bias=rpb), rng)
        x = tensor(rng, (2, h * wd, 16))
        extra = {"relative_position_index": m.relative_position_index.numpy().astype("<i8")} if rpb else None
        w.case(name, "window_attention", params(m), {"input": x}, *run(lambda t: m(t, h, wd), x, mods=[m]), extra=extra,
               meta=dict(dim=16, num_heads=2, window_size=7, H=h, W=wd, batch=2, qkv_bias=True,
                         relative_position_bias=rpb, shift=0, padded=(h % 7 != 0) or (wd % 7 != 0)))


def blocks(w):
    name = "block_convffn_7x9"
    rng = np.random.default_rng(seed_of(name))
    m = randomize(ConvFFNBlock(16, 4.0), rng)
    x = tensor(rng, (2, 63, 16))
    w.case(name, "convffn_block", params(m), {"input": x}, *run(lambda t: m(t, 7, 9), x, mods=[m]),
           meta=dict(dim=16, mlp_ratio=4, H=7, W=9, batch=2))

    name = "block_hilo_7x9"
    rng = np.random.default_rng(seed_of(name))
    m = randomize(Block(32, 4, 4.0, True, 2, 0.9), rng)
    x = tensor(rng, (2, 63, 32))
    w.case(name, "hilo_block", params(m), {"input": x}, *run(lambda t: m(t, 7, 9), x, mods=[m]),
           meta=dict(dim=32, num_heads=4, alpha=0.9, window_size=2, mlp_ratio=4, qkv_bias=True, H=7, W=9,
                     batch=2, l_heads=m.attn.l_heads, h_heads=m.attn.h_heads))


def write_all(root):
    torch.set_grad_enabled(False)
    w = Writer(root)
    basic_layers(w)
    deformable(w)
    attention(w)
    blocks(w)
    w.finish()
    litv2_fixtures.write(os.path.join(root, "Litv2"), seed_of("litv2_tiny"))
    return w


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--check", action="store_true", help="regenerate to a temp dir and compare")
    args = ap.parse_args()
    torch.set_num_threads(1)    # deterministic reduction order
    if not args.check:
        w = write_all(FIXTURES)
        print(f"{len(w.index)} layer cases -> {w.dir}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        write_all(tmp)
        bad = []
        for sub in ("Layers", "Litv2"):
            a, b = os.path.join(tmp, sub), os.path.join(FIXTURES, sub)
            names = sorted(set(os.listdir(a)) | set(os.listdir(b)))
            bad += [f"{sub}/{n}" for n in names if not (os.path.exists(os.path.join(a, n)) and
                    os.path.exists(os.path.join(b, n)) and filecmp.cmp(os.path.join(a, n), os.path.join(b, n), False))]
        print("identical" if not bad else "differs: " + ", ".join(bad))
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
