"""safetensors files written with numpy alone (the `safetensors` package is not packaged for
Debian): an 8-byte little-endian header length, a JSON header, raw little-endian data.

Run as a script it writes the reader's test fixture:
    python3 tools/safetensors-reference/write_safetensors.py \
        ddpm-core/src/test/resources/safetensors/numpy-dtypes.safetensors
"""
import json
import struct
import sys

import numpy as np


def bf16_bytes(a):
    """bfloat16 by rounding float32 to nearest even (as torch does)."""
    bits = np.ascontiguousarray(a, dtype='<f4').view('<u4').astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype('<u2').tobytes()


def save(path, tensors, metadata=None):
    """tensors: name -> (dtype, numpy array) with dtype one of F64, F32, F16, BF16."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name, (dtype, a) in tensors.items():
        if dtype == 'BF16':
            raw = bf16_bytes(a)
        else:
            raw = np.ascontiguousarray(a, dtype={'F64': '<f8', 'F32': '<f4', 'F16': '<f2'}[dtype]).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(a.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


if __name__ == '__main__':
    x = (np.arange(6, dtype=np.float64).reshape(2, 3) - 2.5) / 3.0
    save(sys.argv[1], {
        'f64': ('F64', x),
        'f32': ('F32', x.astype(np.float32)),
        'f16': ('F16', x.astype(np.float16)),
        'bf16': ('BF16', x.astype(np.float32)),
        'scalar': ('F32', np.array(7.0, dtype=np.float32)),
    }, metadata={'format': 'pt'})
