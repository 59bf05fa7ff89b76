"""Prints the base64 of .npy files that numpy writes for integer arrays (NpyTest's fixtures).

Run: /usr/bin/python3 tools/npy-fixtures/integer_arrays.py
"""
import base64
import io

import numpy as np

LABELS = [0, 3, 1, 2]
for dtype in ["<i8", "<i4", "|u1", ">i2", "<u8"]:
    buffer = io.BytesIO()
    np.save(buffer, np.array(LABELS, dtype=dtype))
    print(dtype, base64.b64encode(buffer.getvalue()).decode())
buffer = io.BytesIO()
np.save(buffer, np.array([2**64 - 1], dtype="<u8"))
print("<u8 max", base64.b64encode(buffer.getvalue()).decode())
