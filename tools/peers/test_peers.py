#!/usr/bin/python3
"""Tests of the peers' Python side: /usr/bin/python3 -m unittest tools/peers/test_peers.py (or run the file).

- deform_sampling.deform_conv2d equals torchvision's deform_conv2d in float64, with offsets that push sampling points
  off the map on every side (the zero-outside rule) and with stride, padding and dilation other than LITv2's;
- export_models.to_opset19 turns the exporter's private-domain DeformConv into the standard op at opset 19 and moves
  ReduceMean's axes attribute into an input, on a small graph;
- bench_pytorch.best_openblas_core picks SkylakeX with the AVX-512 subsets, Haswell with AVX2 + FMA, nothing otherwise;
- peer_table's table names the best peer's ratio from the better of two runs.
"""
import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

import numpy as np
import torch
from torchvision.ops import deform_conv2d as tv_deform_conv2d

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))

import deform_sampling  # noqa: E402
import peer_table  # noqa: E402


class DeformSamplingTests(unittest.TestCase):
    def check(self, b, c, h, w, c_out, k, stride, padding, dilation, offset_scale, seed):
        g = torch.Generator().manual_seed(seed)
        img = torch.randn(b, c, h, w, generator=g, dtype=torch.float64)
        oh = (h + 2 * padding - dilation * (k - 1) - 1) // stride + 1
        ow = (w + 2 * padding - dilation * (k - 1) - 1) // stride + 1
        offset = offset_scale * torch.randn(b, 2 * k * k, oh, ow, generator=g, dtype=torch.float64)
        weight = torch.randn(c_out, c, k, k, generator=g, dtype=torch.float64)
        bias = torch.randn(c_out, generator=g, dtype=torch.float64)
        want = tv_deform_conv2d(img, offset, weight, bias, stride=stride, padding=padding, dilation=dilation)
        got = deform_sampling.deform_conv2d(img, offset, weight, bias, stride=stride, padding=padding, dilation=dilation)
        self.assertEqual(got.shape, want.shape)
        self.assertLess((got - want).abs().max().item(), 1e-12)
        return offset

    def test_litv2_token_merging_shape(self):
        self.check(2, 6, 8, 8, 12, k=2, stride=2, padding=0, dilation=1, offset_scale=1.0, seed=1)

    def test_points_far_outside_the_map_on_every_side(self):
        # Offsets of ±4 pixels on a 5x7 map: many taps fall wholly or partly outside it.
        offset = self.check(1, 3, 5, 7, 4, k=2, stride=2, padding=0, dilation=1, offset_scale=4.0, seed=2)
        self.assertGreater(offset.abs().max().item(), 5.0)

    def test_three_by_three_with_padding_and_dilation(self):
        self.check(2, 4, 9, 6, 5, k=3, stride=1, padding=2, dilation=2, offset_scale=1.5, seed=3)

    def test_map_smaller_than_two_is_refused(self):
        with self.assertRaisesRegex(ValueError, "at least 2x2"):
            deform_sampling.deform_conv2d(torch.zeros(1, 1, 1, 4), torch.zeros(1, 8, 1, 2), torch.zeros(1, 1, 2, 2), None)


class OpsetRewriteTests(unittest.TestCase):
    def test_private_deform_conv_and_reduce_axes_become_opset_19(self):
        import onnx
        from onnx import helper, TensorProto
        import export_models
        nodes = [
            helper.make_node("DeformConv", ["x", "w", "off"], ["y"], domain="hilo", strides=[2, 2]),
            helper.make_node("ReduceMean", ["y"], ["m"], axes=[1], keepdims=0),
        ]
        graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in ["x", "w", "off"]],
                                  [helper.make_tensor_value_info("m", TensorProto.FLOAT, None)])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("hilo", 1)])
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.onnx")
            onnx.save(model, path)
            ops = export_models.to_opset19(path)
            back = onnx.load(path)
        self.assertEqual(ops, ["DeformConv", "ReduceMean"])
        self.assertEqual([(o.domain, o.version) for o in back.opset_import], [("", 19)])
        deform, reduce = back.graph.node
        self.assertEqual(deform.domain, "")
        self.assertEqual([a.name for a in reduce.attribute], ["keepdims"])
        axes = next(t for t in back.graph.initializer if t.name == reduce.input[1])
        self.assertEqual(list(onnx.numpy_helper.to_array(axes)), [1])


class OpenBlasCoreTests(unittest.TestCase):
    def test_core_by_isa(self):
        sys.path.insert(0, os.path.join(HERE, ".."))
        import bench_pytorch
        avx512 = {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd", "avx2", "fma"}
        self.assertEqual(bench_pytorch.best_openblas_core(avx512), "SkylakeX")
        self.assertEqual(bench_pytorch.best_openblas_core({"avx512f", "avx2", "fma"}), "Haswell")  # no BW/VL: not SkylakeX
        self.assertEqual(bench_pytorch.best_openblas_core({"avx2", "fma", "sse4_2"}), "Haswell")
        self.assertIsNone(bench_pytorch.best_openblas_core({"sse4_2", "avx"}))


class TableTests(unittest.TestCase):
    def test_better_of_two_runs_and_ratio_to_the_best_peer(self):
        rows = [
            dict(peer="onnxruntime", version="1.32.0", case="hilo-b64", round=1, images_per_second=100.0, max_relative_error=1e-7),
            dict(peer="onnxruntime", version="1.32.0", case="hilo-b64", round=2, images_per_second=150.0),
            dict(peer="libtorch", version="2.10.0", case="hilo-b64", round=1, images_per_second=120.0, max_relative_error=2e-7),
            dict(peer="pytorch", version="1.13", case="hilo-b64", round=1, images_per_second=90.0),
            dict(peer="hilo", version="cpu", case="hilo-b64", round=1, images_per_second=300.0),
        ]
        for r in rows:
            r["gflops"] = peer_table.gflops(r["case"], r["images_per_second"])
        with tempfile.TemporaryDirectory() as d:
            res, peak = os.path.join(d, "r.jsonl"), os.path.join(d, "p.jsonl")
            with open(res, "w") as f:
                f.write("\n".join(json.dumps(r) for r in rows) + "\n")
            with open(peak, "w") as f:
                for case, gf in (("hilo-b64", 596.6), ("litv2s-b16", 400.0)):   # the better of the two counts
                    f.write(json.dumps(dict(gflops=gf, threads=2, instruction="Vector512 FMA (AVX-512F)", cpu_model="Test CPU",
                                            isa="avx512f avx2 fma", case=case, load_average="0.5")) + "\n")
            buf = io.StringIO()
            with redirect_stdout(buf):
                peer_table.table(res, peak, "0.5", 2)
        text = buf.getvalue()
        line = next(l for l in text.splitlines() if l.startswith("| HiLo layer"))
        # 300 img/s = 179 GFLOP/s = 30% of 596.6; the best peer is ONNX Runtime's second run, 150: 2.00x.
        self.assertIn("300 (30%)", line)
        self.assertIn("150 (15%)", line)
        self.assertIn("**2.00×**", line)
        self.assertIn("Test CPU (avx512f avx2 fma)", text)
        self.assertIn("onnxruntime 100 / 150", text)
        self.assertIn("597 GFLOP/s", text)
        self.assertIn("best of 2: 597 / 400", text)


if __name__ == "__main__":
    unittest.main()
