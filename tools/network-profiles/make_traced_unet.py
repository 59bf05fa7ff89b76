#!/usr/bin/python3
"""TorchScript traces of the recipe U-Net (tools/networks-reference), for ForwardFaults.java: the same network
in DJL's libtorch without DJL. Variants: NCHW (nchw.pt), channels-last with libtorch's group_norm
(cl_native.pt), channels-last with a GroupNorm written for NHWC memory (cl_custom.pt: var_mean over a
[N, HW, G, C/G] view, one addcmul), and two more NHWC GroupNorms (cl_sums.pt: per-channel sums and sums of
squares over HW, which libtorch reduces vectorised across channels; cl_twopass.pt: per-channel means, then
the centred squares). docs/BENCHMARKS.md, "DJL: third pass" and "DJL: fourth pass (AVX-512)"; timed by
ForwardFaults.java (forward, against the DJL backend) and TraceCost.java (forward or training step).

    /usr/bin/python3 tools/network-profiles/make_traced_unet.py OUT_DIR
"""
import os
import sys, torch, torch.nn.functional as F
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../networks-reference"))
import reference as R
torch.manual_seed(0)

def gn_nhwc(x, groups: int, weight, bias, eps: float = 1e-5):
    n, c, h, w = x.shape
    xv = x.permute(0, 2, 3, 1).reshape(n, h * w, groups, c // groups)
    var, mean = torch.var_mean(xv, dim=(1, 3), unbiased=False, keepdim=True)
    scale = torch.rsqrt(var + eps) * weight.reshape(1, 1, groups, c // groups)
    shift = bias.reshape(1, 1, groups, c // groups) - mean * scale
    return torch.addcmul(shift, xv, scale).reshape(n, h, w, c).permute(0, 3, 1, 2)

def gn_nhwc_sums(x, groups: int, weight, bias, eps: float = 1e-5):
    n, c, h, w = x.shape
    xv = x.permute(0, 2, 3, 1).reshape(n, h * w, c)  # channels-last memory: a view
    count = h * w * (c // groups)
    s1 = xv.sum(dim=1).reshape(n, groups, c // groups).sum(dim=2, keepdim=True)
    s2 = (xv * xv).sum(dim=1).reshape(n, groups, c // groups).sum(dim=2, keepdim=True)
    mean = s1 / count
    var = (s2 / count - mean * mean).clamp_min(0)
    scale = torch.rsqrt(var + eps) * weight.reshape(1, groups, c // groups)
    shift = bias.reshape(1, groups, c // groups) - mean * scale
    return torch.addcmul(shift.reshape(n, 1, c), xv, scale.reshape(n, 1, c)).reshape(n, h, w, c).permute(0, 3, 1, 2)

def gn_nhwc_twopass(x, groups: int, weight, bias, eps: float = 1e-5):
    n, c, h, w = x.shape
    xv = x.permute(0, 2, 3, 1).reshape(n, h * w, c)
    mean = xv.mean(dim=1).reshape(n, groups, c // groups).mean(dim=2, keepdim=True)
    d = xv - mean.expand(n, groups, c // groups).reshape(n, 1, c)
    var = (d * d).mean(dim=1).reshape(n, groups, c // groups).mean(dim=2, keepdim=True)
    scale = torch.rsqrt(var + eps) * weight.reshape(1, groups, c // groups)
    return torch.addcmul(bias.reshape(1, 1, c), d, scale.reshape(n, 1, c)).reshape(n, h, w, c).permute(0, 3, 1, 2)

orig_gn = F.group_norm
class Wrap(torch.nn.Module):
    def __init__(self, net, cl):
        super().__init__(); self.net = net; self.cl = cl
    def forward(self, x, t, y):
        if self.cl:
            x = x.contiguous(memory_format=torch.channels_last)
        return self.net(x, t, y).contiguous()

def make(name, cl, custom):
    """custom: None (libtorch's group_norm) or a GroupNorm function for channels-last memory."""
    torch.manual_seed(0)
    net = R.UNet((1, 28, 28), channels=16, channel_mult=(1, 2, 2), num_res_blocks=1, attention_levels=[2], heads=1,
                 groups=8, dropout=0.0, classes=10)
    if cl:
        net = net.to(memory_format=torch.channels_last)
    F.group_norm = custom if custom else orig_gn
    x = torch.randn(64, 1, 28, 28); t = torch.rand(64) * 999; y = torch.arange(64) % 10
    m = Wrap(net, cl)
    ref = Wrap(net, False)
    with torch.no_grad():
        tr = torch.jit.trace(m, (x, t, y), check_trace=False)
    F.group_norm = orig_gn
    print(name, (tr(x, t, y) - ref(x, t, y)).abs().max().item())
    tr.save(f"{OUT}/{name}.pt")

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
make("nchw", False, None)
make("cl_native", True, None)
make("cl_custom", True, gn_nhwc)
make("cl_sums", True, gn_nhwc_sums)
make("cl_twopass", True, gn_nhwc_twopass)
