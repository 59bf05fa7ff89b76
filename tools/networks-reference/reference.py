#!/usr/bin/python3
"""PyTorch reference of the networks of docs/NETWORKS.md, and the fixtures that check a backend against it.

Every module is written from the specification, with the parameter names of the neutral format, so that
`model.state_dict()` *is* the neutral weights (`weights/<name>`, PyTorch layouts).

    /usr/bin/python3 tools/networks-reference/reference.py OUT_DIR

writes, for each case, OUT_DIR/<case>.json (the NetworkSpec) and OUT_DIR/<case>.npz holding
  weights/<name>             random weights (PyTorch's default init; norms and embeddings perturbed)
  input/x, input/t, input/y  a batch (labels -1 = null class)
  output/prediction          denoisers: the network's output
  output/log_probabilities   classifiers: log softmax of the logits
  output/input_gradient      classifiers: d/dx sum_i log p(y_i | x_i, t_i), by autograd
and for the cases `*_training` two AdamW steps with gradient clipping and EMA (train/*, after/*).
Runs with Debian's python3-torch (1.13) and numpy; deterministic (seeded, one thread).
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


def time_embedding(t, dim, scale):
    """Ho et al.'s sinusoidal embedding of s = t * scale, computed in float64 and rounded once."""
    half = dim // 2
    k = torch.arange(half, dtype=torch.float64)
    freqs = torch.exp(-math.log(10000.0) * k / (half - 1))
    args = (t.to(torch.float64) * scale)[:, None] * freqs[None, :]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1).to(torch.float32)


def class_rows(y, classes):
    return torch.where(y < 0, torch.full_like(y, classes), y)


class MlpBlock(nn.Module):
    def __init__(self, hidden, dropout):
        super().__init__()
        self.add_module("0", nn.Linear(hidden, hidden))
        self.time = nn.Linear(hidden, hidden)
        self.add_module("1", nn.Linear(hidden, hidden))
        self.dropout = nn.Dropout(dropout)

    def forward(self, h, silu_e):
        r = getattr(self, "0")(F.silu(h))
        r = r + self.time(silu_e)
        r = getattr(self, "1")(self.dropout(F.silu(r)))
        return h + r


