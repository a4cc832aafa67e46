#!/usr/bin/env python3
"""Writes Hilo.Ilgpu/Imaging/imagenet1k_synsets.txt: the 1000 ImageNet-1k WordNet ids (wnids, e.g. n01440764) in
class-index order, one per line, so that `hilo validate` maps an ImageFolder's synset sub-folders to the indices the
official checkpoints were trained with.

torchvision's and timm's ImageNet class index is the position of the wnid in the sorted list of the 1000 train
folders (ImageFolder sorts class folders by name), so the order is the sorted order; this script checks that rather
than trusting it. The source is timm's timm/data/_info/imagenet_synsets.txt (Apache-2.0, a public list of ids):

    /usr/bin/python3 tools/make_imagenet_synsets.py PATH/TO/imagenet_synsets.txt
"""
import pathlib
import re
import sys

if len(sys.argv) != 2:
    sys.exit(__doc__)
ids = [line.strip() for line in pathlib.Path(sys.argv[1]).read_text(encoding="ascii").splitlines() if line.strip()]
assert len(ids) == 1000, f"{len(ids)} ids, expected 1000"
assert len(set(ids)) == 1000, "duplicate ids"
assert all(re.fullmatch(r"n\d{8}", i) for i in ids), "an id is not n + 8 digits"
assert ids == sorted(ids), "not in sorted (class-index) order"
assert ids[0] == "n01440764" and ids[-1] == "n15075141", "first/last are not tench/toilet tissue"
out = pathlib.Path(__file__).resolve().parent.parent / "Hilo.Ilgpu" / "Imaging" / "imagenet1k_synsets.txt"
out.write_text("".join(i + "\n" for i in ids), encoding="ascii")
print(f"wrote {len(ids)} synset ids to {out}")
