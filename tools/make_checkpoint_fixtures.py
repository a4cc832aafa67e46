#!/usr/bin/python3
"""Writes the checkpoint-reader test fixtures into Hilo.Ilgpu.Tests/Fixtures/Checkpoints/.

Run with Debian's interpreter (it has python3-torch and python3-numpy):

    /usr/bin/python3 tools/make_checkpoint_fixtures.py

Every file is made by real torch.save / numpy.save where possible; the hostile and corrupt ones are
built by hand. expected.json records, for each tensor the C# tests read, its shape, source dtype and
checksums computed exactly as the tests do (a sequential float64 sum, and a weighted one that catches
permutations), plus the first and last elements.
"""

import argparse as argparse_module
import io
import json
import os
import pickle
import struct
import sys
import types
import zipfile

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Hilo.Ilgpu.Tests", "Fixtures", "Checkpoints")

# A stand-in for yacs.config.CfgNode, registered under that module name so pickles reference
# yacs.config.CfgNode exactly as the official LITv2 training checkpoints do.
yacs = types.ModuleType("yacs")
yacs_config = types.ModuleType("yacs.config")


class CfgNode(dict):
    def __init__(self, init=None):
        super().__init__(init or {})
        self.__dict__["__immutable__"] = False
        self.__dict__["__deprecated_keys__"] = set()


CfgNode.__module__ = "yacs.config"
yacs_config.CfgNode = CfgNode
yacs.config = yacs_config
sys.modules["yacs"] = yacs
sys.modules["yacs.config"] = yacs_config


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.norm = nn.LayerNorm(3)
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)

    def forward(self, x, y):
        return self.norm(self.fc(x)), self.bn(self.conv(y))


TinyNet.__module__ = "tiny_models"  # so the whole-module pickle names a module, not __main__
sys.modules["tiny_models"] = types.ModuleType("tiny_models")
sys.modules["tiny_models"].TinyNet = TinyNet


def tensor_facts(t):
    values = t.detach().float().flatten().tolist() if t.dtype != torch.bool else t.float().flatten().tolist()
    total = 0.0
    weighted = 0.0
    for i, v in enumerate(values):
        total += v
        weighted += v * (i % 7 + 1)
    return {
        "shape": list(t.shape),
        "dtype": {torch.float32: "Float32", torch.float16: "Float16", torch.bfloat16: "BFloat16",
                  torch.float64: "Float64", torch.int64: "Int64", torch.int32: "Int32",
                  torch.bool: "Bool", torch.uint8: "UInt8", torch.int8: "Int8", torch.int16: "Int16"}[t.dtype],
        "sum": total,
        "wsum": weighted,
        "first": values[:4],
        "last": values[-1] if values else None,
    }


def dict_facts(sd, strip=""):
    return {"keys": [k[len(strip):] if k.startswith(strip) else k for k in sd.keys()],
            "tensors": {(k[len(strip):] if k.startswith(strip) else k): tensor_facts(v) for k, v in sd.items()}}


def save(name, obj, **kwargs):
    torch.save(obj, os.path.join(OUT, name), **kwargs)


def torch_like_zip(name, pickle_bytes, storages=None):
    """A zip laid out like torch.save's, around a hand-made data.pkl."""
    def entry(entry_name):  # fixed timestamps keep the fixtures byte-for-byte reproducible
        return zipfile.ZipInfo(entry_name, date_time=(1980, 1, 1, 0, 0, 0))

    with zipfile.ZipFile(os.path.join(OUT, name), "w", zipfile.ZIP_STORED) as z:
        z.writestr(entry("archive/data.pkl"), pickle_bytes)
        for key, data in (storages or {}).items():
            z.writestr(entry(f"archive/data/{key}"), data)
        z.writestr(entry("archive/version"), b"3\n")


