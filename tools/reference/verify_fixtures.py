"""Round-trip check of the committed fixtures: rebuild every layer from its file's metadata and
tensors alone (as the C# tests must), run it in float64 and compare with the stored output; load the
three tiny LITv2 checkpoints with torch.load and compare logits and stage maps.

Run: /usr/bin/python3 -m reference.verify_fixtures   (from tools/)
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.ops import deform_conv2d

from . import safetensors_io as st
from .hilo_ref import HiLo, MSA, SRA, WindowAttention
from .litv2_fixtures import _cfg_node_class
from .litv2_ref import (DTM, Block, ConvFFNBlock, DWMlp, PatchEmbed, build, nchw_to_tokens,
                        tokens_to_nchw)

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "Hilo.Ilgpu.Tests", "Fixtures")


def _b(s):
    return s == "true"


def _load(module, t):
    # Layer fixtures hold float tensors only: BatchNorm's int64 num_batches_tracked is left out.
    keys = [k for k in module.state_dict() if not k.endswith("num_batches_tracked")]
    missing, unexpected = module.load_state_dict({k: torch.from_numpy(t[k]) for k in keys}, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing)
    return module.double().eval()


def forward(kind, md, t):
    i = {k: int(md[k]) for k in ("H", "W", "dim", "num_heads", "window_size", "batch") if k in md}
    x = torch.from_numpy(t["input"]).double()
    H, W = i.get("H"), i.get("W")
    if kind == "linear":
        return _load(nn.Linear(int(md["in_features"]), int(md["out_features"]), bias=_b(md["bias"])), t)(x)
    if kind == "layernorm":
        return _load(nn.LayerNorm(i["dim"], eps=float(md["eps"])), t)(x)
    if kind == "gelu":
        return F.gelu(x)
    if kind == "softmax":
        return torch.softmax(x, dim=int(md["axis"]))
    if kind == "dwconv3x3":
        c = int(md["channels"])
        m = _load(nn.Conv2d(c, c, 3, 1, 1, groups=c), t)
        return nchw_to_tokens(m(tokens_to_nchw(x, H, W)))
    if kind == "dwmlp":
        return _load(DWMlp(i["dim"], int(md["hidden"])), t)(x, H, W)
    if kind == "patch_embed":
        return _load(PatchEmbed(int(md["in_chans"]), int(md["embed_dim"])), t)(x)[0]
    if kind == "avgpool":
        s, b, c = i["window_size"], x.shape[0], x.shape[2]
        m = F.pad(x.reshape(b, H, W, c), (0, 0, 0, (-W) % s, 0, (-H) % s)).permute(0, 3, 1, 2)
        return nchw_to_tokens(F.avg_pool2d(m, s, s))
    if kind == "batchnorm_eval":
        m = _load(nn.BatchNorm2d(int(md["channels"]), eps=float(md["eps"])), t)
        return nchw_to_tokens(m(tokens_to_nchw(x, H, W)))
    if kind == "mean_tokens":
        return x.mean(dim=1)
    if kind == "head":
        m = _load(nn.ModuleDict({"norm": nn.LayerNorm(i["dim"]), "head": nn.Linear(i["dim"], int(md["num_classes"]))}), t)
        return m["head"](m["norm"](x).mean(dim=1))
    if kind == "deform_conv":
        w, b = (torch.from_numpy(t[k]).double() for k in ("weight", "bias"))
        off = torch.from_numpy(t["offset"]).double()
        return nchw_to_tokens(deform_conv2d(tokens_to_nchw(x, H, W), off, w, b, stride=int(md["stride"])))
    if kind == "dtm":
        return _load(DTM(i["dim"]), t)(x, H, W)[0]
    if kind == "hilo":
        m = HiLo(i["dim"], i["num_heads"], _b(md["qkv_bias"]), i["window_size"], float(md["alpha"]))
        assert m.l_heads == int(md["l_heads"])
        return _load(m, t)(x, H, W)
    if kind == "msa":
        return _load(MSA(i["dim"], i["num_heads"], _b(md["qkv_bias"])), t)(x)
    if kind == "sra":
        return _load(SRA(i["dim"], i["num_heads"], _b(md["qkv_bias"]), int(md["sr_ratio"])), t)(x, H, W)
    if kind == "window_attention":
        m = WindowAttention(i["dim"], i["num_heads"], i["window_size"], _b(md["qkv_bias"]),
                            _b(md["relative_position_bias"]))
        return _load(m, t)(x, H, W)
    if kind == "convffn_block":
        return _load(ConvFFNBlock(i["dim"], float(md["mlp_ratio"])), t)(x, H, W)
    if kind == "hilo_block":
        m = Block(i["dim"], i["num_heads"], float(md["mlp_ratio"]), _b(md["qkv_bias"]), i["window_size"],
                  float(md["alpha"]))
        return _load(m, t)(x, H, W)
    raise KeyError(kind)


def check_layers():
    worst, n = 0.0, 0
    for name in sorted(os.listdir(os.path.join(FIXTURES, "Layers"))):
        if not name.endswith(".safetensors"):
            continue
        t, md = st.load_file(os.path.join(FIXTURES, "Layers", name))
        y = forward(md["kind"], md, t).detach().numpy()
        err = float(np.abs(y - t["output"]).max())
        assert err < 1e-6, f"{name}: {err}"
        worst, n = max(worst, err), n + 1
    print(f"{n} layer fixtures rebuilt from metadata: max |recomputed - stored| = {worst:.2e}")


def check_litv2():
    d = os.path.join(FIXTURES, "Litv2")
    with open(os.path.join(d, "tiny_config.json")) as f:
        cfg = json.load(f)
    _cfg_node_class()      # makes yacs.config.CfgNode importable for torch.load
    for ck in ("tiny_bare.pth", "tiny_wrapped.pth", "tiny_module_prefix.pth"):
        obj = torch.load(os.path.join(d, ck), map_location="cpu")
        sd = obj.get("model", obj)
        sd = {k[7:] if k.startswith("module.") else k: v for k, v in sd.items()}
        model = build(cfg)
        model.load_state_dict(sd, strict=True)
        model.double().eval()
        for name in sorted(os.listdir(d)):
            if not name.startswith("input_"):
                continue
            size = name[len("input_"):-len(".npy")]
            x = torch.from_numpy(np.load(os.path.join(d, name))).double()
            with torch.no_grad():
                logits, pooled, stages = model.forward_stages(x)
            want = np.load(os.path.join(d, f"logits_{size}.npy"))
            t, _ = st.load_file(os.path.join(d, f"stages_{size}.safetensors"))
            errs = [np.abs(logits.numpy() - want).max(), np.abs(pooled.numpy() - t["pooled"]).max()]
            errs += [np.abs(s.numpy() - t[f"stage{i}"]).max() for i, s in enumerate(stages)]
            assert max(errs) < 1e-6, (ck, size, errs)
        print(f"{ck}: loads strictly, logits and stage maps reproduce ({len(sd)} keys)")


def main():
    torch.set_grad_enabled(False)
    check_layers()
    check_litv2()
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
