#!/usr/bin/python3
"""Writes three TorchScript forms of 2x nearest upsampling for UpsampleCost.java into DIR:
interpolate.pt (upsample_nearest2d), broadcast.pt (a copy of a broadcast view) and deconv.pt (a depthwise
transposed convolution with a 2x2 kernel of ones at stride 2, the DJL backend's form on the CPU), after
checking that all three give the same result and the same input gradient.

    /usr/bin/python3 tools/network-profiles/upsample_variants.py /tmp/upsample
"""
import os
import sys

import torch
import torch.nn.functional as F


class Interpolate(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, scale_factor=2.0, mode="nearest")


class Broadcast(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        return x[:, :, :, None, :, None].expand(n, c, h, 2, w, 2).reshape(n, c, 2 * h, 2 * w)


class Deconv(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        channels = x.shape[1]
        return F.conv_transpose2d(x, torch.ones([channels, 1, 2, 2], dtype=x.dtype), stride=2, groups=channels)


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
x = torch.randn(2, 3, 4, 5)
g = torch.randn(2, 3, 8, 10)
reference = F.interpolate(x, scale_factor=2.0, mode="nearest")
for name, module in [("interpolate", Interpolate()), ("broadcast", Broadcast()), ("deconv", Deconv())]:
    scripted = torch.jit.script(module)
    xg = x.clone().requires_grad_()
    y = scripted(xg)
    y.backward(g)
    assert torch.equal(y, reference), name
    assert torch.allclose(xg.grad, g.reshape(2, 3, 4, 2, 5, 2).sum((3, 5)), atol=1e-6), name
    scripted.save(os.path.join(out, name + ".pt"))
print("wrote interpolate.pt, broadcast.pt and deconv.pt into", out)
