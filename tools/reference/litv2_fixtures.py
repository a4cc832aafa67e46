"""The tiny end-to-end LITv2 fixture: one random model saved as a bare state dict, a wrapped training
checkpoint (as classification/utils.py save_checkpoint writes it) and a `module.`-prefixed one;
inputs of three sizes with their logits and per-stage maps."""
import collections
import json
import os
import sys
import types

import numpy as np
import torch

from . import safetensors_io as st
from .init_params import randomize
from .litv2_ref import build, parameter_count, save_config

TINY = dict(embed_dim=8, depths=[1, 1, 2, 1], num_heads=[1, 2, 4, 4], alpha=0.9, local_ws=[0, 0, 2, 1],
            num_classes=10, img_size=32, mlp_ratio=4.0, qkv_bias=True)
# 32x32: every size even/divisible; 32x48: stage-3 map 2x3 -> HiLo pads W; 36x50: image padded to
# 36x52, stage-1 map 9x13 -> DTM floors to 4x6, stage-3 map 2x3 padded.
INPUTS = [(32, 32), (32, 48), (36, 50)]


def _cfg_node_class():
    """A stand-in for yacs.config.CfgNode that pickles under that name (a dict subclass with
    instance attributes), so the wrapped checkpoint holds a foreign class like real release files."""
    try:
        from yacs.config import CfgNode
        return CfgNode
    except ImportError:
        pass
    mod = sys.modules.get("yacs.config")
    if mod is None:
        pkg = types.ModuleType("yacs")
        mod = types.ModuleType("yacs.config")
        pkg.config = mod
        sys.modules["yacs"], sys.modules["yacs.config"] = pkg, mod

        class CfgNode(dict):
            pass
        CfgNode.__module__ = "yacs.config"
        CfgNode.__qualname__ = "CfgNode"
        mod.CfgNode = CfgNode
    return mod.CfgNode


def _config_node(cfg):
    node_cls = _cfg_node_class()

    def node(d):
        n = node_cls()
        for k, v in d.items():
            n[k] = node(v) if isinstance(v, dict) else v
        n.__dict__.update({"__immutable__": True, "__deprecated_keys__": set(),
                           "__renamed_keys__": {}, "__new_allowed__": False})
        return n
    return node({"MODEL": {"TYPE": "litv2", "NAME": "litv2_tiny", "NUM_CLASSES": cfg["num_classes"],
                           "LIT": {"EMBED_DIM": cfg["embed_dim"], "DEPTHS": cfg["depths"],
                                   "NUM_HEADS": cfg["num_heads"], "ALPHA": cfg["alpha"],
                                   "LOCAL_WS": cfg["local_ws"], "MLP_RATIO": cfg["mlp_ratio"],
                                   "QKV_BIAS": cfg["qkv_bias"], "QK_SCALE": None}},
                 "DATA": {"IMG_SIZE": cfg["img_size"], "INTERPOLATION": "bicubic"},
                 "TRAIN": {"BASE_LR": 5e-4, "OPTIMIZER": {"NAME": "adamw", "BETAS": (0.9, 0.999)}},
                 "AMP_OPT_LEVEL": "O0", "SEED": 0})


def _wrapped(sd, model, cfg):
    opt = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.05)
    osd = opt.state_dict()
    first = next(iter(sd.values()))
    # Optimizer state with tensors of its own, which a loader must skip.
    osd["state"][0] = {"step": torch.tensor(10.0), "exp_avg": torch.full_like(first, 1e-3),
                       "exp_avg_sq": torch.full_like(first, 1e-6)}
    sched = {"t_initial": 300, "lr_min": 5e-6, "warmup_t": 20, "warmup_lr_init": 5e-7, "t_in_epochs": True,
             "base_values": [5e-4], "noise_range_t": None, "noise_seed": 42, "param_group_field": "lr"}
    return {"model": sd, "optimizer": osd, "lr_scheduler": sched, "max_accuracy": 12.5, "epoch": 1,
            "config": _config_node(cfg)}


def write(outdir, seed):
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(seed)
    cfg = dict(TINY)
    model = randomize(build(cfg), rng, offset_std=0.15).eval()
    sd = model.state_dict()
    save_config(cfg, os.path.join(outdir, "tiny_config.json"))
    torch.save(sd, os.path.join(outdir, "tiny_bare.pth"))
    torch.save(_wrapped(sd, model, cfg), os.path.join(outdir, "tiny_wrapped.pth"))
    prefixed = collections.OrderedDict(("module." + k, v) for k, v in sd.items())
    torch.save({"model": prefixed, "epoch": 3}, os.path.join(outdir, "tiny_module_prefix.pth"))
    summary = {"config": cfg, "parameters": parameter_count(model), "inputs": {}}
    with torch.no_grad():
        for h, w in INPUTS:
            x = rng.standard_normal((2, 3, h, w)).astype(np.float32)
            np.save(os.path.join(outdir, f"input_{h}x{w}.npy"), x)
            model.double()
            logits, pooled, stages = model.forward_stages(torch.from_numpy(x).double())
            model.float()
            logits32 = model(torch.from_numpy(x))
            np.save(os.path.join(outdir, f"logits_{h}x{w}.npy"), logits.float().numpy())
            tensors = {f"stage{i}": s.float().contiguous() for i, s in enumerate(stages)}
            tensors["pooled"] = pooled.float()
            tensors["logits"] = logits.float()
            meta = {"image_H": h, "image_W": w, "batch": 2,
                    "torch_f32_logits_max_abs_diff": f"{(logits32.double() - logits).abs().max().item():.3g}",
                    "logits_max_abs": f"{logits.abs().max().item():.4g}"}
            for i, s in enumerate(stages):
                meta[f"stage{i}_shape"] = "x".join(map(str, s.shape))
            st.save_file(tensors, os.path.join(outdir, f"stages_{h}x{w}.safetensors"), meta)
            summary["inputs"][f"{h}x{w}"] = meta
    with open(os.path.join(outdir, "index.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
        f.write("\n")
