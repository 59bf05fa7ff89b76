#!/usr/bin/python3
"""Writes three TorchScript forms of 2x nearest upsampling for UpsampleCost.java into DIR:
interpolate.pt (upsample_nearest2d), broadcast.pt (a copy of a broadcast view) and deconv.pt (the DJL backend's
own module from tools/djl-reference/make_fused_ops.py: on the CPU a depthwise transposed convolution with a
2x2 kernel of ones at stride 2), after
checking that all three give the same result and the same input gradient.

    /usr/bin/python3 tools/network-profiles/upsample_variants.py /tmp/upsample
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "djl-reference"))
from make_fused_ops import UpsampleNearest  # noqa: E402  the DJL backend's own module, measured as shipped


class Interpolate(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, scale_factor=2.0, mode="nearest")


class Broadcast(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        return x[:, :, :, None, :, None].expand(n, c, h, 2, w, 2).reshape(n, c, 2 * h, 2 * w)


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
x = torch.randn(2, 3, 4, 5)
g = torch.randn(2, 3, 8, 10)
reference = F.interpolate(x, scale_factor=2.0, mode="nearest")
for name, module in [("interpolate", Interpolate()), ("broadcast", Broadcast()), ("deconv", UpsampleNearest())]:
    scripted = torch.jit.script(module)
    xg = x.clone().requires_grad_()
    y = scripted(xg)
    y.backward(g)
    assert torch.equal(y, reference), name
    assert torch.allclose(xg.grad, g.reshape(2, 3, 4, 2, 5, 2).sum((3, 5)), atol=1e-6), name
    scripted.save(os.path.join(out, name + ".pt"))
print("wrote interpolate.pt, broadcast.pt and deconv.pt into", out)
