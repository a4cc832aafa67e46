#!/usr/bin/env python3
"""Writes Hilo.Ilgpu/Imaging/imagenet1k_labels.txt: the 1000 ImageNet-1k class names in class-index order, one per
line, as torchvision ships them with its ImageNet weights (torchvision.models._meta._IMAGENET_CATEGORIES). Run with
Debian's python3-torchvision: /usr/bin/python3 tools/make_imagenet_labels.py"""
import pathlib

from torchvision.models._meta import _IMAGENET_CATEGORIES as names

assert len(names) == 1000 and all("\n" not in n for n in names)
out = pathlib.Path(__file__).resolve().parent.parent / "Hilo.Ilgpu" / "Imaging" / "imagenet1k_labels.txt"
out.write_text("".join(n + "\n" for n in names), encoding="utf-8")
print(f"wrote {len(names)} labels to {out}")
