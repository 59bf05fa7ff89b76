"""The networks of docs/NETWORKS.md written directly against PyTorch, as an independent reference.

Parameters are created lazily, in order of first use, with the shapes the specification gives
(PyTorch layouts), so the names and shapes the Java backends declare are checked against this file
too. Run with Debian's python3-torch:  /usr/bin/python3 tools/djl-reference/make_fixtures.py
"""
import math

import torch
import torch.nn.functional as F


class LazyParameters(dict):
    """name -> tensor; a missing name is created with `make(shape)` when a layer first asks for it."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def get_or_make(self, name, shape, kind, fan_in=1):
        if name not in self:
            self[name] = self.make(shape, kind, fan_in)
        if tuple(self[name].shape) != tuple(shape):
            raise ValueError(f"{name}: {tuple(self[name].shape)} != {tuple(shape)}")
        return self[name]


def temb(t, scale, dim):
    """Sinusoidal embedding of s = t * scale; arguments formed in float64, like the Java side."""
    half = dim // 2
    f = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float64) / (half - 1))
    a = (t.double()[:, None] * scale * f[None, :]).float()
    return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


def linear(P, name, x, out):
    n_in = x.shape[-1]
    return F.linear(x, P.get_or_make(name + ".weight", (out, n_in), "dense", n_in),
                    P.get_or_make(name + ".bias", (out,), "dense", n_in))


def conv(P, name, x, out, k, stride=1):
    n_in = x.shape[1]
    w = P.get_or_make(name + ".weight", (out, n_in, k, k), "dense", n_in * k * k)
    b = P.get_or_make(name + ".bias", (out,), "dense", n_in * k * k)
    return F.conv2d(x, w, b, stride=stride, padding=k // 2)


def group_norm(P, name, x, groups):
    c = x.shape[1]
    return F.group_norm(x, groups, P.get_or_make(name + ".weight", (c,), "norm_weight"),
                        P.get_or_make(name + ".bias", (c,), "norm_bias"), eps=1e-5)


def class_embedding(P, labels, classes, dim):
    table = P.get_or_make("class_embedding.weight", (classes + 1, dim), "embedding")
    rows = labels.clone()
    rows[rows < 0] = classes
    return table[rows]


def dropout(x, rate, training):
    return F.dropout(x, rate, training) if training and rate > 0 else x


def mlp(P, x, t, labels, c, classes, head=None):
    """The mlp denoiser; with head=K the classifier (trunk without class embedding, then "head")."""
    h_dim = c["hidden"]
    e = linear(P, "time.0", temb(t, c["time_scale"], c["time_embedding"]), h_dim)
    e = linear(P, "time.2", F.silu(e), h_dim)
    if head is None and classes > 0:
        e = e + class_embedding(P, labels, classes, h_dim)
    h = linear(P, "input", x, h_dim)
    for b in range(c["blocks"]):
        r = linear(P, f"blocks.{b}.0", F.silu(h), h_dim)
        r = r + linear(P, f"blocks.{b}.time", F.silu(e), h_dim)
        r = linear(P, f"blocks.{b}.1", dropout(F.silu(r), c["dropout"], c["training"]), h_dim)
        h = h + r
    if head is not None:
        return linear(P, "head", F.silu(h), head)
    return linear(P, "output", F.silu(h), x.shape[1])


def res_block(P, name, h, e, out, c):
    g = c["groups"]
    r = conv(P, name + ".conv1", F.silu(group_norm(P, name + ".norm1", h, g)), out, 3)
    r = r + linear(P, name + ".time", F.silu(e), out)[:, :, None, None]
    r = conv(P, name + ".conv2", dropout(F.silu(group_norm(P, name + ".norm2", r, g)), c["dropout"], c["training"]), out, 3)
    skip = h if h.shape[1] == out else conv(P, name + ".skip", h, out, 1)
    return skip + r


def attention(P, name, h, c):
    n, ch, height, width = h.shape
    heads = c["heads"]
    dh = ch // heads
    qkv = conv(P, name + ".qkv", group_norm(P, name + ".norm", h, c["groups"]), 3 * ch, 1)
    qkv = qkv.reshape(n, 3, heads, dh, height * width)
    q, k, v = qkv[:, 0], qkv[:, 1], qkv[:, 2]                                 # [n, heads, dh, P]
    a = torch.softmax(torch.einsum("nhci,nhcj->nhij", q, k) / math.sqrt(dh), dim=-1)  # softmax over keys j
    o = torch.einsum("nhcj,nhij->nhci", v, a)                                # o = v a^T
    return h + conv(P, name + ".proj", o.reshape(n, ch, height, width), ch, 1)


def unet(P, x, t, labels, c, classes, head=None):
    """The unet denoiser; with head=K the classifier (down path and middle, then "head")."""
    base = c["channels"]
    mult = c["channel_mult"]
    levels = len(mult)
    tf = 4 * base
    e = linear(P, "time.0", temb(t, c["time_scale"], base), tf)
    e = linear(P, "time.2", F.silu(e), tf)
    if head is None and classes > 0:
        e = e + class_embedding(P, labels, classes, tf)
    h = conv(P, "input", x, base, 3)
    skips = [h]
    for l in range(levels):
        for r in range(c["num_res_blocks"]):
            h = res_block(P, f"down.{l}.{r}", h, e, base * mult[l], c)
            if l in c["attention_levels"]:
                h = attention(P, f"down.{l}.{r}.attn", h, c)
            skips.append(h)
        if l < levels - 1:
            h = conv(P, f"down.{l}.downsample", h, h.shape[1], 3, stride=2)
            skips.append(h)
    h = res_block(P, "mid.0", h, e, h.shape[1], c)
    h = attention(P, "mid.attn", h, c)
    h = res_block(P, "mid.1", h, e, h.shape[1], c)
    if head is not None:
        features = F.silu(group_norm(P, "out.norm", h, c["groups"])).mean(dim=(2, 3))
        return linear(P, "head", features, head)
    for l in reversed(range(levels)):
        for r in range(c["num_res_blocks"] + 1):
            h = res_block(P, f"up.{l}.{r}", torch.cat([h, skips.pop()], dim=1), e, base * mult[l], c)
            if l in c["attention_levels"]:
                h = attention(P, f"up.{l}.{r}.attn", h, c)
        if l > 0:
            h = conv(P, f"up.{l}.upsample", F.interpolate(h, scale_factor=2, mode="nearest"), h.shape[1], 3)
    return conv(P, "out.conv", F.silu(group_norm(P, "out.norm", h, c["groups"])), x.shape[1], 3)
