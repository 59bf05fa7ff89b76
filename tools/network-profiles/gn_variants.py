#!/usr/bin/python3
"""SiLU(GroupNorm(x)) with 8 groups as TorchScript traces for GnCost.java, at the recipe U-Net's shapes
(C, HW) = (16, 28), (48, 28), (32, 14), (64, 7): libtorch's group_norm on NCHW (native_*) and on
channels-last memory (nativecl_*), and three GroupNorms written for channels-last memory: var_mean per
channel over HW (varmean_*), per-channel sums and sums of squares (sums_*), per-channel means then the
centred squares (twopass_*). Prints each one's largest difference from the NCHW reference.
docs/BENCHMARKS.md, "DJL: fourth pass (AVX-512)".

    /usr/bin/python3 tools/network-profiles/gn_variants.py OUT_DIR
"""
import torch, torch.nn.functional as F, sys
torch.manual_seed(0)
OUT = sys.argv[1]
import os; os.makedirs(OUT, exist_ok=True)
def gn_var_mean(x, g: int, w, b, eps: float = 1e-5):
    n, c, h, ww = x.shape
    xv = x.permute(0, 2, 3, 1).reshape(n, h * ww, c)
    var_c, mean_c = torch.var_mean(xv, dim=1, unbiased=False)
    mean_c = mean_c.reshape(n, g, c // g); var_c = var_c.reshape(n, g, c // g)
    mean = mean_c.mean(dim=2, keepdim=True)
    var = var_c.mean(dim=2, keepdim=True) + ((mean_c - mean) ** 2).mean(dim=2, keepdim=True)
    scale = torch.rsqrt(var + eps) * w.reshape(1, g, c // g)
    shift = b.reshape(1, g, c // g) - mean * scale
    return torch.addcmul(shift.reshape(n, 1, c), xv, scale.reshape(n, 1, c)).reshape(n, h, ww, c).permute(0, 3, 1, 2)
def gn_sums(x, g: int, w, b, eps: float = 1e-5):
    n, c, h, ww = x.shape
    xv = x.permute(0, 2, 3, 1).reshape(n, h * ww, c)
    m = h * ww * (c // g)
    s1 = xv.sum(dim=1).reshape(n, g, c // g).sum(dim=2, keepdim=True)
    s2 = (xv * xv).sum(dim=1).reshape(n, g, c // g).sum(dim=2, keepdim=True)
    mean = s1 / m
    var = (s2 / m - mean * mean).clamp_min(0)
    scale = torch.rsqrt(var + eps) * w.reshape(1, g, c // g)
    shift = b.reshape(1, g, c // g) - mean * scale
    return torch.addcmul(shift.reshape(n, 1, c), xv, scale.reshape(n, 1, c)).reshape(n, h, ww, c).permute(0, 3, 1, 2)
def gn_twopass(x, g: int, w, b, eps: float = 1e-5):
    n, c, h, ww = x.shape
    xv = x.permute(0, 2, 3, 1).reshape(n, h * ww, c)
    mean = xv.mean(dim=1).reshape(n, g, c // g).mean(dim=2, keepdim=True)          # [n, g, 1]
    d = xv - mean.expand(n, g, c // g).reshape(n, 1, c)
    var = (d * d).mean(dim=1).reshape(n, g, c // g).mean(dim=2, keepdim=True)
    scale = torch.rsqrt(var + eps) * w.reshape(1, g, c // g)
    return torch.addcmul(b.reshape(1, 1, c), d, scale.reshape(n, 1, c)).reshape(n, h, ww, c).permute(0, 3, 1, 2)
class M(torch.nn.Module):
    def __init__(self, fn, c):
        super().__init__(); self.fn = fn
        self.w = torch.nn.Parameter(torch.rand(c) + 0.5); self.b = torch.nn.Parameter(torch.randn(c))
    def forward(self, x):
        return F.silu(self.fn(x, 8, self.w, self.b))
native = lambda x, g, w, b: F.group_norm(x, g, w, b)
for c, hw in [(16, 28), (48, 28), (32, 14), (64, 7)]:
    x = torch.randn(64, c, hw, hw) * 2 + 0.5
    ref = M(native, c)
    for name, fn in [("native", native), ("varmean", gn_var_mean), ("sums", gn_sums), ("twopass", gn_twopass)]:
        m = M(fn, c); m.load_state_dict(ref.state_dict())
        xx = x.contiguous(memory_format=torch.channels_last) if name != "native" else x
        tr = torch.jit.trace(m, (xx,), check_trace=False)
        print(c, hw, name, (tr(xx) - ref(x)).abs().max().item())
        tr.save(f"{OUT}/{name}_{c}_{hw}.pt")
        if name == "native":
            tr = torch.jit.trace(m, (x.contiguous(memory_format=torch.channels_last),), check_trace=False); tr.save(f"{OUT}/nativecl_{c}_{hw}.pt")
