#!/usr/bin/python3
"""Writes the image-preprocessing fixtures of Hilo.Ilgpu.Tests/Fixtures/Images.

Deterministic test images (drawn with numpy and PIL, fixed seeds) in the formats and modes that
Hilo.Ilgpu.Imaging decodes, and for each the tensor that torchvision's evaluation transform makes of it
(PIL open -> convert('RGB') -> Resize(bicubic) -> CenterCrop -> ToTensor -> Normalize), as float32 .npy.
Most cases use a reduced transform (Resize(73) + CenterCrop(64)) to keep the files small; one uses the
LITv2 224 transform (Resize(256) + CenterCrop(224)) and one the squash of LITv2-B-384 (Resize((64, 64))).
manifest.json lists every case. Run with Debian's python3 (python3-torchvision, python3-pil):

    /usr/bin/python3 tools/make_image_fixtures.py
"""
import io
import json
import os
import struct
import zlib

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms
from torchvision.transforms import InterpolationMode

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Hilo.Ilgpu.Tests", "Fixtures", "Images")
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def pattern(h, w, seed):
    """Noise, gradients and sharp edges: every filter tap and every clamp of the resampler gets exercised."""
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    img[..., 0] = 255 * x / max(w - 1, 1)
    img[..., 1] = 255 * y / max(h - 1, 1)
    img[..., 2] = 127.5 + 127.5 * np.sin(x / 5.0) * np.cos(y / 7.0)
    img[(x // 16 + y // 16) % 2 == 0] = [255, 255, 255]      # checkerboard: hard 0/255 edges
    img[h // 3:h // 3 + 3, :] = 0                             # thin black lines
    img[:, w // 2:w // 2 + 1] = [0, 0, 255]
    img += rng.normal(0, 20, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png16_rgb(path, rgb16):
    """PIL cannot write 16-bit RGB PNGs, so this one is written chunk by chunk."""
    h, w, _ = rgb16.shape
    raw = b"".join(b"\x00" + rgb16[r].astype(">u2").tobytes() for r in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)))
        f.write(png_chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(png_chunk(b"IEND", b""))


def write_huge_header_png(path):
    """A valid PNG header claiming 100000 x 100000 pixels with next to no data: must be refused from the header."""
    raw = zlib.compress(b"\x00" * 16)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(png_chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)))
        f.write(png_chunk(b"IDAT", raw))
        f.write(png_chunk(b"IEND", b""))


def make_images():
    """Writes the test images; returns their file names."""
    names = []
    rgb = pattern(251, 317, 1)
    Image.fromarray(rgb, "RGB").save(os.path.join(OUT, "rgb_317x251.png"))
    names.append("rgb_317x251.png")
    Image.fromarray(pattern(400, 300, 2), "RGB").save(os.path.join(OUT, "photo_300x400.jpg"), quality=90)
    names.append("photo_300x400.jpg")
    # 4:4:4 (no chroma subsampling): what is left of the JPEG difference is the IDCT's and color conversion's rounding.
    Image.fromarray(pattern(400, 300, 2), "RGB").save(os.path.join(OUT, "photo444_300x400.jpg"), quality=95, subsampling=0)
    names.append("photo444_300x400.jpg")
    Image.fromarray(pattern(150, 200, 3)[..., 1], "L").save(os.path.join(OUT, "gray_200x150.png"))
    names.append("gray_200x150.png")
    rgba = np.dstack([pattern(120, 160, 4), pattern(120, 160, 5)[..., 0]])
    Image.fromarray(rgba, "RGBA").save(os.path.join(OUT, "rgba_160x120.png"))
    names.append("rgba_160x120.png")
    Image.fromarray(pattern(110, 150, 6), "RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(
        os.path.join(OUT, "palette_150x110.gif"))
    names.append("palette_150x110.gif")
    rgb16 = pattern(90, 120, 7).astype(np.uint16) * 257 + np.random.RandomState(8).randint(0, 257, (90, 120, 3)).astype(np.uint16)
    write_png16_rgb(os.path.join(OUT, "rgb16_120x90.png"), rgb16)
    names.append("rgb16_120x90.png")
    Image.fromarray(pattern(30, 40, 9), "RGB").save(os.path.join(OUT, "tiny_40x30.png"))
    names.append("tiny_40x30.png")
    Image.fromarray(pattern(70, 90, 10), "RGB").save(os.path.join(OUT, "rgb_90x70.bmp"))
    names.append("rgb_90x70.bmp")
    Image.fromarray(pattern(80, 100, 11), "RGB").save(os.path.join(OUT, "lossless_100x80.webp"), lossless=True)
    names.append("lossless_100x80.webp")
    # The PNG content behind a .jpg name: decoded by content.
    Image.fromarray(pattern(64, 80, 12), "RGB").save(os.path.join(OUT, "png_named.jpg"), format="PNG")
    names.append("png_named.jpg")
    write_huge_header_png(os.path.join(OUT, "huge_header.png"))
    with open(os.path.join(OUT, "not_an_image.png"), "wb") as f:
        f.write(b"This is a text file with a .png name.\n" * 4)
    return names


def transform(resize, crop, stretch):
    size = (resize, resize) if stretch else resize
    steps = [transforms.Resize(size, interpolation=InterpolationMode.BICUBIC)]
    if crop:
        steps.append(transforms.CenterCrop(crop))
    steps += [transforms.ToTensor(), transforms.Normalize(MEAN, STD)]
    return transforms.Compose(steps)


def main():
    os.makedirs(OUT, exist_ok=True)
    names = make_images()
    cases = []
    plans = {n: [(73, 64, False)] for n in names}
    plans["rgb_317x251.png"].append((256, 224, False))
    plans["rgb_317x251.png"].append((64, 0, True))
    for name in names:
        with open(os.path.join(OUT, name), "rb") as f:
            opened = Image.open(f)
            mode = opened.mode
            img = opened.convert("RGB")
        for resize, crop, stretch in plans[name]:
            tag = f"s{resize}" if stretch else f"r{resize}c{crop}"
            x = transform(resize, crop, stretch)(img).numpy().astype(np.float32)
            npy = f"{name}.{tag}.npy"
            np.save(os.path.join(OUT, npy), x[None])
            cases.append({"image": name, "pil_mode": mode, "resize": resize, "crop": crop if crop else resize,
                          "stretch": stretch, "tensor": npy})
        if name.endswith(".jpg") and mode != "RGB":
            raise SystemExit(f"{name}: expected an RGB JPEG, PIL opened {mode}")
        if name.startswith("photo"):
            # PIL's decoded pixels, so that the test can tell JPEG decoding differences from resampling ones.
            np.save(os.path.join(OUT, name + ".rgb.npy"), np.asarray(img, dtype=np.uint8))
    manifest = {"generator": "tools/make_image_fixtures.py", "torch": torch.__version__,
                "torchvision": torchvision.__version__, "pillow": Image.__version__, "mean": MEAN, "std": STD,
                "cases": cases}
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(cases)} cases, {total / 1e6:.2f} MB in {OUT}")


if __name__ == "__main__":
    main()
