#!/usr/bin/python3
"""Writes the image-preprocessing fixtures of Hilo.Ilgpu.Tests/Fixtures/Images.

Deterministic test images (drawn with numpy and PIL, fixed seeds) in the formats and modes that
Hilo.Ilgpu.Imaging decodes, and for each the tensor that torchvision's evaluation transform makes of it
(PIL open -> convert('RGB') -> Resize(bicubic) -> CenterCrop -> ToTensor -> Normalize), as float32 .npy.
Most cases use a reduced transform (Resize(73) + CenterCrop(64)) to keep the files small; one uses the
LITv2 224 transform (Resize(256) + CenterCrop(224)) and one the squash of LITv2-B-384 (Resize((64, 64))).
manifest.json lists every case, and for every image the SHA-256 of PIL's decoded RGB bytes
(Image.open(f).convert('RGB')), so that tests can hold decoding to PIL's pixels exactly.

Real photos for JPEG decoding (every chroma subsampling, progressive, grayscale, CMYK): scikit-image's public-domain
sample photos chelsea.png (CC0, Stefan van der Walt) and astronaut.png (NASA, public domain), re-encoded here with
Pillow (libjpeg-turbo). They come from Debian's python3-skimage: installed, or only unpacked, e.g.

    apt-get download python3-skimage && dpkg-deb -x python3-skimage_*.deb /tmp/skimage
    SKIMAGE_DATA=/tmp/skimage/usr/lib/python3/dist-packages/skimage/data /usr/bin/python3 tools/make_image_fixtures.py

Run with Debian's python3 (python3-torchvision, python3-pil):

    /usr/bin/python3 tools/make_image_fixtures.py
"""
import hashlib
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


def skimage_data():
    """The folder of scikit-image's sample photos (SKIMAGE_DATA, else the installed python3-skimage's)."""
    folder = os.environ.get("SKIMAGE_DATA")
    if folder is None:
        folder = "/usr/lib/python3/dist-packages/skimage/data"
    if not os.path.exists(os.path.join(folder, "chelsea.png")):
        raise SystemExit(f"{folder}: no chelsea.png; install or unpack python3-skimage and set SKIMAGE_DATA (see the docstring)")
    return folder