class Mlp(nn.Module):
    """The `mlp` denoiser, or (logits > 0) the classifier on the mlp trunk."""

    def __init__(self, d, hidden=128, blocks=3, time_embedding=64, time_scale=1.0, dropout=0.0, classes=0, logits=0):
        super().__init__()
        self.e, self.scale, self.classes = time_embedding, time_scale, classes
        self.time = nn.Sequential(nn.Linear(time_embedding, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
        if classes > 0:
            self.class_embedding = nn.Embedding(classes + 1, hidden)
        self.input = nn.Linear(d, hidden)
        self.blocks = nn.ModuleList([MlpBlock(hidden, dropout) for _ in range(blocks)])
        if logits > 0:
            self.head = nn.Linear(hidden, logits)
        else:
            self.output = nn.Linear(hidden, d)

    def forward(self, x, t, y):
        e = self.time(time_embedding(t, self.e, self.scale))
        if self.classes > 0:
            e = e + self.class_embedding(class_rows(y, self.classes))
        silu_e = F.silu(e)
        h = self.input(x)
        for block in self.blocks:
            h = block(h, silu_e)
        return self.head(F.silu(h)) if hasattr(self, "head") else self.output(F.silu(h))


class Attention(nn.Module):
    def __init__(self, ch, heads, groups):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, ch, eps=1e-5)
        self.qkv = nn.Conv2d(ch, 3 * ch, 1)
        self.proj = nn.Conv2d(ch, ch, 1)

    def forward(self, h):
        n, ch, hh, ww = h.shape
        p, dh = hh * ww, ch // self.heads
        qkv = self.qkv(self.norm(h)).reshape(n, 3, self.heads, dh, p)  # q: channels 0..ch-1, k next, v last
        q, k, v = qkv[:, 0], qkv[:, 1], qkv[:, 2]  # [n, heads, dh, P]
        a = torch.softmax(torch.einsum("nhcp,nhcq->nhpq", q, k) / math.sqrt(dh), dim=-1)  # over keys q
        o = torch.einsum("nhcq,nhpq->nhcp", v, a)  # v a^T
        return h + self.proj(o.reshape(n, ch, hh, ww))


class ResBlock(nn.Module):
    def __init__(self, cin, cout, time, groups, dropout, attention=None):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time = nn.Linear(time, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-5)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        if cin != cout:
            self.skip = nn.Conv2d(cin, cout, 1)
        if attention is not None:
            self.attn = attention  # applied after the block; named "<block>.attn"

    def forward(self, h, silu_e):
        r = self.conv1(F.silu(self.norm1(h)))
        r = r + self.time(silu_e)[:, :, None, None]
        r = self.conv2(self.dropout(F.silu(self.norm2(r))))
        out = (self.skip(h) if hasattr(self, "skip") else h) + r
        return self.attn(out) if hasattr(self, "attn") else out


class UNet(nn.Module):
    """The `unet` denoiser, or (logits > 0) the classifier on its down path and middle."""

    def __init__(self, shape, channels=64, channel_mult=(1, 2, 2), num_res_blocks=2, attention_levels=None, heads=1,
                 groups=8, dropout=0.1, time_scale=1.0, classes=0, logits=0):
        super().__init__()
        levels = len(channel_mult)
        attention_levels = [levels - 1] if attention_levels is None else attention_levels
        c, time = channels, 4 * channels
        self.c, self.scale, self.classes, self.logits, self.levels, self.res = c, time_scale, classes, logits, levels, num_res_blocks
        self.time = nn.Sequential(nn.Linear(c, time), nn.SiLU(), nn.Linear(time, time))
        if classes > 0:
            self.class_embedding = nn.Embedding(classes + 1, time)
        self.input = nn.Conv2d(shape[0], c, 3, padding=1)
        skips, ch = [c], c
        self.down = nn.ModuleDict()
        for level in range(levels):
            stage = nn.ModuleDict()
            for r in range(num_res_blocks):
                out = c * channel_mult[level]
                attn = Attention(out, heads, groups) if level in attention_levels else None
                stage[str(r)] = ResBlock(ch, out, time, groups, dropout, attn)
                ch = out
                skips.append(ch)
            if level < levels - 1:
                stage["downsample"] = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
                skips.append(ch)
            self.down[str(level)] = stage
        self.mid = nn.ModuleDict({"0": ResBlock(ch, ch, time, groups, dropout), "attn": Attention(ch, heads, groups),
                                  "1": ResBlock(ch, ch, time, groups, dropout)})
        if logits > 0:
            self.out = nn.ModuleDict({"norm": nn.GroupNorm(groups, ch, eps=1e-5)})
            self.head = nn.Linear(ch, logits)
            return
        self.up = nn.ModuleDict()
        for level in reversed(range(levels)):
            stage = nn.ModuleDict()
            for r in range(num_res_blocks + 1):
                out = c * channel_mult[level]
                attn = Attention(out, heads, groups) if level in attention_levels else None
                stage[str(r)] = ResBlock(ch + skips.pop(), out, time, groups, dropout, attn)
                ch = out
            if level > 0:
                stage["upsample"] = nn.Conv2d(ch, ch, 3, padding=1)
            self.up[str(level)] = stage
        self.out = nn.ModuleDict({"norm": nn.GroupNorm(groups, ch, eps=1e-5), "conv": nn.Conv2d(ch, shape[0], 3, padding=1)})

    def forward(self, x, t, y):
        e = self.time(time_embedding(t, self.c, self.scale))
        if self.classes > 0:
            e = e + self.class_embedding(class_rows(y, self.classes))
        silu_e = F.silu(e)
        h = self.input(x)
        skips = [h]
        for level in range(self.levels):
            stage = self.down[str(level)]
            for r in range(self.res):
                h = stage[str(r)](h, silu_e)
                skips.append(h)
            if "downsample" in stage:
                h = stage["downsample"](h)
                skips.append(h)
        h = self.mid["1"](self.mid["attn"](self.mid["0"](h, silu_e)), silu_e)
        if self.logits > 0:
            return self.head(F.silu(self.out["norm"](h)).mean(dim=(2, 3)))
        for level in reversed(range(self.levels)):
            stage = self.up[str(level)]
            for r in range(self.res + 1):
                h = stage[str(r)](torch.cat([h, skips.pop()], dim=1), silu_e)
            if "upsample" in stage:
                h = stage["upsample"](F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.out["conv"](F.silu(self.out["norm"](h)))


def build(spec):
    p = dict(spec["hyperparameters"])
    shape, k = spec["sample_shape"], spec["num_classes"]
    if spec["architecture"] == "classifier":
        return (Mlp(shape[0], **p, logits=k) if len(shape) == 1 else UNet(shape, **p, logits=k)), True
    return (Mlp(shape[0], **p, classes=k) if spec["architecture"] == "mlp" else UNet(shape, **p, classes=k)), False


def perturb(model):
    """Random norm scales/shifts, so that a backend ignoring them fails the comparison."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".norm" in name or name.startswith("out.norm"):
                p.add_(0.2 * torch.randn_like(p))


def weights(model):
    return {"weights/" + n: p.detach().numpy().astype(np.float32) for n, p in model.state_dict().items()}


def batch(spec, n, continuous):
    x = torch.randn(n, *spec["sample_shape"])
    # times exactly representable in float32, as the fixture stores them
    t = torch.rand(n).double() if continuous else torch.tensor(np.r_[999, 0, np.random.randint(0, 1000, n - 2)], dtype=torch.float64)
    k = spec["num_classes"]
    y = torch.tensor([(i % (k + 1)) - 1 for i in range(n)], dtype=torch.int64) if k > 0 else torch.full((n,), -1)
    return x, t, y


def case(out, name, spec, n=5, continuous=False):
    model, classifier = build(spec)
    perturb(model)
    model.eval()
    x, t, y = batch(spec, n, continuous)
    arrays = weights(model)
    arrays.update({"input/x": x.numpy(), "input/t": t.numpy(), "input/y": y.numpy().astype(np.float32)})
    if classifier:
        y = torch.arange(n) % spec["num_classes"]
        arrays["input/y"] = y.numpy().astype(np.float32)
        xg = x.clone().requires_grad_(True)
        logp = torch.log_softmax(model(xg, t, y), dim=1)
        logp.gather(1, y[:, None]).sum().backward()
        arrays["output/log_probabilities"] = logp.detach().numpy()
        arrays["output/input_gradient"] = xg.grad.numpy()
    else:
        with torch.no_grad():
            arrays["output/prediction"] = model(x, t, y).numpy()
    save(out, name, spec, arrays)
    return model


def training_case(out, name, spec, epsilon=1e-8):
    """Two steps of weighted MSE, AdamW (weight decay), clipping at a norm the gradient exceeds, EMA."""
    opt = {"beta1": 0.9, "beta2": 0.99, "epsilon": epsilon, "weight_decay": 0.01, "grad_clip": 0.5, "ema_decay": 0.8}
    model, _ = build(spec)
    arrays = weights(model)
    ema = {n: p.detach().clone() for n, p in model.named_parameters()}
    adam = torch.optim.AdamW(model.parameters(), lr=1.0, betas=(opt["beta1"], opt["beta2"]), eps=opt["epsilon"],
                             weight_decay=opt["weight_decay"])
    for step, lr in enumerate([1e-2, 3e-2]):
        x, t, y = batch(spec, 6, False)
        target = torch.randn(6, *spec["sample_shape"])
        w = torch.rand(6, dtype=torch.float64) + 0.5
        loss = (w.float() * ((model(x, t, y) - target) ** 2).flatten(1).mean(dim=1)).mean()
        adam.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), opt["grad_clip"])
        for g in adam.param_groups:
            g["lr"] = lr
        adam.step()
        with torch.no_grad():
            for n, p in model.named_parameters():
                ema[n].mul_(opt["ema_decay"]).add_(p, alpha=1 - opt["ema_decay"])
        arrays.update({f"train/{step}/x": x.numpy(), f"train/{step}/t": t.numpy(), f"train/{step}/y": y.numpy().astype(np.float32),
                       f"train/{step}/target": target.numpy(), f"train/{step}/weights": w.numpy(),
                       f"train/{step}/lr": np.array(lr), f"train/{step}/loss": np.array(loss.item())})
    for n, p in model.named_parameters():
        state = adam.state[p]
        arrays["after/weights/" + n] = p.detach().numpy()
        arrays["after/ema/" + n] = ema[n].numpy()
        arrays["after/adam_m/" + n] = state["exp_avg"].numpy()
        arrays["after/adam_v/" + n] = state["exp_avg_sq"].numpy()
    spec["optimizer"] = opt
    save(out, name, spec, arrays)


def save(out, name, spec, arrays):
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(spec, f, indent=2)
    np.savez_compressed(os.path.join(out, name + ".npz"), **{k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()})


def main(out):
    os.makedirs(out, exist_ok=True)
    np.random.seed(0)
    case(out, "mlp", {"architecture": "mlp", "sample_shape": [3], "num_classes": 4, "parameterization": "epsilon",
                      "hyperparameters": {"hidden": 32, "blocks": 2, "time_embedding": 16}})
    unet = {"channels": 8, "channel_mult": [1, 2], "num_res_blocks": 1, "attention_levels": [1], "heads": 2, "groups": 4}
    case(out, "unet", {"architecture": "unet", "sample_shape": [2, 8, 8], "num_classes": 3, "parameterization": "epsilon",
                       "hyperparameters": dict(unet, dropout=0.1)}, n=3)
    case(out, "unet_three_levels", {"architecture": "unet", "sample_shape": [1, 12, 12], "num_classes": 0, "parameterization": "v_prediction",
                                    "hyperparameters": {"channels": 4, "channel_mult": [1, 1, 2], "num_res_blocks": 1,
                                                        "attention_levels": [0, 2], "groups": 2, "dropout": 0.0}}, n=2)
    case(out, "classifier_mlp", {"architecture": "classifier", "sample_shape": [2], "num_classes": 3, "parameterization": "epsilon",
                                 "hyperparameters": {"hidden": 16, "blocks": 1, "time_embedding": 8, "time_scale": 1000.0}},
         continuous=True)
    case(out, "classifier_unet", {"architecture": "classifier", "sample_shape": [1, 8, 8], "num_classes": 3, "parameterization": "epsilon",
                                  "hyperparameters": unet}, n=3)
    training_case(out, "mlp_training", {"architecture": "mlp", "sample_shape": [3], "num_classes": 2, "parameterization": "epsilon",
                                        "hyperparameters": {"hidden": 16, "blocks": 2, "time_embedding": 8}})
    training_case(out, "unet_training", {"architecture": "unet", "sample_shape": [1, 4, 4], "num_classes": 2, "parameterization": "epsilon",
                                         "hyperparameters": {"channels": 4, "channel_mult": [1, 2], "num_res_blocks": 1,
                                                             "attention_levels": [1], "heads": 2, "groups": 2, "dropout": 0.0}},
                  # the attention's key bias has a gradient of exactly 0 in theory and float noise (~1e-9) in practice,
                  # which Adam with a tiny epsilon would blow up to steps of +-lr, differently in every framework
                  epsilon=1e-4)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "ddpm-backend-tf/src/test/resources/reference")