def write_safetensors(name, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    codes = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64", torch.int64: "I64"}
    for key, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[key] = {"dtype": codes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))
    torch.manual_seed(0)
    expected = {}

    model = TinyNet()
    # Three training steps give non-trivial BatchNorm running stats and num_batches_tracked = 3.
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2)
    for _ in range(3):
        a, b = model(torch.randn(5, 4), torch.randn(2, 2, 6, 6))
        (a.square().sum() + b.square().sum()).backward()
        opt.step()
        sched.step()
        opt.zero_grad()
    model.eval()
    sd = model.state_dict()

    save("bare.pt", sd)
    expected["bare.pt"] = dict_facts(sd)

    config = CfgNode({"MODEL": CfgNode({"TYPE": "litv2", "NAME": "litv2_tiny", "DROP_PATH_RATE": 0.2}),
                      "DATA": CfgNode({"IMG_SIZE": 224, "BATCH_SIZE": 128}), "TAG": "default"})
    wrapped = {"model": sd, "optimizer": opt.state_dict(), "lr_scheduler": sched.state_dict(),
               "max_accuracy": 81.2, "epoch": 3, "config": config,
               "args": argparse_module.Namespace(lr=0.001, name="tiny"),
               "np_metric": np.float64(0.5), "np_array": np.arange(3, dtype=np.float32)}
    save("wrapped.pt", wrapped)
    expected["wrapped.pt"] = dict_facts(sd)

    save("wrapped_state_dict.pt", {"state_dict": sd, "epoch": 7})
    expected["wrapped_state_dict.pt"] = dict_facts(sd)

    dp = nn.DataParallel(model).state_dict()
    assert all(k.startswith("module.") for k in dp)
    save("dataparallel.pt", {"model": dp, "epoch": 1})
    expected["dataparallel.pt"] = dict_facts(dp, strip="module.")

    half = {k: (v.half() if v.is_floating_point() else v) for k, v in sd.items()}
    save("half.pt", half)
    expected["half.pt"] = dict_facts(half)

    for proto in (4, 5):
        save(f"protocol{proto}.pt", sd, pickle_protocol=proto)
        expected[f"protocol{proto}.pt"] = dict_facts(sd)

    base = torch.arange(15, dtype=torch.float32).reshape(3, 5) * 0.25 - 1.0
    views = {"base": base, "transposed": base.t(), "row": base[1], "block": base[1:, 1:4],
             "strided": base[:, ::2], "scalar": base[2, 3]}
    assert not views["transposed"].is_contiguous()
    save("views.pt", views)
    expected["views.pt"] = dict_facts(views)

    dtypes = {"f64": torch.randn(3, 2, dtype=torch.float64), "bf16": torch.randn(4).bfloat16(),
              "i32": torch.tensor([1, -2, 3], dtype=torch.int32), "mask": torch.tensor([True, False, True]),
              "empty": torch.zeros(0, 3)}
    save("dtypes.pt", dtypes)
    expected["dtypes.pt"] = dict_facts(dtypes)

    bad = {"ok": torch.ones(2), "has_nan": torch.tensor([0.0, 1.0, float("nan"), 2.0]),
           "has_inf": torch.tensor([[1.0, float("-inf")], [float("inf"), 0.0]])}
    save("nonfinite.pt", bad)

    save("whole_module.pt", {"model": model, "epoch": 1})
    save("legacy.pt", sd, _use_new_zipfile_serialization=False)
    save("not_a_dict.pt", [torch.ones(2)])

    with open(os.path.join(OUT, "bare.pt"), "rb") as f:
        data = f.read()
    with open(os.path.join(OUT, "truncated.pt"), "wb") as f:
        f.write(data[: len(data) // 2])

    # os.system called through REDUCE; built by hand so the pickle names os.system (pickling the real
    # function would write posix.system).
    evil = (b"\x80\x02" + b"}q\x00" + b"X\x06\x00\x00\x00weightq\x01" + b"cos\nsystem\nq\x02"
            + b"X\x0a\x00\x00\x00echo pwnedq\x03" + b"\x85q\x04" + b"Rq\x05" + b"s.")
    torch_like_zip("malicious_os_system.pt", evil)

    class Eval:
        def __reduce__(self):
            return (eval, ("print('pwned')",))

    torch_like_zip("malicious_eval.pt", pickle.dumps({"weight": Eval()}, protocol=4))

    st = {"fc.weight": sd["fc.weight"], "fc.bias": sd["fc.bias"], "conv.weight": sd["conv.weight"]}
    write_safetensors("tiny.safetensors", st, {"format": "pt", "source": "make_checkpoint_fixtures"})
    expected["tiny.safetensors"] = dict_facts(st)
    mixed = {"h": torch.randn(2, 3).half(), "b": torch.randn(5).bfloat16(), "d": torch.randn(2, 2, dtype=torch.float64),
             "n": torch.tensor([3, 4], dtype=torch.int64)}
    write_safetensors("mixed.safetensors", mixed)
    expected["mixed.safetensors"] = dict_facts(mixed)

    arr = np.random.default_rng(1).standard_normal((2, 3, 4, 5)).astype(np.float32)
    np.save(os.path.join(OUT, "input.npy"), arr)
    expected["input.npy"] = tensor_facts(torch.from_numpy(arr))
    np.save(os.path.join(OUT, "fortran.npy"), np.asfortranarray(arr[0]))
    expected["fortran.npy"] = tensor_facts(torch.from_numpy(np.ascontiguousarray(arr[0])))
    np.save(os.path.join(OUT, "float64.npy"), arr[1].astype(np.float64))
    expected["float64.npy"] = tensor_facts(torch.from_numpy(arr[1]))
    np.save(os.path.join(OUT, "bigendian.npy"), arr[0, 0].astype(">f4"))
    expected["bigendian.npy"] = tensor_facts(torch.from_numpy(np.ascontiguousarray(arr[0, 0])))
    np.save(os.path.join(OUT, "int64.npy"), np.arange(6).reshape(2, 3))

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
