"""Minimal .safetensors writer and reader (no extra packages).

Format: 8-byte little-endian header length N, then N bytes of UTF-8 JSON, then the raw tensor bytes.
The JSON maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative
to the end of the header) and may hold "__metadata__": {str: str}. We pad the header with spaces to a
multiple of 8 bytes, as the reference implementation does, so tensor data stays 8-byte aligned.
"""
import json
import struct

import numpy as np

_DTYPES = {
    np.dtype("<f4"): "F32",
    np.dtype("<f8"): "F64",
    np.dtype("<i8"): "I64",
    np.dtype("<i4"): "I32",
}
_NP = {v: k for k, v in _DTYPES.items()}


def _as_numpy(value):
    # Accept torch tensors without importing torch here.
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    arr = np.ascontiguousarray(value)
    if arr.dtype.byteorder == ">" or arr.dtype not in _DTYPES:
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    if arr.dtype not in _DTYPES:
        raise TypeError(f"unsupported dtype {arr.dtype}")
    return arr


def save_file(tensors, path, metadata=None):
    """Write {name: array} (float32 unless the array says otherwise) and string metadata."""
    names = sorted(tensors)
    arrays = [_as_numpy(tensors[n]) for n in names]
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    for name, arr in zip(names, arrays):
        header[name] = {
            "dtype": _DTYPES[arr.dtype],
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + arr.nbytes],
        }
        offset += arr.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for arr in arrays:
            f.write(arr.tobytes(order="C"))


def load_file(path):
    """Read a file written by save_file (or any safetensors file with the dtypes above)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[base + begin:base + end], dtype=_NP[info["dtype"]])
        out[name] = arr.reshape(info["shape"]).copy()
    return out, metadata
