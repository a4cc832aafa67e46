#!/usr/bin/python3
"""Exports the peers' models from the project's PyTorch reference (tools/reference/), with an input and the reference
output for each, so that every peer runner checks its numerics before it is timed.

  /usr/bin/python3 tools/peers/export_models.py [--out DIR] [--cases hilo-b64,litv2s-b16,litv2s-b1] [--seed S]

Writes DIR/<case>/ (default DIR: ~/.cache/hilo/peers):
  model.onnx     ONNX opset 19, fixed batch (ONNX Runtime runner); LITv2-S's token merging as ONNX `DeformConv`
  model.pt       TorchScript, traced and frozen (LibTorch runner); deformable sampling with grid_sample
                 (deform_sampling.py), since LibTorch without torchvision has no torchvision::deform_conv2d
  input.f32      the input, raw little-endian float32, C order
  expected.f32   the reference's output on it, computed in float64 and rounded to float32
  case.json      {"name", "subject", "batch", "input_shape", "output_shape", "flops_per_image"}

Weights: tools/reference/init_params.randomize (seeded, realistically scaled, BatchNorm statistics and deformable
offsets included, so the offsets move the sampling points by about a pixel).
"""
import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))   # tools/: the `reference` package
sys.path.insert(0, HERE)

# Multiply-adds per image as `hilo compare` counts them (docs/compare.md; FlopCounterTests asserts them).
CASES = {
    "hilo-b64": dict(subject="hilo", batch=64, flops=298_296_320),
    "litv2s-b16": dict(subject="litv2-s", batch=16, flops=3_735_631_104),
    "litv2s-b1": dict(subject="litv2-s", batch=1, flops=3_735_631_104),
}


def default_out():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "hilo", "peers")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=default_out())
    p.add_argument("--cases", default=",".join(CASES))
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    a.cases = [c.strip() for c in a.cases.split(",") if c.strip()]
    unknown = [c for c in a.cases if c not in CASES]
    if unknown:
        p.error(f"--cases: unknown {', '.join(unknown)} (known: {', '.join(CASES)})")
    return a


class HiLoOn14x14(__import__("torch").nn.Module):
    """The attention protocol's HiLo layer (C 768, 12 heads, s 2, α 0.9, qkv_bias) on a fixed 14x14 token map."""

    def __init__(self):
        super().__init__()
        from reference.hilo_ref import HiLo
        self.attn = HiLo(768, 12, qkv_bias=True, window_size=2, alpha=0.9)

    def forward(self, x):
        return self.attn(x, 14, 14)


def build(subject, seed):
    import torch
    from reference.init_params import randomize
    rng = np.random.default_rng(seed)
    if subject == "hilo":
        module = HiLoOn14x14()
        randomize(module, rng)
        return module.eval(), (196, 768)
    from reference import litv2_ref
    model = litv2_ref.build(litv2_ref.preset_config(subject))
    randomize(model, rng, offset_std=0.02)
    return model.eval(), (3, 224, 224)


def register_deform_conv_symbolic():
    """torch 1.13's exporter knows no torchvision::deform_conv2d; ONNX has DeformConv since opset 19, which 1.13 cannot
    target (its last is 17). So the node is emitted in a private domain at opset 17 and moved to the standard domain,
    opset 19, by to_opset19() below."""
    import torch
    from torch.onnx import symbolic_helper as sym

    @sym.parse_args("v", "v", "v", "v", "v", "i", "i", "i", "i", "i", "i", "i", "i", "b")
    def deform_conv2d(g, x, weight, offset, mask, bias, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w,
                      n_weight_grps, n_offset_grps, use_mask):
        if use_mask:
            raise RuntimeError("DeformConv export: modulated (masked) deformable convolution is not used by LITv2")
        return g.op("hilo::DeformConv", x, weight, offset, bias,
                    strides_i=[stride_h, stride_w], pads_i=[pad_h, pad_w, pad_h, pad_w],
                    dilations_i=[dil_h, dil_w], group_i=n_weight_grps, offset_group_i=n_offset_grps)

    torch.onnx.register_custom_op_symbolic("torchvision::deform_conv2d", deform_conv2d, 17)


