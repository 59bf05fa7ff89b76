#!/usr/bin/python3
"""Writes the TorchScript modules through which the DJL backend reaches libtorch's fused kernels.

DJL 0.35.1 exposes no JNI binding for `group_norm`, `silu` or nearest upsampling; a scripted module whose forward calls
them runs libtorch's own fused forward and backward kernels (one pass each way instead of
layer norm plus a separate multiply and add, or x * sigmoid(x)). The modules have no parameters and
no state; the backend loads each once from its jar and calls it through DJL's public
`IValueUtils.forward(block, inputs, isTrain)`, which takes tensors only: the group count and
epsilon travel as 0-d tensors.

    /usr/bin/python3 tools/djl-reference/make_fused_ops.py

writes group_norm.pt, group_norm_silu.pt (SiLU of GroupNorm, one call), silu.pt and upsample_nearest.pt into ddpm-backend-djl/src/main/resources/org/ddpm4j/backend/djl/nn/
(Debian's python3-torch 1.13; libtorch 2.x loads TorchScript files of older versions).
"""
import os

import torch
import torch.nn.functional as F

OUT = os.path.normpath(os.path.join(os.path.dirname(__file__),
                                    "../../ddpm-backend-djl/src/main/resources/org/ddpm4j/backend/djl/nn"))


class GroupNorm(torch.nn.Module):
    def forward(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, groups: torch.Tensor,
                eps: torch.Tensor) -> torch.Tensor:
        return F.group_norm(x, int(groups.item()), weight, bias, float(eps.item()))


class GroupNormSilu(torch.nn.Module):
    """SiLU of GroupNorm in one module call; the normed array is freed inside, as soon as SiLU has read it."""

    def forward(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, groups: torch.Tensor,
                eps: torch.Tensor) -> torch.Tensor:
        return F.silu(F.group_norm(x, int(groups.item()), weight, bias, float(eps.item())))


class Silu(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.silu(x)


class UpsampleNearest(torch.nn.Module):
    """2x nearest upsampling.

    On the CPU a depthwise transposed convolution with a 2x2 kernel of ones at stride 2: each pixel lands,
    multiplied by one, in its own 2x2 block (exactly nearest upsampling), and the backward adds each block.
    libtorch 2.x's upsample_nearest2d sends NCHW maps whose output height plus width is at most 128 through
    its channels-last kernel, copying the input to channels-last and the output back: two strided copies
    that cost it twice the time of this convolution forward and backward (docs/BENCHMARKS.md, "DJL: the
    upsampling"). Elsewhere (CUDA) upsample_nearest2d itself.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.device.type != "cpu":
            return F.interpolate(x, scale_factor=2.0, mode="nearest")
        channels = x.shape[1]
        ones = torch.ones([channels, 1, 2, 2], dtype=x.dtype, device=x.device)
        return F.conv_transpose2d(x, ones, stride=2, groups=channels)


if __name__ == "__main__":
    group_norm = torch.jit.script(GroupNorm())
    silu = torch.jit.script(Silu())
    x = torch.randn(2, 8, 3, 3)
    w, b = torch.randn(8), torch.randn(8)
    assert torch.allclose(group_norm(x, w, b, torch.tensor(4), torch.tensor(1e-5, dtype=torch.float64)),
                          F.group_norm(x, 4, w, b, 1e-5))
    assert torch.allclose(silu(x), x * torch.sigmoid(x))
    group_norm_silu = torch.jit.script(GroupNormSilu())
    assert torch.equal(group_norm_silu(x, w, b, torch.tensor(4), torch.tensor(1e-5, dtype=torch.float64)),
                       F.silu(F.group_norm(x, 4, w, b, 1e-5)))
    upsample = torch.jit.script(UpsampleNearest())
    assert torch.equal(upsample(x), x.repeat_interleave(2, 2).repeat_interleave(2, 3))
    xg = x.clone().requires_grad_()
    g = torch.randn(2, 8, 6, 6)
    upsample(xg).backward(g)
    assert torch.allclose(xg.grad, g.reshape(2, 8, 3, 2, 3, 2).sum((3, 5)), atol=1e-6)
    group_norm.save(os.path.join(OUT, "group_norm.pt"))
    group_norm_silu.save(os.path.join(OUT, "group_norm_silu.pt"))
    silu.save(os.path.join(OUT, "silu.pt"))
    upsample.save(os.path.join(OUT, "upsample_nearest.pt"))
    print("wrote group_norm.pt, group_norm_silu.pt, silu.pt and upsample_nearest.pt into", OUT)