def write_gif(path, screen, rect, transparent, frames):
    """A GIF with a 256-colour global palette whose frames cover `rect` of `screen` (PIL cannot write frames smaller
    than the screen). Pixels are uncompressed LZW codes (9 bits, a clear code every 250), every fifth one the
    transparent index when there is one."""
    (width, height), (x, y, w, h) = screen, rect
    palette = bytes((i * 37 + 11) % 256 for i in range(768))
    out = b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 2, 0) + palette
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    for f in range(frames):
        if transparent is not None:
            out += b"\x21\xf9\x04" + bytes([1 | (1 << 2)]) + b"\x0a\x00" + bytes([transparent]) + b"\x00"
        out += b"\x2c" + struct.pack("<HHHHB", x, y, w, h, 0)
        indices = [(i * 7 + 13 * f + (i // w) * 3) % 256 for i in range(w * h)]
        if transparent is not None:
            indices[::5] = [transparent] * len(indices[::5])
        codes = []
        for i, v in enumerate(indices):
            if i % 250 == 0:
                codes.append(256)
            codes.append(v)
        codes.append(257)
        bits, n, data = 0, 0, bytearray()
        for c in codes:
            bits |= c << n
            n += 9
            while n >= 8:
                data.append(bits & 255)
                bits >>= 8
                n -= 8
        if n:
            data.append(bits & 255)
        out += b"\x08" + b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255] for i in range(0, len(data), 255)) + b"\x00"
    with open(path, "wb") as f:
        f.write(out + b"\x3b")


def without_adobe_marker(path):
    """Pillow writes CMYK JPEGs inverted, with an Adobe APP14 marker saying so; turning that marker into a comment
    gives a plain (non-inverted) CMYK JPEG, which PIL and libjpeg-turbo read without inverting."""
    with open(path, "rb") as f:
        data = f.read()
    at = data.index(b"Adobe") - 4
    assert data[at:at + 2] == b"\xff\xee"
    return data[:at] + b"\xff\xfe" + data[at + 2:]


def make_photos():
    """Real photos as JPEGs of every chroma subsampling, progressive, grayscale, CMYK and EXIF-rotated; plus GIF
    frame geometry and transparency, animated WebP and GIF. Returns their file names."""
    data = skimage_data()
    cat = Image.open(os.path.join(data, "chelsea.png")).convert("RGB")          # 451 x 300
    astronaut = Image.open(os.path.join(data, "astronaut.png")).convert("RGB").crop((101, 0, 402, 263))  # 301 x 263
    names = []

    def save(image, name, **options):
        image.save(os.path.join(OUT, name), **options)
        names.append(name)

    save(cat, "cat_444.jpg", quality=92, subsampling=0)
    save(cat, "cat_422.jpg", quality=90, subsampling=1)
    save(cat, "cat_420.jpg", quality=85, subsampling=2)
    save(astronaut, "astronaut_progressive.jpg", quality=85, subsampling=2, progressive=True)
    save(astronaut.convert("L"), "astronaut_gray.jpg", quality=90)
    save(cat.convert("CMYK"), "cat_cmyk_adobe.jpg", quality=90)
    with open(os.path.join(OUT, "cat_cmyk_plain.jpg"), "wb") as f:
        f.write(without_adobe_marker(os.path.join(OUT, "cat_cmyk_adobe.jpg")))
    names.append("cat_cmyk_plain.jpg")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": not applied by PIL's open, nor by us
    save(astronaut, "astronaut_exif6.jpg", quality=90, exif=exif.tobytes())
    small = cat.resize((90, 60), Image.BICUBIC)
    frames = [small, small.transpose(Image.FLIP_LEFT_RIGHT), small.rotate(180)]
    save(frames[0], "animated.webp", save_all=True, append_images=frames[1:], duration=100, loop=0, lossless=True)
    write_gif(os.path.join(OUT, "animated_rect.gif"), (48, 36), (7, 5, 30, 22), 9, 3)
    names.append("animated_rect.gif")
    write_gif(os.path.join(OUT, "rect_opaque.gif"), (48, 36), (10, 3, 25, 20), None, 1)
    names.append("rect_opaque.gif")
    # A first frame larger than the screen: Pillow 9.4 grows the image to the frame (56 x 44), and so does Skia.
    write_gif(os.path.join(OUT, "frame_over_screen.gif"), (40, 30), (0, 0, 56, 44), None, 1)
    names.append("frame_over_screen.gif")
    return names


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
    names = make_images() + make_photos()
    cases = []
    decoded = {}
    plans = {n: [(73, 64, False)] for n in names}
    plans["rgb_317x251.png"].append((256, 224, False))
    plans["rgb_317x251.png"].append((64, 0, True))
    plans["cat_420.jpg"].append((256, 224, False))
    for name in names:
        with open(os.path.join(OUT, name), "rb") as f:
            opened = Image.open(f)
            mode = opened.mode
            img = opened.convert("RGB")
        decoded[name] = hashlib.sha256(np.asarray(img, dtype=np.uint8).tobytes()).hexdigest()
        for resize, crop, stretch in plans[name]:
            tag = f"s{resize}" if stretch else f"r{resize}c{crop}"
            x = transform(resize, crop, stretch)(img).numpy().astype(np.float32)
            npy = f"{name}.{tag}.npy"
            np.save(os.path.join(OUT, npy), x[None])
            cases.append({"image": name, "pil_mode": mode, "resize": resize, "crop": crop if crop else resize,
                          "stretch": stretch, "tensor": npy})
        if name.startswith("photo") and mode != "RGB":
            raise SystemExit(f"{name}: expected an RGB JPEG, PIL opened {mode}")
        if name.startswith("photo"):
            # PIL's decoded pixels, so that the test can tell JPEG decoding differences from resampling ones.
            np.save(os.path.join(OUT, name + ".rgb.npy"), np.asarray(img, dtype=np.uint8))
    manifest = {"generator": "tools/make_image_fixtures.py", "torch": torch.__version__,
                "torchvision": torchvision.__version__, "pillow": Image.__version__, "mean": MEAN, "std": STD,
                "cases": cases, "decoded_rgb_sha256": decoded}
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(cases)} cases, {total / 1e6:.2f} MB in {OUT}")


if __name__ == "__main__":
    main()