# Operators whose `axes` became an input in opset 18 (attribute before).
REDUCE_OPS = {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
              "ReduceLogSumExp", "ReduceSumSquare"}


def to_opset19(path):
    """Rewrites an opset-17 file with hilo::DeformConv nodes as a standard opset-19 file: DeformConv into the default
    domain, and the only opset-18 change this graph meets, Reduce* `axes` attribute -> input. Returns the ops used."""
    import onnx
    from onnx import helper, numpy_helper
    model = onnx.load(path)
    graph = model.graph
    for i, node in enumerate(graph.node):
        if node.domain == "hilo":
            node.domain = ""
        if node.op_type in REDUCE_OPS:
            axes = [a for a in node.attribute if a.name == "axes"]
            if axes:
                name = f"{node.name or node.op_type}_{i}_axes"
                graph.initializer.append(numpy_helper.from_array(np.array(axes[0].ints, dtype=np.int64), name))
                node.input.append(name)
                node.attribute.remove(axes[0])
    del model.opset_import[:]
    model.opset_import.extend([helper.make_opsetid("", 19)])
    model.ir_version = 9   # opset 19's IR version
    onnx.save(model, path)
    return sorted({n.op_type for n in graph.node})


def export_case(name, out_root, seed):
    import torch
    spec = CASES[name]
    out = os.path.join(out_root, name)
    os.makedirs(out, exist_ok=True)
    model, item_shape = build(spec["subject"], seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.standard_normal((spec["batch"],) + item_shape).astype(np.float32)
    xt = torch.from_numpy(x)

    t0 = time.time()
    with torch.inference_mode():
        expected = model.double()(xt.double()).float().numpy()
    model.float()
    print(f"  {name}: reference output {expected.shape} in float64 ({time.time() - t0:.1f} s)", flush=True)

    # ONNX: fixed batch, torchvision's deform_conv2d as DeformConv.
    tmp = os.path.join(out, "model.onnx.tmp")
    with torch.no_grad():
        torch.onnx.export(model, (xt,), tmp, opset_version=17, input_names=["input"], output_names=["output"],
                          custom_opsets={"hilo": 1}, do_constant_folding=True)
    ops = to_opset19(tmp)
    os.replace(tmp, os.path.join(out, "model.onnx"))
    print(f"  {name}: model.onnx (opset 19: {', '.join(ops)})", flush=True)

    # TorchScript: the same weights with grid_sample deformable sampling, traced and frozen.
    from deform_sampling import replace_deform_convs
    scripted_src = replace_deform_convs(model)
    with torch.inference_mode(False), torch.no_grad():
        traced = torch.jit.trace(scripted_src, (xt,), check_trace=False)
        frozen = torch.jit.freeze(traced.eval())
        got = frozen(xt).numpy()
    err = float(np.abs(got - expected).max())
    print(f"  {name}: model.pt (traced, frozen; max |error| {err:.2e} vs the reference)", flush=True)
    tmp = os.path.join(out, "model.pt.tmp")
    frozen.save(tmp)
    os.replace(tmp, os.path.join(out, "model.pt"))

    x.tofile(os.path.join(out, "input.f32"))
    expected.astype("<f4").tofile(os.path.join(out, "expected.f32"))
    with open(os.path.join(out, "case.json"), "w") as f:
        json.dump(dict(name=name, subject=spec["subject"], batch=spec["batch"], input_shape=list(x.shape),
                       output_shape=list(expected.shape), flops_per_image=spec["flops"], seed=seed), f, indent=2)
        f.write("\n")


def main(argv):
    args = parse_args(argv)
    import torch
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    register_deform_conv_symbolic()
    print(f"exporting {', '.join(args.cases)} to {args.out} (torch {torch.__version__})", flush=True)
    for name in args.cases:
        export_case(name, args.out, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
